#include "core/format.hpp"
#include "runs/encode_run.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/resources.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "report/encode_figures.hpp"
#include "runs/checkpointing.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"
#include "sim/stimuli.hpp"
#include "train/encoder_trainer.hpp"

namespace nc::runs {
namespace {
void require(bool ok, const std::string& msg) {
  if (!ok) throw InputError(msg);
}
io::NpyArray mat(const RowMat& m) {
  return io::NpyArray::from_float({m.data(), static_cast<size_t>(m.size())}, {m.rows(), m.cols()});
}
io::NpyArray vec(const std::vector<double>& v) {
  return io::NpyArray::from_double(v, {static_cast<int64_t>(v.size())});
}
// JSON has no NaN: a median over no included neuron is written as null.
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

void validate(const EncodeOptions& o) {
  require(o.channels >= 1, "--channels: expected at least 1, got " + std::to_string(o.channels));
  require(o.filters == models::EncoderFilters::random || o.channels >= 2,
          "--channels: the seed filter bank needs at least 2 channels (or use --filters random)");
  require(o.kernel >= 1 && o.kernel % 2 == 1 && o.kernel <= 31,
          "--kernel: expected an odd size between 1 and 31, got " + std::to_string(o.kernel));
  require(o.iters >= 1, "--iters: expected at least 1, got " + std::to_string(o.iters));
  require(std::isfinite(o.lr) && o.lr > 0, "--lr: expected a finite rate > 0, got " + std::to_string(o.lr));
  require(std::isfinite(o.momentum) && o.momentum >= 0 && o.momentum < 1,
          "--momentum: expected a value in [0, 1), got " + std::to_string(o.momentum));
  require(o.checkpoint_every >= 0, "--checkpoint-every: expected N >= 0 iterations, got " + std::to_string(o.checkpoint_every));
  require(std::isfinite(o.l1) && o.l1 >= 0, "--l1: expected a finite penalty >= 0, got " + std::to_string(o.l1));
  require(std::isfinite(o.l2) && o.l2 >= 0, "--l2: expected a finite penalty >= 0, got " + std::to_string(o.l2));
}

EncodeResult run_encode(const EncodeOptions& opt, std::ostream& log) {
  validate(opt);
  const OutputDirGuard out_dir(opt.out);
  data::SplitDataset ds;
  std::string source;
  if (opt.data.empty()) {
    if (!opt.quiet) log << "no --data given: using the built-in simulated V1 population (seed 1, split halves)\n";
    ds = sim::simulate_population_split(sim::PopulationOptions{});
    source = "simulated";
  } else {
    ds = data::load_split_dataset(opt.data);
    source = opt.data;
  }
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = opt.channels, .kernel = opt.kernel};
  models::Encoder net = models::encoder_create(shape);
  if (!opt.init.empty()) models::load_state_dict(opt.init, net.params);

