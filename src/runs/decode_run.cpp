#include "runs/decode_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "core/error.hpp"
#include "core/format.hpp"
#include "core/resources.hpp"
#include "data/dataset.hpp"
#include "io/json.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "report/decode_figures.hpp"
#include "runs/checkpointing.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"

namespace nc::runs {
namespace {

bool regression(const DecodeOptions& o) {
  return o.model == models::DecoderKind::regression;
}

std::string model_name(const DecodeOptions& o) {
  if (o.linear) return *o.linear == models::LinearKind::ridge ? "ridge" : "vonmises";
  switch (o.model) {
    case models::DecoderKind::regression:
      return "regression";
    case models::DecoderKind::circular:
      return "circular";
    default:
      return "classification";
  }
}

void require(bool ok, const std::string& msg) {
  if (!ok) throw InputError(msg);
}

}  // namespace

int64_t DecodeOptions::hidden_or_default() const {
  return hidden.value_or(model == models::DecoderKind::regression ? 10 : 20);
}
int64_t DecodeOptions::iters_or_default() const {
  return iters.value_or(model == models::DecoderKind::regression ? 50 : 1000);
}
double DecodeOptions::lr_or_default() const {
  return lr.value_or(model == models::DecoderKind::regression ? 1e-4 : 0.1);
}

void validate(const DecodeOptions& o) {
  const double lr = o.lr_or_default();
  require(std::isfinite(lr) && lr > 0,
          "--lr: expected a finite rate > 0, got " + std::to_string(lr));
  require(std::isfinite(o.l1) && o.l1 >= 0,
          "--l1: expected a finite penalty >= 0, got " + std::to_string(o.l1));
  require(std::isfinite(o.l2) && o.l2 >= 0,
          "--l2: expected a finite penalty >= 0, got " + std::to_string(o.l2));
  require(o.iters_or_default() >= 1,
          "--iters: expected at least 1, got " + std::to_string(o.iters_or_default()));
  require(o.hidden_or_default() >= 1,
          "--hidden: expected at least 1, got " + std::to_string(o.hidden_or_default()));
  require(regression(o) || o.classes >= 2,
          "--classes: expected at least 2, got " + std::to_string(o.classes));
  require(std::isfinite(o.train_fraction) && o.train_fraction > 0 && o.train_fraction < 1,
          "--train-fraction: expected a value in (0, 1), got " + std::to_string(o.train_fraction));
  require(std::isfinite(o.bin_width) && o.bin_width > 0 && o.bin_width <= 360,
          "--bin-width: expected a width in (0, 360] degrees, got " + std::to_string(o.bin_width));
  require(std::isfinite(o.period) && o.period >= 0,
          "--period: expected a period >= 0 degrees (0: a non-circular variable), got " +
              std::to_string(o.period));
  require(std::isfinite(o.lambda) && o.lambda > 0,
          "--lambda: expected a finite penalty > 0, got " + std::to_string(o.lambda));
  if (o.period == 0) {
    const std::string m = model_name(o);
    require(m == "regression" || m == "ridge",
            "--period 0: a non-circular variable has no classes or angle; use --model regression "
            "or ridge, not " +
                m);
    require(o.bin_width == 1.0,
            "--period 0: binning is defined for angles only (P > 0); drop --bin-width");
  }
  require(o.checkpoint_every >= 0, "--checkpoint-every: expected N >= 0 iterations, got " +
                                       std::to_string(o.checkpoint_every));
  require(!(o.train_fraction_given && !o.split.empty()),
          "--split and --train-fraction: give one or the other, not both");
  require(o.folds == 0 || o.folds >= 2,
          "--folds: expected at least 2 folds, got " + std::to_string(o.folds));
  require(o.repeats >= 1, "--repeats: expected at least 1, got " + std::to_string(o.repeats));
  require(o.folds == 0 || (o.split.empty() && !o.train_fraction_given),
          "--folds: conflicts with --split and --train-fraction (the folds are the splits)");
  require(o.folds > 0 || o.repeats == 1, "--repeats: needs --folds");
  require(o.folds == 0 || (o.checkpoint_every == 0 && o.resume.empty()),
          "--folds: cross-validation has no checkpoints (--checkpoint-every, --resume); rerun it "
          "instead");
}

data::Dataset load_decode_dataset(const DecodeOptions& opt, std::string& source,
                                  std::ostream& log) {
  data::Dataset ds;
  if (opt.data.empty()) {
    if (!opt.quiet) log << "no --data given: using the built-in simulated V1 population (seed 1)\n";
    ds = sim::simulate_population(sim::PopulationOptions{});
    data::wrap_stimuli(ds, opt.period);
    source = "simulated";
  } else {
    ds = data::load_dataset(opt.data, opt.period);
    source = opt.data;
  }
  return data::bin_dataset(ds, opt.bin_width);
}

namespace {

// Wall seconds between laps.
class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - t_).count();
    t_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point t_ = std::chrono::steady_clock::now();
};

