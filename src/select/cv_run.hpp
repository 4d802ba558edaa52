#pragma once
// `neurocodec decode --folds K [--repeats R]`: K-fold cross-validation of a decoder, repeated R
// times with new fold assignments. Every fold trains with the run's options from the same
// initial weights (Rng(derive_seed(seed, "init"))) and the folds of all repeats share one Gram
// matrix of the data. Writes cv.json (per fold), cv.png and metrics.json (last) into opt.out.
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "runs/decode_run.hpp"

namespace nc::select {

struct CrossValidationResult {
  nlohmann::json cv;       // what cv.json holds: {"folds": [...], "options": ...}
  nlohmann::json metrics;  // what metrics.json holds
  int n_diverged = 0;      // folds whose training diverged
  int interrupted_by =
      0;  // SIGINT/SIGTERM stopped the run between or inside folds (nothing written)
};

CrossValidationResult run_cross_validation(const runs::DecodeOptions& opt, std::ostream& log);

// metrics.json from the per-fold records of cv.json: for each scalar metric m, m_mean, m_se
// (standard error over folds x repeats, ddof 1) and m_folds; the mean test-loss curve with its
// standard error, and the iteration (1-based) that minimises it.
nlohmann::json cv_summary(const nlohmann::json& folds);

// The scalar metrics a fold (or a sweep job) reports, for summaries.
const std::vector<std::string>& decode_scalar_metrics();

}  // namespace nc::select
