#include "select/sweep_run.hpp"

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/blas_threads.hpp"
#include "core/error.hpp"
#include "core/format.hpp"
#include "core/interrupt.hpp"
#include "io/json.hpp"
#include "runs/output_dir.hpp"
#include "select/folds.hpp"
#include "select/job.hpp"
#include "select/stats.hpp"

namespace fs = std::filesystem;

namespace nc::select {
namespace {

// The data files load (and, with folds, every class has enough stimuli) before any job runs:
// all of them when `all` (a submission, or a run of the whole plan), else the shard's only (an
// array task: the submission checked the others, and a task should load few datasets). The
// shard's datasets stay in `shared` for its jobs; the others are dropped one by one.
void check_data(const Plan& plan, const std::set<size_t>& shard_data, bool all,
                SharedData& shared) {
  auto dropped = std::make_unique<SharedData>();
  size_t dropped_data = 0;
  for (const Job& job : plan_jobs(plan)) {
    if (job.seed != plan.seeds[0] || job.fold > 0) continue;  // one check per data and grid point
    const bool in_shard = shard_data.count(job.data) != 0;
    if (!in_shard && !all) continue;
    if (!in_shard && job.data != dropped_data) {  // jobs come in data order
      dropped = std::make_unique<SharedData>();
      dropped_data = job.data;
    }
    SharedData& where = in_shard ? shared : *dropped;
    if (plan.command == PlanCommand::encode) {
      where.encode_data(plan.data[job.data]);
      continue;
    }
    const runs::DecodeOptions o = job_decode_options(plan, job);
    const data::Dataset& ds = where.decode_data(o.data, o.bin_width);
    if (plan.folds == 0) continue;
    const bool cls = o.model == models::DecoderKind::classification;
    const std::vector<int32_t> classes =
        cls ? data::stimulus_classes(ds.stimuli, o.classes) : std::vector<int32_t>{};
    check_folds(ds.n_stimuli(), plan.folds, cls ? &classes : nullptr,
                "plan key folds (data " + data_name(plan, job.data) + ")");
  }
}

void record_plan(const Plan& plan, const SweepOptions& opt) {
  const std::string path = opt.out + "/plan.json";
  if (fs::exists(path)) {
    std::ifstream f(path);
    nlohmann::json old;
    try {
      old = nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception&) {
      old = nullptr;  // unreadable: treated as another plan
    }
    if (old.dump() == canonical(plan) && !opt.force) return;
    if (!opt.force)
      throw InputError(
          path +
          ": DIR holds the results of another plan (use another --out, or --force to start over)");
  }
  if (opt.force) fs::remove_all(opt.out + "/jobs");
  io::write_json(path, plan.parsed);
}

// The test hook NEUROCODEC_TEST_JOB_SLEEP=seconds: each job sleeps that long before writing its
// result, so that a test can be sure a task is running when it cancels it.
bool test_sleep() {
  const char* env = std::getenv("NEUROCODEC_TEST_JOB_SLEEP");
  if (env == nullptr) return true;
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(std::atof(env));
  while (std::chrono::steady_clock::now() < until) {
    if (interrupt_signal() != 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string job_summary(const nlohmann::json& r) {
  for (const char* m : {"fraction_correct", "test_mse", "median_test_corr"})
    if (r.contains(m)) return std::string(m) + " " + format_number("%.4g", number_or_nan(r, m));
  return "";
}

// Every job allocates and frees its fold's rows (tens of MB): glibc would map and unmap them
// each time, and the page faults on the fresh mapping cost as much as copying the rows. Kept
// in the heap instead, the next job reuses the pages already faulted in.
// (glibc's largest mmap threshold is 32 MiB: larger blocks are mapped anyway.)
void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace

std::string job_path(const std::string& dir, int64_t index) {
  return dir + "/jobs/" + std::to_string(index) + ".json";
}

Plan prepare_sweep(const SweepOptions& opt, std::ostream& /*log*/) {
  const Plan plan = load_plan(opt.plan);
  SharedData shared;
  check_data(plan, {}, true, shared);
  runs::prepare_output_dir(opt.out);
  record_plan(plan, opt);
  return plan;
}

SweepSummary run_sweep(const SweepOptions& opt, std::ostream& log) {
  if (opt.array_size < 1 || opt.array_index < 0 || opt.array_index >= opt.array_size)
    throw InputError("--array-index: expected 0 <= index < --array-size");
  const Plan plan = load_plan(opt.plan);
  const std::vector<Job> all = plan_jobs(plan);
  const auto [lo, hi] =
      shard_range(static_cast<int64_t>(all.size()), opt.array_index, opt.array_size);
  std::set<size_t> shard_data;
  for (int64_t i = lo; i < hi; ++i) shard_data.insert(all[static_cast<size_t>(i)].data);
  SharedData shared;
  check_data(plan, shard_data, opt.array_size == 1, shared);
  runs::prepare_output_dir(opt.out);
  record_plan(plan, opt);
  fs::create_directories(opt.out + "/jobs");

  SweepSummary s;
  s.n_jobs = static_cast<int64_t>(all.size());
  s.in_shard = hi - lo;
  std::vector<Job> pending;
  for (int64_t i = lo; i < hi; ++i)
    if (fs::exists(job_path(opt.out, i)))
      ++s.skipped;
    else
      pending.push_back(all[static_cast<size_t>(i)]);

  // OpenBLAS's thread count is process-global: jobs side by side cannot each have their own,
  // and one job's change (the dual form's single-thread guard) would reach its neighbours. So
  // BLAS runs at 1 thread for the whole sweep whatever --jobs is, and --threads-per-job sets
  // neurocodec's own kernels' threads: a job's bits depend on its options, data and T only.
  openblas_set_num_threads(1);
  keep_freed_memory();
  ::setenv("NEUROCODEC_THREADS", std::to_string(opt.threads_per_job).c_str(), 1);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int workers =
      std::max(1, std::min<int>(opt.jobs > 0 ? opt.jobs : cores, static_cast<int>(pending.size())));
  if (!opt.quiet)
    log << "sweep: " << s.n_jobs << " jobs; shard " << opt.array_index << "/" << opt.array_size
        << " holds " << s.in_shard << " (" << s.skipped << " done already), running "
        << pending.size() << " with " << workers << " side by side\n";

  std::atomic<size_t> next{0};
  std::atomic<int64_t> ran{0}, diverged{0}, failed{0};
  std::mutex log_mutex;
  auto worker = [&] {
    for (size_t k; (k = next++) < pending.size() && interrupt_signal() == 0;) {
      const Job& job = pending[k];
      try {
        JobResult r = run_job(plan, job, shared);
        if (r.interrupted || !test_sleep()) break;
        io::write_json(job_path(opt.out, job.index),
                       r.record);  // atomic: a kill leaves no partial file
        ++ran;
        diverged += r.diverged ? 1 : 0;
        const std::lock_guard lock(log_mutex);
        if (!opt.quiet)
          log << "job " << job.index
              << (r.diverged ? " diverged at iteration " +
                                   r.record.value("diverged_at", nlohmann::json(0)).dump()
                             : " done")
              << ": " << job_summary(r.record) << "\n"
              << std::flush;
      } catch (const std::exception& e) {
        ++failed;
        const std::lock_guard lock(log_mutex);
        log << "job " << job.index << ": error: " << e.what() << "\n" << std::flush;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  s.ran = ran;
  s.diverged = diverged;
  s.failed = failed;
  s.interrupted_by = interrupt_signal();
  return s;
}

}  // namespace nc::select
