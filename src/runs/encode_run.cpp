#include "runs/encode_run.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/error.hpp"
#include "core/format.hpp"
#include "core/resources.hpp"
#include "data/dataset.hpp"
#include "io/json.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "report/encode_figures.hpp"
#include "runs/checkpointing.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"
#include "sim/stimuli.hpp"

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
nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
}  // namespace

void validate(const EncodeOptions& o) {
  require(o.channels >= 1, "--channels: expected at least 1, got " + std::to_string(o.channels));
  require(o.filters == models::EncoderFilters::random || o.channels >= 2,
          "--channels: the seed filter bank needs at least 2 channels (or use --filters random)");
  require(o.kernel >= 1 && o.kernel % 2 == 1 && o.kernel <= 31,
          "--kernel: expected an odd size between 1 and 31, got " + std::to_string(o.kernel));
  require(o.iters >= 1, "--iters: expected at least 1, got " + std::to_string(o.iters));
  require(std::isfinite(o.lr) && o.lr > 0,
          "--lr: expected a finite rate > 0, got " + std::to_string(o.lr));
  require(std::isfinite(o.momentum) && o.momentum >= 0 && o.momentum < 1,
          "--momentum: expected a value in [0, 1), got " + std::to_string(o.momentum));
  require(o.checkpoint_every >= 0, "--checkpoint-every: expected N >= 0 iterations, got " +
                                       std::to_string(o.checkpoint_every));
  require(std::isfinite(o.l1) && o.l1 >= 0,
          "--l1: expected a finite penalty >= 0, got " + std::to_string(o.l1));
  require(std::isfinite(o.l2) && o.l2 >= 0,
          "--l2: expected a finite penalty >= 0, got " + std::to_string(o.l2));
}

data::SplitDataset load_encode_dataset(const EncodeOptions& opt, std::string& source,
                                       std::ostream& log) {
  if (opt.data.empty()) {
    if (!opt.quiet)
      log << "no --data given: using the built-in simulated V1 population (seed 1, split halves)\n";
    source = "simulated";
    return sim::simulate_population_split(sim::PopulationOptions{});
  }
  source = opt.data;
  return data::load_split_dataset(opt.data);
}

// What the run computes from: a checkpoint must be resumed with the same.
nlohmann::json encode_options_record(const EncodeOptions& opt) {
  return {
      {"channels", opt.channels},
      {"kernel", opt.kernel},
      {"iters", opt.iters},
      {"lr", opt.lr},
      {"momentum", opt.momentum},
      {"l2", opt.l2},
      {"l1", opt.l1},
      {"filters", opt.filters == models::EncoderFilters::seed ? "seed" : "random"},
      {"seed", opt.seed},
      {"init", opt.init},
      {"data", opt.data},
  };
}

nlohmann::json encode_fit_metrics(const EncoderFit& fit) {
  nlohmann::json m;
  m["train_loss"] = fit.history.train_loss;
  m["test_loss"] = fit.history.test_loss;
  m["seconds"] = fit.seconds;
  m["peak_rss_bytes"] = peak_rss_bytes();
  m["median_test_corr"] = num(fit.fit.median_test_corr);
  m["median_noise_ceiling"] = num(fit.fit.median_noise_ceiling);
  m["median_normalized_corr"] = num(fit.fit.median_normalized_corr);
  m["n_excluded"] = fit.fit.n_excluded;
  m["diverged"] = fit.outcome.diverged;
  if (fit.outcome.diverged) m["diverged_at"] = fit.outcome.diverged_at;
  return m;
}

