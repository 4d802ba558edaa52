#include "select/cv_run.hpp"

#include <cmath>
#include <ostream>

#include "core/format.hpp"
#include "core/interrupt.hpp"
#include "io/json.hpp"
#include "models/state_dict.hpp"
#include "nn/gram.hpp"
#include "runs/output_dir.hpp"
#include "select/cv_figure.hpp"
#include "select/folds.hpp"
#include "select/shared_data.hpp"
#include "select/stats.hpp"

namespace nc::select {
namespace {

bool classifier(const runs::DecodeOptions& o) {
  return o.model == models::DecoderKind::classification && !o.linear;
}

// The per-fold metric of the log line and the figure.
std::string fold_metric(const runs::DecodeOptions& o) {
  if (classifier(o)) return "fraction_correct";
  return o.linear && o.period > 0 ? "median_circular_error_deg" : "test_mse";
}

// Which fold a record is, and its rows.
void add_fold_fields(nlohmann::json& r, int repeat, int fold, const data::Split& split) {
  r["repeat"] = repeat;
  r["fold"] = fold;
  r["n_train"] = split.train_idx.size();
  r["n_test"] = split.test_idx.size();
  r["test_idx"] = split.test_idx;
}

// A closed-form linear decoder's fold: its errors, no loss curves.
nlohmann::json linear_fold_record(int repeat, int fold, const data::Split& split,
                                  const runs::LinearFit& fit, double period) {
  nlohmann::json r = runs::linear_fit_metrics(fit, period);
  add_fold_fields(r, repeat, fold, split);
  return r;
}

nlohmann::json fold_record(int repeat, int fold, const data::Split& split,
                           const runs::DecoderFit& fit, double period) {
  nlohmann::json r = runs::decode_fit_metrics(fit, period);
  add_fold_fields(r, repeat, fold, split);
  r["final_train_loss"] = fit.history.train_loss.empty()
                              ? nlohmann::json(nullptr)
                              : nlohmann::json(fit.history.train_loss.back());
  r["final_test_loss"] = fit.history.test_loss.empty()
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(fit.history.test_loss.back());
  return r;
}

runs::FitHooks cv_hooks(const runs::DecodeOptions& opt, const RowMat* gram) {
  runs::FitHooks hooks;
  hooks.gram = gram;
  if (!opt.init.empty())
    hooks.init = [&opt](ParameterSet& p) { models::load_state_dict(opt.init, p); };
  // SIGINT/SIGTERM: stop inside the fold; the run then writes nothing (no checkpoints here).
  hooks.after_step = [](int64_t) { return interrupt_signal() != 0; };
  return hooks;
}

}  // namespace

const std::vector<std::string>& decode_scalar_metrics() {
  static const std::vector<std::string> names = {
      "fraction_correct",          "test_mse",
      "median_abs_error_deg",      "mean_abs_error_deg",
      "median_circular_error_deg", "mean_circular_error_deg",
      "final_train_loss",          "final_test_loss"};
  return names;
}

nlohmann::json cv_summary(const nlohmann::json& folds) {
  nlohmann::json m;
  for (const auto& name : decode_scalar_metrics()) {
    std::vector<double> v;
    for (const auto& f : folds)
      if (f.contains(name) && f[name].is_number()) v.push_back(f[name].get<double>());
    if (v.empty()) continue;
    const MeanSe s = mean_se(v);
    m[name + "_mean"] = json_number(s.mean);
    m[name + "_se"] = json_number(s.se);
    m[name + "_folds"] = v;
  }
  m["n_folds"] = folds.size();
  if (!folds.empty() && !folds[0].contains("test_loss")) return m;  // closed form: no curves
  std::vector<std::vector<double>> curves;
  for (const auto& f : folds) curves.push_back(f["test_loss"].get<std::vector<double>>());
  const CurveStats c = curve_stats(curves);
  m["mean_test_loss"] = c.mean;
  m["mean_test_loss_se"] = c.se;
  m["best_iters"] = c.argmin + 1;
  return m;
}

namespace {

// One fold's fit (the named decoder: MLP or closed form) as its cv.json record; counts a
// divergence into res. Logs a line per fold unless quiet.
nlohmann::json run_fold(const runs::DecodeOptions& opt, const data::Dataset& ds,
                        const data::Split& split, const RowMat& gram, const runs::FitHooks& hooks,
                        int r, int f, CrossValidationResult& res, std::ostream& log) {
  nlohmann::json record;
  std::string outcome;
  if (opt.linear) {
    const runs::LinearFit lf = runs::fit_linear(
        ds, split,
        {.model = *opt.linear, .lambda = opt.lambda, .period = opt.period, .gram = &gram});
    record = linear_fold_record(r, f, split, lf, opt.period);
    outcome =
        fold_metric(opt) + " " + format_number("%.3f", record[fold_metric(opt)].get<double>());
  } else {
    const runs::DecoderFit fit = runs::fit_decoder(ds, split, runs::decoder_config(opt), hooks);
    res.n_diverged += fit.outcome.diverged ? 1 : 0;
    record = fold_record(r, f, split, fit, opt.period);
    outcome = (classifier(opt) ? "fraction correct " + format_number("%.3f", fit.fraction_correct)
                               : "test MSE " + format_number("%.2f", fit.errors.test_mse)) +
              (fit.outcome.diverged ? " (diverged)" : "");
  }
  if (!opt.quiet)
    log << "repeat " << r + 1 << "/" << opt.repeats << " fold " << f + 1 << "/" << opt.folds << ": "
        << outcome << "\n";
  return record;
}

// cv.json, metrics.json (the summary over folds) and the figure; the summary line.
void write_cv_outputs(const runs::DecodeOptions& opt, const std::string& source,
                      const data::Dataset& ds, const nlohmann::json& folds,
                      CrossValidationResult& res, std::ostream& log) {
  const nlohmann::json options = runs::decode_options_record(opt);
  res.cv = {{"command", "decode"},
            {"data", source},
            {"folds", folds},
            {"k", opt.folds},
            {"repeats", opt.repeats},
            {"n_stimuli", ds.n_stimuli()},
            {"n_neurons", ds.n_neurons()},
            {"options", options}};
  res.metrics = cv_summary(folds);
  res.metrics["command"] = "decode";
  res.metrics["data"] = source;
  res.metrics["k"] = opt.folds;
  res.metrics["repeats"] = opt.repeats;
  res.metrics["n_diverged"] = res.n_diverged;
  res.metrics["options"] = options;
  io::write_json(opt.out + "/cv.json", res.cv);
  if (opt.plots)
    res.metrics["figures"] = {
        write_cv_figure(opt.out + "/cv.png", folds, res.metrics, fold_metric(opt))};
  io::write_json(opt.out + "/metrics.json", res.metrics);  // last: the run is complete
  if (!opt.quiet)
    log << ">>> " << fold_metric(opt) << " "
        << format_number("%.3f", number_or_nan(res.metrics, (fold_metric(opt) + "_mean").c_str()))
        << " +- "
        << format_number("%.3f", number_or_nan(res.metrics, (fold_metric(opt) + "_se").c_str()))
        << " (SE over " << folds.size() << " folds); wrote " << opt.out
        << "/{cv.json,metrics.json}\n";
}

}  // namespace

CrossValidationResult run_cross_validation(const runs::DecodeOptions& opt, std::ostream& log) {
  runs::validate(opt);
  const runs::OutputDirGuard out_dir(opt.out);
  std::string source;
  const data::Dataset ds = runs::load_decode_dataset(opt, source, log);
  const std::vector<int32_t> classes =
      classifier(opt) ? data::stimulus_classes(ds.stimuli, opt.classes) : std::vector<int32_t>{};
  check_folds(ds.n_stimuli(), opt.folds, classifier(opt) ? &classes : nullptr, "--folds");
  // One Gram for every fold of every repeat: a fold's K blocks are sub-blocks of it.
  const bool shared_gram = opt.linear || uses_gram(runs::decoder_config(opt));
  const RowMat gram = shared_gram ? gram_matrix(ds.resp.block_reader()) : RowMat();
  const runs::FitHooks hooks = cv_hooks(opt, shared_gram ? &gram : nullptr);
  Rng rng = folds_rng(opt.seed);
  CrossValidationResult res;
  nlohmann::json folds = nlohmann::json::array();
  for (int r = 0; r < opt.repeats; ++r) {
    const auto splits =
        kfold_splits(ds.n_stimuli(), opt.folds, classifier(opt) ? &classes : nullptr, rng);
    for (int f = 0; f < opt.folds; ++f) {
      folds.push_back(
          run_fold(opt, ds, splits[static_cast<size_t>(f)], gram, hooks, r, f, res, log));
      if ((res.interrupted_by = interrupt_signal()) != 0) return res;
    }
  }
  write_cv_outputs(opt, source, ds, folds, res, log);
  return res;
}

}  // namespace nc::select
