// `neurocodec sweep PLAN.json --out DIR ...` and `neurocodec sweep collect DIR ...`
// (select/sweep_run.hpp, select/slurm.hpp, select/collect.hpp).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "select/collect.hpp"
#include "select/slurm.hpp"
#include "select/sweep_run.hpp"

namespace nc::cli {
namespace {

struct SweepState {
  select::SweepOptions opt;
  std::optional<int64_t> array_index, array_size;
  bool list = false, slurm = false, dry_run = false;
  select::SlurmOptions slurm_opt;
  select::CollectOptions collect;
};

std::optional<int64_t> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::strtoll(v, nullptr, 10);
}

// --array-index/--array-size, else the Slurm array task's own (ID - MIN of COUNT, or of
// MAX - MIN + 1). Returns an error message for a usage error, empty when fine.
std::string resolve_shard(SweepState& s) {
  if (s.array_index.has_value() != s.array_size.has_value())
    return "--array-index and --array-size: give both or neither";
  if (!s.array_index && env_int("SLURM_ARRAY_TASK_ID")) {
    const int64_t min = env_int("SLURM_ARRAY_TASK_MIN").value_or(0);
    s.array_index = *env_int("SLURM_ARRAY_TASK_ID") - min;
    s.array_size = env_int("SLURM_ARRAY_TASK_COUNT")
                       .value_or(env_int("SLURM_ARRAY_TASK_MAX").value_or(min) - min + 1);
  }
  s.opt.array_index = s.array_index.value_or(0);
  s.opt.array_size = s.array_size.value_or(1);
  if (s.opt.array_size < 1)
    return "--array-size: expected at least 1, got " + std::to_string(s.opt.array_size);
  if (s.opt.array_index < 0 || s.opt.array_index >= s.opt.array_size)
    return "--array-index: expected 0 <= index < --array-size (" +
           std::to_string(s.opt.array_size) + "), got " + std::to_string(s.opt.array_index);
  return "";
}

int usage_error(const std::string& msg) {
  std::cerr << "error: " << msg << std::endl;
  return 2;
}

int submit(SweepState& s) {
  const select::Plan plan = select::prepare_sweep(s.opt, std::cout);
  auto& so = s.slurm_opt;
  so.executable = std::filesystem::read_symlink("/proc/self/exe").string();
  so.plan = std::filesystem::absolute(s.opt.plan).string();
  so.out = std::filesystem::absolute(s.opt.out).string();
  so.n_jobs = static_cast<int64_t>(select::plan_jobs(plan).size());
  const std::string script = select::write_sbatch(so);
  if (s.dry_run) {
    std::cout << "wrote " << script << " (" << select::slurm_array_size(so)
              << " array tasks); not submitted (--dry-run)\n";
    return 0;
  }
  const std::string id = select::submit_sbatch(script);
  std::cout << "submitted Slurm job " << id << ": " << so.n_jobs << " jobs in "
            << select::slurm_array_size(so)
            << " array tasks\nwhen it is done: neurocodec sweep collect " << so.out << "\n";
  return 0;
}

int run(SweepState& s) {
  if (s.opt.plan.empty()) return usage_error("sweep: expected PLAN.json (or: sweep collect DIR)");
  if (s.list) {
    const select::Plan plan = select::load_plan(s.opt.plan);
    for (const auto& job : select::plan_jobs(plan))
      std::cout << select::job_line(plan, job) << "\n";
    return 0;
  }
  if (s.opt.out.empty()) return usage_error("sweep: --out DIR is required");
  if (s.slurm) return submit(s);
  if (const std::string err = resolve_shard(s); !err.empty()) return usage_error(err);
  const select::SweepSummary r = select::run_sweep(s.opt, std::cout);
  if (r.interrupted_by != 0) return 128 + r.interrupted_by;
  std::cout << "sweep: ran " << r.ran << " of " << r.in_shard << " jobs in this shard ("
            << r.skipped << " were done already), " << r.diverged << " diverged, " << r.failed
            << " failed\n";
  if (r.failed > 0) return 1;
  return r.diverged > 0 ? 3 : 0;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto s = std::make_shared<SweepState>();
  auto* c = app.add_subcommand(
      "sweep",
      "run a sweep plan's jobs (here, or as a Slurm job array); `sweep collect DIR` merges them");
  c->require_subcommand(0, 1);
  c->add_option("plan", s->opt.plan, "PLAN.json: command, data, options, grid, seeds, folds");
  c->add_option("--out", s->opt.out, "the sweep's folder: plan.json, jobs/<index>.json");
  c->add_flag("--list", s->list, "print the job list (index first) and nothing else");
  c->add_option("--jobs", s->opt.jobs, "jobs side by side (default: one per core)");
  c->add_option("--threads-per-job", s->opt.threads_per_job,
                "compute threads per job (OpenBLAS runs at 1 thread for the whole sweep)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  c->add_option("--array-index", s->array_index,
                "run shard I of --array-size (default: the Slurm array task's)");
  c->add_option("--array-size", s->array_size, "number of shards");
  c->add_flag("--force", s->opt.force, "DIR holds another plan: empty its jobs/ and start over");
  c->add_flag("--quiet", s->opt.quiet, "no progress lines");
  c->add_flag("--slurm", s->slurm,
              "write DIR/sweep.sbatch (a job array over shards) and submit it with sbatch");
  c->add_option("--partition", s->slurm_opt.partition, "Slurm partition");
  c->add_option("--time", s->slurm_opt.time, "Slurm time limit per array task");
  c->add_option("--max-parallel", s->slurm_opt.max_parallel, "array tasks at once (default: all)");
  c->add_option("--cpus-per-task", s->slurm_opt.cpus_per_task,
                "CPUs per array task (its jobs side by side)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  c->add_option("--shards", s->slurm_opt.shards, "array tasks: min(jobs, this)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  c->add_flag("--dry-run", s->dry_run, "with --slurm: write the script, do not submit");
  auto* col = c->add_subcommand(
      "collect", "merge a sweep's job files: results.csv, summary.csv, best.json, index.html");
  col->add_option("dir", s->collect.dir, "the sweep's --out folder")->required();
  col->add_option("--select", s->collect.select,
                  "metric for best.json (default by command and model)");
  col->add_flag("--allow-partial", s->collect.allow_partial, "exit 0 even when jobs are missing");
  return {c, [s, col] {
            if (col->parsed())
              return select::collect_sweep(s->collect, std::cout) > 0 && !s->collect.allow_partial
                         ? 1
                         : 0;
            return run(*s);
          }};
}

}  // namespace nc::cli
