#include "select/slurm.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::select {
namespace {

// Single-quoted for the shell.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int64_t slurm_array_size(const SlurmOptions& o) {
  return std::max<int64_t>(1, std::min(o.n_jobs, o.shards));
}

std::string write_sbatch(const SlurmOptions& o) {
  const int64_t n = slurm_array_size(o);
  const int64_t m = o.max_parallel > 0 ? std::min(o.max_parallel, n) : n;
  std::filesystem::create_directories(o.out + "/logs");
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# neurocodec sweep: " << o.n_jobs << " jobs in " << n
    << " array tasks (shards). Written by\n"
    << "# `neurocodec sweep --slurm`; resubmitting it runs only the jobs without a result file.\n"
    << "#SBATCH --job-name=neurocodec-sweep\n"
    << "#SBATCH --array=0-" << n - 1 << "%" << m << "\n"
    << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n"
    << "#SBATCH --output=" << o.out << "/logs/%A_%a.out\n";
  if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
  if (!o.time.empty()) s << "#SBATCH --time=" << o.time << "\n";
  // The shard from the task id relative to the array's first, so a resubmission of some ids
  // (--array=3,5) still maps each to its own shard.
  s << "exec " << quoted(o.executable) << " sweep " << quoted(o.plan) << " --out " << quoted(o.out)
    << " --array-index $((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN)) --array-size " << n
    << " --jobs " << o.cpus_per_task << " --threads-per-job 1\n";
  const std::string path = o.out + "/sweep.sbatch";
  write_file_atomic(path, s.str());
  std::filesystem::permissions(path, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  return path;
}

std::string submit_sbatch(const std::string& script) {
  const std::string cmd = "sbatch --parsable " + quoted(script) + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw IoError("sbatch: cannot run it");
  std::string out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int rc = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (rc != 0 || out.empty()) throw IoError("sbatch failed (is Slurm available?): " + out);
  return out.substr(0, out.find(';'));  // --parsable: "jobid[;cluster]"
}

}  // namespace nc::select
