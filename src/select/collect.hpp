#pragma once
// `neurocodec sweep collect DIR`: merges a sweep's job files into results.csv (one row per job),
// summary.csv (per dataset and grid point: mean, standard error and n of each metric over seeds
// x folds), best.json (per dataset, the best grid point by one metric in its direction) and
// index.html (the metric against each grid axis with error bars, a heat map for two axes).
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "select/plan.hpp"

namespace nc::select {

struct CollectOptions {
  std::string dir;
  std::string select;          // metric for best.json; empty: the command's default
  bool allow_partial = false;  // the CLI's exit status only
};

// The jobs' records as read back: records[i] is null for a missing or unreadable job file.
struct CollectedJobs {
  Plan plan;
  std::vector<Job> jobs;
  std::vector<nlohmann::json> records;
  std::vector<int64_t> missing;
};
CollectedJobs read_jobs(const std::string& dir);

// The scalar metrics of the plan's command, in table order.
std::vector<std::string> collect_metrics(const Plan& plan);
// --select's default: fraction_correct (classifier), test_mse (regression), median_test_corr.
std::string default_select(const CollectedJobs& c);
// Whether a larger value of the metric is better (not for losses and errors).
bool higher_is_better(const std::string& metric);

// Writes the four outputs; returns how many jobs are missing or unreadable (listed in `log`).
int64_t collect_sweep(const CollectOptions& opt, std::ostream& log);

}  // namespace nc::select