// The data a decode run works on: the (binned) dataset, where it came from, and its split.
struct DecodeInput {
  data::Dataset ds;
  std::string source;  // "simulated" or the file
  data::Split split;
};

DecodeInput load_decode_input(const DecodeOptions& opt, Rng& rng, std::ostream& log) {
  DecodeInput in;
  in.ds = load_decode_dataset(opt, in.source, log);
  in.split = opt.split.empty() ? data::split_random(in.ds.n_stimuli(), opt.train_fraction, rng)
                               : data::load_split(opt.split, in.ds.n_stimuli());
  if (!opt.quiet)
    log << in.ds.n_neurons() << " neurons in response to " << in.ds.n_stimuli() << " stimuli; "
        << in.split.train_idx.size() << " train, " << in.split.test_idx.size() << " test\n";
  return in;
}

}  // namespace

// What the run computes from: a checkpoint must be resumed with the same.
nlohmann::json decode_options_record(const DecodeOptions& opt) {
  return {
      {"model", model_name(opt)},
      {"period", opt.period},
      {"hidden", opt.hidden_or_default()},
      {"classes", opt.model == models::DecoderKind::classification ? opt.classes
                  : opt.model == models::DecoderKind::circular     ? 2
                                                                   : 1},
      {"lambda", opt.lambda},
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
}

namespace {

// The errors DESIGN.md names for the period: circular ones for P > 0; for P = 0 the plain
// error and R², in the variable's own units.
void add_error_metrics(nlohmann::json& m, const analysis::DecodingErrors& e, double period) {
  m["test_mse"] = e.test_mse;
  if (period == 0) {
    m["median_abs_error"] = e.median_abs_error_deg;
    m["r2"] = e.r2;
    return;
  }
  m["median_abs_error_deg"] = e.median_abs_error_deg;
  m["mean_abs_error_deg"] = e.mean_abs_error_deg;
  m["median_circular_error_deg"] = e.median_circular_error_deg;
  m["mean_circular_error_deg"] = e.mean_circular_error_deg;
}

}  // namespace

nlohmann::json decode_fit_metrics(const DecoderFit& fit, double period) {
  nlohmann::json m;
  m["train_loss"] = fit.history.train_loss;
  m["test_loss"] = fit.history.test_loss;
  m["seconds"] = fit.seconds;
  m["peak_rss_bytes"] = peak_rss_bytes();
  add_error_metrics(m, fit.errors, period);
  if (fit.net.shape.kind == models::DecoderKind::classification) {
    m["fraction_correct"] = fit.fraction_correct;
    m["confusion"] = analysis::confusion_matrix(fit.test_predicted, fit.test_class,
                                                static_cast<int>(fit.net.shape.n_outputs));
  }
  m["diverged"] = fit.outcome.diverged;
  if (fit.outcome.diverged) m["diverged_at"] = fit.outcome.diverged_at;
  return m;
}

namespace {

nlohmann::json metrics_header(const DecodeInput& in, double period) {
  nlohmann::json m;
  m["command"] = "decode";
  m["data"] = in.source;
  m["period"] = period;
  m["n_neurons"] = in.ds.n_neurons();
  m["n_stimuli"] = in.ds.n_stimuli();
  m["n_train"] = in.split.train_idx.size();
  m["n_test"] = in.split.test_idx.size();
  return m;
}

nlohmann::json metrics_record(const DecodeInput& in, const DecoderFit& fit,
                              const nlohmann::json& options, double period) {
  nlohmann::json m = metrics_header(in, period);
  m.update(decode_fit_metrics(fit, period));
  m["options"] = options;
  return m;
}

io::NpzContents analysis_arrays(const DecoderFit& fit, const DecoderAnalysis& an) {
  const auto n_neurons = static_cast<int64_t>(an.pref.degrees.size());
  const auto n_test = static_cast<int64_t>(fit.test_angle.size());
  io::NpzContents a;
  if (n_neurons > 0) {  // preferred orientations exist for a circular variable (P > 0) only
    a["preferred_orientation"] = io::NpyArray::from_float(an.pref.degrees, {n_neurons});
    a["neuron_order"] = io::NpyArray::from_int64(an.pref.order, {n_neurons});
  }
  a["hidden_activity"] =
      io::NpyArray::from_float({an.hidden.data(), static_cast<size_t>(an.hidden.size())},
                               {an.hidden.rows(), an.hidden.cols()});
  a["test_angle"] = io::NpyArray::from_float(fit.test_angle, {n_test});
  const std::vector<float> decoded(fit.test_decoded.begin(), fit.test_decoded.end());
  a["test_decoded_angle"] = io::NpyArray::from_float(decoded, {n_test});
  if (fit.net.shape.kind == models::DecoderKind::classification) {
    const std::vector<int64_t> tc(fit.test_class.begin(), fit.test_class.end());
    const std::vector<int64_t> pc(fit.test_predicted.begin(), fit.test_predicted.end());
    a["test_class"] = io::NpyArray::from_int64(tc, {n_test});
    a["test_predicted_class"] = io::NpyArray::from_int64(pc, {n_test});
  }
  return a;
}

std::vector<std::string> decode_figures(const DecodeOptions& opt, const DecodeInput& in,
                                        const DecoderFit& fit, const DecoderAnalysis& an) {
  return report::write_decode_figures(opt.out, {.resp = cmap(in.ds.resp),
                                                .stimuli = in.ds.stimuli,
                                                .pref = an.pref,
                                                .net = fit.net,
                                                .hidden = an.hidden,
                                                .history = fit.history,
                                                .test_angle = fit.test_angle,
                                                .test_decoded = fit.test_decoded,
                                                .test_class = fit.test_class,
                                                .test_predicted = fit.test_predicted,
                                                .classes = regression(opt) ? 0 : opt.classes,
                                                .test_mse = fit.errors.test_mse,
                                                .fraction_correct = fit.fraction_correct,
                                                .seed = opt.seed});
}

void log_errors(const DecodeOptions& opt, const analysis::DecodingErrors& e, std::ostream& log) {
  if (opt.period == 0)
    log << ", median absolute error = " << format_number("%.4g", e.median_abs_error_deg)
        << ", R2 = " << format_number("%.3f", e.r2);
  else
    log << ", median circular error = " << format_number("%.2f", e.median_circular_error_deg)
        << " deg";
}

void log_summary(const DecodeOptions& opt, const DecoderFit& fit, std::ostream& log) {
  if (opt.quiet) return;
  if (opt.model == models::DecoderKind::classification)
    log << ">>> fraction correct = " << format_number("%.3f", fit.fraction_correct);
  else
    log << ">>> test MSE = " << format_number("%.2f", fit.errors.test_mse);
  log_errors(opt, fit.errors, log);
  log << ", training " << format_number("%.2f", fit.seconds) << " s; wrote " << opt.out
      << "/{model.npz,analysis.npz,metrics.json}\n";
}

// ridge / vonmises: one closed-form fit, then the same files as the MLPs (no loss history, no
// hidden units; the figures are the MLPs').
DecodeResult run_linear_decode(const DecodeOptions& opt, const DecodeInput& in,
                               const nlohmann::json& options, std::ostream& log) {
  DecodeResult res;
  res.linear = fit_linear(in.ds, in.split,
                          {.model = *opt.linear, .lambda = opt.lambda, .period = opt.period});
  const LinearFit& fit = res.linear;
  res.metrics = metrics_header(in, opt.period);
  res.metrics["seconds"] = fit.seconds;
  res.metrics["peak_rss_bytes"] = peak_rss_bytes();
  add_error_metrics(res.metrics, fit.errors, opt.period);
  res.metrics["options"] = options;
  const auto n_test = static_cast<int64_t>(fit.test_angle.size());
  io::NpzContents a;
  if (opt.period > 0) {
    const analysis::PreferredOrientation pref =
        analysis::preferred_orientation(in.ds.resp.block_reader(), in.ds.stimuli);
    const auto n = static_cast<int64_t>(pref.degrees.size());
    a["preferred_orientation"] = io::NpyArray::from_float(pref.degrees, {n});
    a["neuron_order"] = io::NpyArray::from_int64(pref.order, {n});
  }
  a["test_angle"] = io::NpyArray::from_float(fit.test_angle, {n_test});
  a["test_decoded_angle"] = io::NpyArray::from_float(
      std::vector<float>(fit.test_decoded.begin(), fit.test_decoded.end()), {n_test});
  a["test_outputs"] = io::NpyArray::from_float(
      std::vector<float>(fit.test_outputs.data(),
                         fit.test_outputs.data() + fit.test_outputs.size()),
      {fit.test_outputs.rows(), fit.test_outputs.cols()});
  io::NpzContents model;
  const RowMat& w = fit.net.weight;
  model["linear.weight"] =
      io::NpyArray::from_float({w.data(), static_cast<size_t>(w.size())}, {w.rows(), w.cols()});
  model["linear.bias"] =
      io::NpyArray::from_float(fit.net.bias, {static_cast<int64_t>(fit.net.bias.size())});
  // metrics.json last: its presence means every other file of the run is complete.
  io::write_npz(opt.out + "/model.npz", model);
  io::write_npz(opt.out + "/analysis.npz", a);
  io::write_json(opt.out + "/metrics.json", res.metrics);
  if (!opt.quiet) {
    log << ">>> " << model_name(opt)
        << ": test MSE = " << format_number("%.4g", fit.errors.test_mse);
    log_errors(opt, fit.errors, log);
    log << ", fit " << format_number("%.2f", fit.seconds) << " s; wrote " << opt.out
        << "/{model.npz,analysis.npz,metrics.json}\n";
  }
  return res;
}

}  // namespace

bool set_model(DecodeOptions& opt, const std::string& name) {
  if (std::find(std::begin(kModelNames), std::end(kModelNames), name) == std::end(kModelNames))
    return false;
  opt.model = name == "regression" ? models::DecoderKind::regression
              : name == "circular" ? models::DecoderKind::circular
                                   : models::DecoderKind::classification;
  opt.linear.reset();
  if (name == "ridge") opt.linear = models::LinearKind::ridge;
  if (name == "vonmises") opt.linear = models::LinearKind::vonmises;
  return true;
}

nlohmann::json linear_fit_metrics(const LinearFit& fit, double period) {
  nlohmann::json m;
  m["seconds"] = fit.seconds;
  add_error_metrics(m, fit.errors, period);
  return m;
}

DecoderConfig decoder_config(const DecodeOptions& opt) {
  return {
      .model = opt.model,
      .hidden = opt.hidden_or_default(),
      .classes = opt.classes,
      .period = opt.period,
      .train = {.iters = opt.iters_or_default(),
                .lr = static_cast<float>(opt.lr_or_default()),
                .penalty = {.l1 = static_cast<float>(opt.l1), .l2 = static_cast<float>(opt.l2)}},
      .seed = opt.seed};
}

DecodeResult run_decode(const DecodeOptions& opt, std::ostream& log) {
  validate(opt);
  const OutputDirGuard out_dir(opt.out);
  Rng rng(opt.seed);  // the split, then the initial weights, from one stream
  Stopwatch clock;
  const DecodeInput in = load_decode_input(opt, rng, log);
  const double load_seconds = clock.lap();
  const nlohmann::json options = decode_options_record(opt);
  if (opt.linear) return run_linear_decode(opt, in, options, log);
  RunCheckpointer checkpoints("decode", options, opt.out, opt.checkpoint_every,
                              opt.iters_or_default(), opt.resume);
  DecodeResult res;
  FitHooks hooks =
      command_hooks(opt.init, opt.quiet, {"loss:", "test_loss:", "%.3f"}, checkpoints, log);
  // The preferred orientations ride on the dual form's pass over the data: a second pass over
  // a file bigger than memory costs more than their smoothing. Other forms read no blocks, and
  // the analysis then reads the data itself.
  analysis::PreferredOrientationPass pref(in.ds.stimuli, in.split.train_idx, in.split.test_idx,
                                          in.ds.n_neurons());
  if (opt.period > 0 && pref.usable())
    hooks.data_pass = [&pref](int64_t c0, int64_t cols, const float* xa, const float* xb,
                              int64_t ld) { pref.add(c0, cols, xa, xb, ld); };
  res.fit = fit_decoder(in.ds, in.split, decoder_config(opt), hooks, &rng);
  res.interrupted_by = checkpoints.stopped_by();
  if (res.fit.outcome.interrupted) return res;
  if (res.fit.outcome.diverged) log << "error: " << res.fit.outcome.message << "\n";

  const double fit_seconds = clock.lap();
  const DecoderAnalysis an = analyse_decoder(
      res.fit.net, in.ds, opt.period, res.fit.hidden.size() > 0 ? &res.fit.hidden : nullptr, &pref);
  const double analysis_seconds = clock.lap();
  res.metrics = metrics_record(in, res.fit, options, opt.period);
  // The figures plot angles (and neurons by preferred orientation): none for P = 0.
  if (opt.plots && opt.period > 0) res.metrics["figures"] = decode_figures(opt, in, res.fit, an);
  // Where a run's time goes (wall seconds): loading and checking the data, the fit (its
  // training loop is `seconds`), the analysis, the figures. fit_parts splits the training call:
  // the form's preparation (the dual form's pass over the data), the iterations, and finish
  // (the dual form's pass that forms W_in).
  const train::Outcome& o = res.fit.outcome;
  res.metrics["phase_seconds"] = {{"load", load_seconds},
                                  {"fit", fit_seconds},
                                  {"fit_parts",
                                   {{"prepare", o.prepare_seconds},
                                    {"iterations", o.iterations_seconds},
                                    {"finish", o.finish_seconds}}},
                                  {"analysis", analysis_seconds},
                                  {"figures", clock.lap()}};
  // metrics.json last: its presence means every other file of the run is complete.
  models::save_state_dict(opt.out + "/model.npz", res.fit.net.params);
  io::write_npz(opt.out + "/analysis.npz", analysis_arrays(res.fit, an));
  io::write_json(opt.out + "/metrics.json", res.metrics);
  log_summary(opt, res.fit, log);
  return res;
}

}  // namespace nc::runs
