#pragma once
// `neurocodec sweep PLAN.json --out DIR`: runs the plan's jobs (or one shard of them) side by
// side in one process, each writing DIR/jobs/<index>.json atomically; jobs whose file exists
// are skipped, so rerunning the same command after a kill (SIGKILL included) completes exactly
// the missing ones.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "select/plan.hpp"

namespace nc::select {

struct SweepOptions {
  std::string plan;         // the plan file
  std::string out;          // DIR
  int jobs = 0;             // jobs side by side; 0: one per core
  int threads_per_job = 1;  // neurocodec's compute threads per job (BLAS: 1 thread per sweep)
  int64_t array_index = 0;  // this process runs shard array_index of array_size
  int64_t array_size = 1;
  bool force = false;  // another plan in DIR: empty jobs/ and start over
  bool quiet = false;
};

struct SweepSummary {
  int64_t n_jobs = 0;  // in the plan
  int64_t in_shard = 0, skipped = 0, ran = 0, diverged = 0, failed = 0;
  int interrupted_by = 0;  // SIGINT/SIGTERM: the jobs in flight wrote nothing
};

// Loads the plan and checks it and its data (one-line InputError before any job runs), then
// records it as DIR/plan.json, refusing a different plan there unless opt.force.
Plan prepare_sweep(const SweepOptions& opt, std::ostream& log);

SweepSummary run_sweep(const SweepOptions& opt, std::ostream& log);

// DIR/jobs/<index>.json
std::string job_path(const std::string& dir, int64_t index);

}  // namespace nc::select