namespace {

io::NpzContents prediction_arrays(const EncoderFit& fit, const std::vector<float>& stimuli) {
  io::NpzContents pred;
  pred["prediction"] = mat(fit.prediction);
  pred["test_corr"] = vec(fit.fit.test_corr);
  pred["split_half_corr"] = vec(fit.fit.split_half_corr);
  pred["noise_ceiling"] = vec(fit.fit.noise_ceiling);
  pred["normalized_corr"] = vec(fit.fit.normalized_corr);
  pred["included"] = io::NpyArray::from_bool(fit.fit.included, {fit.prediction.cols()});
  pred["grating_angle"] = vec(sim::encoder_angles(stimuli));
  pred["stimuli"] = io::NpyArray::from_float(stimuli, {static_cast<int64_t>(stimuli.size())});
  return pred;
}

nlohmann::json metrics_record(const std::string& source, const EncoderFit& fit,
                              const nlohmann::json& options) {
  nlohmann::json m;
  m["command"] = "encode";
  m["data"] = source;
  m["n_neurons"] = fit.net.shape.n_neurons;
  m["n_stimuli"] = fit.images.n;
  m.update(encode_fit_metrics(fit));
  m["options"] = options;
  return m;
}

void log_summary(const EncodeOptions& opt, const EncoderFit& fit, std::ostream& log) {
  if (opt.quiet) return;
  log << ">>> median test corr = " << format_number("%.3f", fit.fit.median_test_corr)
      << ", median noise ceiling = " << format_number("%.3f", fit.fit.median_noise_ceiling)
      << ", median normalized corr = " << format_number("%.3f", fit.fit.median_normalized_corr)
      << " (" << fit.fit.n_excluded << " neurons excluded); training "
      << format_number("%.2f", fit.seconds) << " s; wrote " << opt.out
      << "/{model.npz,predictions.npz,metrics.json}\n";
}

}  // namespace

EncoderConfig encoder_config(const EncodeOptions& opt) {
  return {.shape = {.channels = opt.channels, .kernel = opt.kernel},
          .train = {.iters = opt.iters,
                    .lr = static_cast<float>(opt.lr),
                    .momentum = static_cast<float>(opt.momentum),
                    .l1 = static_cast<float>(opt.l1),
                    .l2 = static_cast<float>(opt.l2)},
          .filters = opt.filters,
          .seed = opt.seed};
}

EncodeResult run_encode(const EncodeOptions& opt, std::ostream& log) {
  validate(opt);
  const OutputDirGuard out_dir(opt.out);
  std::string source;
  const data::SplitDataset ds = load_encode_dataset(opt, source, log);
  const nlohmann::json options = encode_options_record(opt);
  RunCheckpointer checkpoints("encode", options, opt.out, opt.checkpoint_every, opt.iters,
                              opt.resume);
  if (!opt.quiet)
    log << "resp_train contains averaged responses of " << ds.n_neurons() << " neurons to "
        << ds.n_stimuli() << " binned stimuli; gratings 12 x 16\n";
  EncodeResult res;
  res.fit = fit_encoder(
      ds, encoder_config(opt),
      command_hooks(opt.init, opt.quiet, {"train loss:", "test loss:", "%.4f"}, checkpoints, log));
  res.interrupted_by = checkpoints.stopped_by();
  if (res.fit.outcome.interrupted) return res;
  if (res.fit.outcome.diverged) log << "error: " << res.fit.outcome.message << "\n";

  res.metrics = metrics_record(source, res.fit, options);
  if (opt.plots)
    res.metrics["figures"] =
        report::write_encode_figures(opt.out, {.stimuli = ds.stimuli,
                                               .resp_train = ds.resp_train,
                                               .resp_test = ds.resp_test,
                                               .prediction = res.fit.prediction,
                                               .fit = res.fit.fit,
                                               .history = res.fit.history,
                                               .net = res.fit.net,
                                               .conv_init = res.fit.conv_init,
                                               .seed = opt.seed});
  models::save_state_dict(opt.out + "/model.npz", res.fit.net.params);
  io::write_npz(opt.out + "/predictions.npz", prediction_arrays(res.fit, ds.stimuli));
  io::write_json(opt.out + "/metrics.json", res.metrics);  // last: the run's files are complete
  log_summary(opt, res.fit, log);
  return res;
}

}  // namespace nc::runs
