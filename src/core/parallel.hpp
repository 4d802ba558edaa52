#pragma once
// A minimal parallel-for over an index range, for work whose result does not depend on how the
// range is divided (each index writes only its own output), so results are the same for every
// thread count.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace nc {

// Number of worker threads neurocodec uses: NEUROCODEC_THREADS if set, else the core count.
int thread_count();

// Whether this thread is one of parallel_for's workers: a parallel_for inside one runs its
// range on that thread (no threads of threads, which the cores cannot run anyway).
inline thread_local bool in_parallel_worker = false;

// f(i) for i in [begin, end), on up to thread_count() threads. An exception thrown by f
// (a file cut while it is read, memory) ends that worker's share; the first one is rethrown
// here once every worker has stopped, as if the loop had run on this thread.
template <class F>
void parallel_for(int64_t begin, int64_t end, F&& f) {
  const int64_t n = end - begin;
  const int64_t workers =
      in_parallel_worker ? 1 : std::min<int64_t>(thread_count(), std::max<int64_t>(n, 1));
  if (workers <= 1) {
    for (int64_t i = begin; i < end; ++i) f(i);
    return;
  }
  std::vector<std::thread> pool;
  std::exception_ptr error;
  std::mutex error_mutex;
  const int64_t chunk = (n + workers - 1) / workers;
  for (int64_t w = 0; w < workers; ++w) {
    const int64_t lo = begin + w * chunk, hi = std::min(end, lo + chunk);
    if (lo >= hi) break;
    pool.emplace_back([lo, hi, &f, &error, &error_mutex] {
      in_parallel_worker = true;
      try {
        for (int64_t i = lo; i < hi; ++i) f(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace nc
