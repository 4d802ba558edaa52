#include "select/job.hpp"

#include <chrono>

#include "core/interrupt.hpp"
#include "models/state_dict.hpp"
#include "select/folds.hpp"

namespace nc::select {
namespace {

runs::FitHooks job_hooks(const std::string& init) {
  runs::FitHooks hooks;
  if (!init.empty()) hooks.init = [init](ParameterSet& p) { models::load_state_dict(init, p); };
  hooks.after_step = [](int64_t) { return interrupt_signal() != 0; };  // scancel sends SIGTERM
  return hooks;
}

// A closed-form linear decoder (ridge, vonmises) on the split: no iterations, so nothing to
// interrupt or diverge; the dataset's shared Gram serves its dual form.
JobResult linear_job(const runs::DecodeOptions& opt, const data::Dataset& ds,
                     const data::Split& split, SharedData& shared) {
  const runs::LinearFit fit =
      runs::fit_linear(ds, split,
                       {.model = *opt.linear,
                        .lambda = opt.lambda,
                        .period = opt.period,
                        .gram = &shared.gram(opt.data, opt.bin_width, opt.period)});
  JobResult r;
  r.record = runs::linear_fit_metrics(fit, opt.period);
  return r;
}

JobResult decode_job(const Plan& plan, const Job& job, SharedData& shared) {
  const runs::DecodeOptions opt = job_decode_options(plan, job);
  const data::Dataset& ds = shared.decode_data(opt.data, opt.bin_width, opt.period);
  const runs::DecoderConfig cfg = runs::decoder_config(opt);
  runs::FitHooks hooks = job_hooks(opt.init);
  if (uses_gram(cfg) && !opt.linear) hooks.gram = &shared.gram(opt.data, opt.bin_width, opt.period);
  data::Split split;
  Rng rng(opt.seed);    // a plain decode --seed S: the split, then the weights, from one stream
  if (job.fold >= 0) {  // as decode --folds K --seed S: fold f of the first repeat
    const bool cls = opt.model == models::DecoderKind::classification && !opt.linear;
    const std::vector<int32_t> classes =
        cls ? data::stimulus_classes(ds.stimuli, opt.classes, opt.period) : std::vector<int32_t>{};
    check_folds(ds.n_stimuli(), plan.folds, cls ? &classes : nullptr, "folds");
    Rng folds = folds_rng(job.seed);
    split = kfold_splits(ds.n_stimuli(), plan.folds, cls ? &classes : nullptr,
                         folds)[static_cast<size_t>(job.fold)];
  } else {
    split = data::split_random(ds.n_stimuli(), opt.train_fraction, rng);
  }
  JobResult r;
  if (opt.linear) {
    r = linear_job(opt, ds, split, shared);
  } else {
    const runs::DecoderFit fit =
        runs::fit_decoder(ds, split, cfg, hooks, job.fold >= 0 ? nullptr : &rng);
    r.interrupted = fit.outcome.interrupted;
    r.diverged = fit.outcome.diverged;
    r.record = runs::decode_fit_metrics(fit, opt.period);
  }
  r.record["options"] = runs::decode_options_record(opt);
  r.record["n_train"] = split.train_idx.size();
  r.record["n_test"] = split.test_idx.size();
  return r;
}

JobResult encode_job(const Plan& plan, const Job& job, SharedData& shared) {
  const runs::EncodeOptions opt = job_encode_options(plan, job);
  const runs::EncoderFit fit = runs::fit_encoder(shared.encode_data(opt.data),
                                                 runs::encoder_config(opt), job_hooks(opt.init));
  JobResult r;
  r.interrupted = fit.outcome.interrupted;
  r.diverged = fit.outcome.diverged;
  r.record = runs::encode_fit_metrics(fit);
  r.record["options"] = runs::encode_options_record(opt);
  return r;
}

}  // namespace

bool is_volatile_field(const std::string& key) {
  return key == "seconds" || key == "job_seconds" || key == "peak_rss_bytes";
}

JobResult run_job(const Plan& plan, const Job& job, SharedData& shared) {
  const auto t0 = std::chrono::steady_clock::now();
  JobResult r = plan.command == PlanCommand::decode ? decode_job(plan, job, shared)
                                                    : encode_job(plan, job, shared);
  r.record["index"] = job.index;
  r.record["command"] = plan.command == PlanCommand::decode ? "decode" : "encode";
  r.record["data"] = data_name(plan, job.data);
  r.record["grid"] = job_grid(plan, job);
  r.record["seed"] = job.seed;
  r.record["fold"] = job.fold >= 0 ? nlohmann::json(job.fold) : nlohmann::json(nullptr);
  r.record["job_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace nc::select
