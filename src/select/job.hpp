#pragma once
// One sweep job: the command's fit with the job's options on its data, seed and fold, and the
// record that DIR/jobs/<index>.json holds. A job's result depends only on its own options, data
// and thread count: the data and Gram it shares with other jobs are the same bits whoever
// computed them.
#include <nlohmann/json.hpp>

#include "select/plan.hpp"
#include "select/shared_data.hpp"

namespace nc::select {

struct JobResult {
  nlohmann::json record;  // index, command, data, grid, seed, fold, options, metrics, curves
  bool diverged = false;
  bool interrupted = false;  // SIGINT/SIGTERM stopped the fit: nothing to write
};

JobResult run_job(const Plan& plan, const Job& job, SharedData& shared);

// Record fields that differ between identical runs (wall times, memory): what comparisons of
// results leave out.
bool is_volatile_field(const std::string& key);

}  // namespace nc::select
