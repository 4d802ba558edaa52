#pragma once
// Sweeps on a cluster through Slurm job arrays: DIR/sweep.sbatch is an array of N tasks, task t
// running shard t (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) of N with this executable; each
// task writes its jobs' files into DIR, and `sweep collect DIR` merges them afterwards.
#include <cstdint>
#include <string>

namespace nc::select {

struct SlurmOptions {
  std::string executable;       // absolute path of neurocodec
  std::string plan, out;        // made absolute by the caller
  int64_t n_jobs = 0;           // in the plan
  int64_t shards = 64;          // N = min(n_jobs, shards)
  int64_t max_parallel = 0;     // M in --array=0-(N-1)%M; 0: N
  int cpus_per_task = 1;        // also the task's --jobs (one compute thread per job)
  std::string partition, time;  // optional
};

// The array's size for these options.
int64_t slurm_array_size(const SlurmOptions& o);

// Writes DIR/sweep.sbatch (atomically) and returns its path.
std::string write_sbatch(const SlurmOptions& o);

// `sbatch --parsable SCRIPT`; returns the job id. Throws IoError with sbatch's message.
std::string submit_sbatch(const std::string& script);

}  // namespace nc::select
