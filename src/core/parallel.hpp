#pragma once
// A minimal parallel-for over an index range, for work whose result does not depend on how the
// range is divided (each index writes only its own output), so results are the same for every
// thread count.
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace nc {

// Number of worker threads neurocodec uses: NEUROCODEC_THREADS if set, else the core count.
int thread_count();

template <class F>
void parallel_for(int64_t begin, int64_t end, F&& f) {
  const int64_t n = end - begin;
  const int64_t workers = std::min<int64_t>(thread_count(), std::max<int64_t>(n, 1));
  if (workers <= 1) {
    for (int64_t i = begin; i < end; ++i) f(i);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t chunk = (n + workers - 1) / workers;
  for (int64_t w = 0; w < workers; ++w) {
    const int64_t lo = begin + w * chunk, hi = std::min(end, lo + chunk);
    if (lo >= hi) break;
    pool.emplace_back([lo, hi, &f] {
      for (int64_t i = lo; i < hi; ++i) f(i);
    });
  }
  for (auto& t : pool) t.join();
}

}  // namespace nc
