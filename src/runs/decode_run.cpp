#include "core/format.hpp"
#include "runs/decode_run.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "core/error.hpp"
#include "core/resources.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "report/decode_figures.hpp"
#include "runs/checkpointing.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"
#include "train/decoder_trainer.hpp"

namespace nc::runs {
namespace {

bool regression(const DecodeOptions& o) { return o.model == models::DecoderKind::regression; }

void require(bool ok, const std::string& msg) {
  if (!ok) throw InputError(msg);
}

}  // namespace

int64_t DecodeOptions::hidden_or_default() const { return hidden.value_or(model == models::DecoderKind::regression ? 10 : 20); }
int64_t DecodeOptions::iters_or_default() const { return iters.value_or(model == models::DecoderKind::regression ? 50 : 1000); }
double DecodeOptions::lr_or_default() const { return lr.value_or(model == models::DecoderKind::regression ? 1e-4 : 0.1); }

void validate(const DecodeOptions& o) {
  const double lr = o.lr_or_default();
  require(std::isfinite(lr) && lr > 0, "--lr: expected a finite rate > 0, got " + std::to_string(lr));
  require(std::isfinite(o.l1) && o.l1 >= 0, "--l1: expected a finite penalty >= 0, got " + std::to_string(o.l1));
  require(std::isfinite(o.l2) && o.l2 >= 0, "--l2: expected a finite penalty >= 0, got " + std::to_string(o.l2));
  require(o.iters_or_default() >= 1, "--iters: expected at least 1, got " + std::to_string(o.iters_or_default()));
  require(o.hidden_or_default() >= 1, "--hidden: expected at least 1, got " + std::to_string(o.hidden_or_default()));
  require(regression(o) || o.classes >= 2, "--classes: expected at least 2, got " + std::to_string(o.classes));
  require(std::isfinite(o.train_fraction) && o.train_fraction > 0 && o.train_fraction < 1,
          "--train-fraction: expected a value in (0, 1), got " + std::to_string(o.train_fraction));
  require(std::isfinite(o.bin_width) && o.bin_width > 0 && o.bin_width <= 360,
          "--bin-width: expected a width in (0, 360] degrees, got " + std::to_string(o.bin_width));
  require(o.checkpoint_every >= 0, "--checkpoint-every: expected N >= 0 iterations, got " + std::to_string(o.checkpoint_every));
  require(!(o.train_fraction_given && !o.split.empty()),
          "--split and --train-fraction: give one or the other, not both");
}

DecodeResult run_decode(const DecodeOptions& opt, std::ostream& log) {
  validate(opt);
  const OutputDirGuard out_dir(opt.out);

  // Data
  data::Dataset ds;
  std::string source;
  if (opt.data.empty()) {
    if (!opt.quiet) log << "no --data given: using the built-in simulated V1 population (seed 1)\n";
    ds = sim::simulate_population(sim::PopulationOptions{});
    source = "simulated";
  } else {
    ds = data::load_dataset(opt.data);
    source = opt.data;
  }
  ds = data::bin_dataset(ds, opt.bin_width);
  Rng rng(opt.seed);
  const data::Split split = opt.split.empty() ? data::split_random(ds.n_stimuli(), opt.train_fraction, rng)
                                              : data::load_split(opt.split, ds.n_stimuli());
  const models::DecoderShape shape{
      .kind = opt.model,
      .n_inputs = ds.n_neurons(),
      .n_hidden = opt.hidden_or_default(),
      .n_outputs = regression(opt) ? 1 : opt.classes,
  };
  models::Decoder net = models::decoder_create(shape);
  if (!opt.init.empty()) models::load_state_dict(opt.init, net.params);  // before the long work

  if (opt.init.empty()) models::decoder_init_default(net, rng);
  train::DecoderData dd;
  dd.x_train = data::take_rows(ds.resp, split.train_idx);
  dd.x_test = data::take_rows(ds.resp, split.test_idx);
  dd.y_train.angles = data::take(ds.stimuli, split.train_idx);
  dd.y_test.angles = data::take(ds.stimuli, split.test_idx);
  if (!regression(opt)) {
    dd.y_train.classes = data::stimulus_classes(dd.y_train.angles, opt.classes);
    dd.y_test.classes = data::stimulus_classes(dd.y_test.angles, opt.classes);
  }
  const train::DecoderTrainOptions topt{
      .iters = opt.iters_or_default(),
      .lr = static_cast<float>(opt.lr_or_default()),
      .penalty = {.l1 = static_cast<float>(opt.l1), .l2 = static_cast<float>(opt.l2)},
  };
  if (!opt.quiet)
    log << ds.n_neurons() << " neurons in response to " << ds.n_stimuli() << " stimuli; "
        << split.train_idx.size() << " train, " << split.test_idx.size() << " test\n";
  // What the run computes from: a checkpoint must be resumed with the same.
  const nlohmann::json options = {
      {"model", regression(opt) ? "regression" : "classification"},
      {"hidden", shape.n_hidden},
      {"classes", regression(opt) ? 1 : opt.classes},
      {"iters", opt.iters_or_default()},
      {"lr", opt.lr_or_default()},
      {"l1", opt.l1},
      {"l2", opt.l2},
      {"train_fraction", opt.train_fraction},
      {"seed", opt.seed},
      {"split", opt.split},
      {"init", opt.init},
      {"bin_width", opt.bin_width},
      {"data", opt.data},
  };
  train::DecoderTrainState state;
  RunCheckpointer checkpoints("decode", options, opt.out, opt.checkpoint_every, topt.iters,
                              {net.params, state.sgd, state.history, state.iteration, &state.dual});
  if (!opt.resume.empty()) checkpoints.resume(opt.resume, log, opt.quiet);
  const auto progress = [&](int64_t it, int64_t n, double tr, double te) {
    if (opt.quiet) return;
    log << "iteration " << it << "/" << n << " | loss: " << format_number("%.3f", tr) << " | test_loss: " << format_number("%.3f", te) << "\n";
    log.flush();
  };
  DecodeResult res;
  // "seconds" is the training loop, as the PyTorch reference times it: data preparation and
  // initialisation come before the clock starts in both.
  const auto t0 = std::chrono::steady_clock::now();
  res.outcome = train::train_decoder(net, dd, topt, state, progress, checkpoints.after_step());
  if (res.outcome.interrupted) {
    res.interrupted_by = checkpoints.finish_interrupted(log);
    return res;
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.history = state.history;
  res.n_train = dd.x_train.rows();
  res.n_test = dd.x_test.rows();
  res.n_neurons = ds.n_neurons();
  if (res.outcome.diverged) log << "error: " << res.outcome.message << "\n";

  // Analysis
  models::DecoderWorkspace ws;
  models::decoder_forward(net, CMatMap(dd.x_test.data(), dd.x_test.rows(), dd.x_test.cols()), ws);
  std::vector<double> decoded(static_cast<size_t>(res.n_test));
  std::vector<int32_t> predicted;
  if (regression(opt)) {
    for (int64_t i = 0; i < res.n_test; ++i) decoded[static_cast<size_t>(i)] = ws.out(i, 0);
  } else {
    predicted = models::predicted_classes(ws.out);
    for (size_t i = 0; i < predicted.size(); ++i) decoded[i] = data::class_centre(predicted[i], opt.classes);
  }
  const analysis::DecodingErrors err = analysis::decoding_errors(decoded, dd.y_test.angles);
  res.test_mse = err.test_mse;
  res.median_circular_error_deg = err.median_circular_error_deg;

  const analysis::PreferredOrientation pref = analysis::preferred_orientation(ds.resp, ds.stimuli);
  const RowMat resp_sorted = data::take_rows(ds.resp, pref.row_order);
  models::DecoderWorkspace all_ws;
  models::decoder_forward(net, CMatMap(resp_sorted.data(), resp_sorted.rows(), resp_sorted.cols()), all_ws);

  nlohmann::json m;
  m["command"] = "decode";
  m["data"] = source;
  m["n_neurons"] = res.n_neurons;
  m["n_stimuli"] = ds.n_stimuli();
  m["n_train"] = res.n_train;
  m["n_test"] = res.n_test;
  m["train_loss"] = res.history.train_loss;
  m["test_loss"] = res.history.test_loss;
  m["seconds"] = res.seconds;
  m["peak_rss_bytes"] = peak_rss_bytes();
  m["test_mse"] = err.test_mse;
  m["median_abs_error_deg"] = err.median_abs_error_deg;
  m["mean_abs_error_deg"] = err.mean_abs_error_deg;
  m["median_circular_error_deg"] = err.median_circular_error_deg;
  m["mean_circular_error_deg"] = err.mean_circular_error_deg;
  io::NpzContents analysis_npz;
  analysis_npz["preferred_orientation"] = io::NpyArray::from_float(pref.degrees, {res.n_neurons});
  analysis_npz["neuron_order"] = io::NpyArray::from_int64(pref.order, {res.n_neurons});
  analysis_npz["hidden_activity"] = io::NpyArray::from_float({all_ws.hidden.data(), static_cast<size_t>(all_ws.hidden.size())},
                                                             {all_ws.hidden.rows(), all_ws.hidden.cols()});
  analysis_npz["test_angle"] = io::NpyArray::from_float(dd.y_test.angles, {res.n_test});
  std::vector<float> decoded_f(decoded.begin(), decoded.end());
  analysis_npz["test_decoded_angle"] = io::NpyArray::from_float(decoded_f, {res.n_test});
  if (!regression(opt)) {
    res.fraction_correct = analysis::fraction_correct(predicted, dd.y_test.classes);
    m["fraction_correct"] = res.fraction_correct;
    m["confusion"] = analysis::confusion_matrix(predicted, dd.y_test.classes, opt.classes);
    std::vector<int64_t> tc(dd.y_test.classes.begin(), dd.y_test.classes.end()), pc(predicted.begin(), predicted.end());
    analysis_npz["test_class"] = io::NpyArray::from_int64(tc, {res.n_test});
    analysis_npz["test_predicted_class"] = io::NpyArray::from_int64(pc, {res.n_test});
  }
  m["diverged"] = res.outcome.diverged;
  if (res.outcome.diverged) m["diverged_at"] = res.outcome.diverged_at;
  m["options"] = options;

  if (opt.plots) {
    res.figures = report::write_decode_figures(
        opt.out, {.resp = ds.resp, .stimuli = ds.stimuli, .pref = pref, .net = net, .hidden = all_ws.hidden,
                  .history = res.history, .test_angle = dd.y_test.angles, .test_decoded = decoded,
                  .test_class = dd.y_test.classes, .test_predicted = predicted,
                  .classes = regression(opt) ? 0 : opt.classes, .test_mse = err.test_mse,
                  .fraction_correct = res.fraction_correct, .seed = opt.seed});
    m["figures"] = res.figures;
  }

  // metrics.json last: its presence means every other file of the run is complete.
  models::save_state_dict(opt.out + "/model.npz", net.params);
  io::write_npz(opt.out + "/analysis.npz", analysis_npz);
  write_json(opt.out + "/metrics.json", m);

  if (!opt.quiet) {
    if (regression(opt)) log << ">>> test MSE = " << format_number("%.2f", err.test_mse) << " deg^2";
    else log << ">>> fraction correct = " << format_number("%.3f", res.fraction_correct);
    log << ", median circular error = " << format_number("%.1f", err.median_circular_error_deg) << " deg, training "
        << format_number("%.2f", res.seconds) << " s; wrote " << opt.out << "/{model.npz,analysis.npz,metrics.json}\n";
  }
  return res;
}

}  // namespace nc::runs