  if (opt.init.empty()) {
    Rng rng(opt.seed);
    models::encoder_init(net, opt.filters, rng);
  }
  const float* conv0 = net.params.value("conv.weight");  // as initialised, for the filter figure
  const std::vector<float> conv_init(conv0, conv0 + net.params.view("conv.weight").size);
  train::EncoderData data;
  data.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  data.resp_train = std::move(ds.resp_train);
  data.resp_test = std::move(ds.resp_test);
  if (!opt.quiet)
    log << "resp_train contains averaged responses of " << shape.n_neurons << " neurons to "
        << data.images.n << " binned stimuli; gratings " << data.images.height << " x " << data.images.width << "\n";
  const train::EncoderTrainOptions topt{
      .iters = opt.iters,
      .lr = static_cast<float>(opt.lr),
      .momentum = static_cast<float>(opt.momentum),
      .l1 = static_cast<float>(opt.l1),
      .l2 = static_cast<float>(opt.l2),
  };
  // What the run computes from: a checkpoint must be resumed with the same.
  const nlohmann::json options = {
      {"channels", opt.channels}, {"kernel", opt.kernel}, {"iters", opt.iters},
      {"lr", opt.lr}, {"momentum", opt.momentum}, {"l2", opt.l2}, {"l1", opt.l1},
      {"filters", opt.filters == models::EncoderFilters::seed ? "seed" : "random"},
      {"seed", opt.seed}, {"init", opt.init}, {"data", opt.data},
  };
  train::EncoderTrainState state;
  RunCheckpointer checkpoints("encode", options, opt.out, opt.checkpoint_every, topt.iters,
                              {net.params, state.sgd, state.history, state.iteration, nullptr});
  if (!opt.resume.empty()) checkpoints.resume(opt.resume, log, opt.quiet);
  const auto progress = [&](int64_t it, int64_t n, double tr, double te) {
    if (opt.quiet) return;
    log << "iteration " << it << "/" << n << " | train loss: " << format_number("%.4f", tr) << " | test loss: " << format_number("%.4f", te) << "\n";
    log.flush();
  };
  EncodeResult res;
  // "seconds" is the training loop, as the PyTorch reference times it: data preparation and
  // initialisation come before the clock starts in both.
  const auto t0 = std::chrono::steady_clock::now();
  res.outcome = train::train_encoder(net, data, topt, state, progress, checkpoints.after_step());
  if (res.outcome.interrupted) {
    res.interrupted_by = checkpoints.finish_interrupted(log);
    return res;
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.history = state.history;
  res.n_neurons = shape.n_neurons;
  res.n_stimuli = data.images.n;
  if (res.outcome.diverged) log << "error: " << res.outcome.message << "\n";

  models::EncoderWorkspace ws;
  models::encoder_forward(net, data.images.pixels.data(), data.images.n, ws);
  res.fit = analysis::encoding_fit(ws.out, data.resp_train, data.resp_test);

  io::NpzContents pred;
  pred["prediction"] = mat(ws.out);
  pred["test_corr"] = vec(res.fit.test_corr);
  pred["split_half_corr"] = vec(res.fit.split_half_corr);
  pred["noise_ceiling"] = vec(res.fit.noise_ceiling);
  pred["normalized_corr"] = vec(res.fit.normalized_corr);
  pred["included"] = io::NpyArray::from_bool(res.fit.included, {res.n_neurons});
  std::vector<double> angles = sim::encoder_angles(ds.stimuli);
  pred["grating_angle"] = vec(angles);
  pred["stimuli"] = io::NpyArray::from_float(ds.stimuli, {res.n_stimuli});

  nlohmann::json m;
  m["command"] = "encode";
  m["data"] = source;
  m["n_neurons"] = res.n_neurons;
  m["n_stimuli"] = res.n_stimuli;
  m["train_loss"] = res.history.train_loss;
  m["test_loss"] = res.history.test_loss;
  m["seconds"] = res.seconds;
  m["peak_rss_bytes"] = peak_rss_bytes();
  m["median_test_corr"] = num(res.fit.median_test_corr);
  m["median_noise_ceiling"] = num(res.fit.median_noise_ceiling);
  m["median_normalized_corr"] = num(res.fit.median_normalized_corr);
  m["n_excluded"] = res.fit.n_excluded;
  m["diverged"] = res.outcome.diverged;
  if (res.outcome.diverged) m["diverged_at"] = res.outcome.diverged_at;
  m["options"] = options;
  if (opt.plots) {
    res.figures = report::write_encode_figures(
        opt.out, {.stimuli = ds.stimuli, .resp_train = data.resp_train, .resp_test = data.resp_test,
                  .prediction = ws.out, .fit = res.fit, .history = res.history, .net = net,
                  .conv_init = conv_init, .seed = opt.seed});
    m["figures"] = res.figures;
  }
  models::save_state_dict(opt.out + "/model.npz", net.params);
  io::write_npz(opt.out + "/predictions.npz", pred);
  write_json(opt.out + "/metrics.json", m);
  if (!opt.quiet)
    log << ">>> median test corr = " << format_number("%.3f", res.fit.median_test_corr) << ", median noise ceiling = "
        << format_number("%.3f", res.fit.median_noise_ceiling) << ", median normalized corr = "
        << format_number("%.3f", res.fit.median_normalized_corr) << " (" << res.fit.n_excluded
        << " neurons excluded); training " << format_number("%.2f", res.seconds) << " s; wrote " << opt.out
        << "/{model.npz,predictions.npz,metrics.json}\n";
  return res;
}

}  // namespace nc::runs
