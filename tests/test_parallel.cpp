// core/parallel.hpp: every index once, an exception thrown in a worker reaches the caller, and a
// parallel_for inside a worker runs on that worker.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/parallel.hpp"

namespace nc {
namespace {

struct TwoThreads {  // parallel_for splits only with more than one thread
  TwoThreads() { setenv("NEUROCODEC_THREADS", "2", 1); }
  ~TwoThreads() { unsetenv("NEUROCODEC_THREADS"); }
};

TEST(ParallelFor, VisitsEveryIndexOnce) {
  const TwoThreads two;
  std::vector<std::atomic<int>> seen(101);
  parallel_for(0, 101, [&](int64_t i) { ++seen[static_cast<size_t>(i)]; });
  for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(ParallelFor, AWorkersExceptionReachesTheCaller) {
  const TwoThreads two;
  std::atomic<int> done{0};
  EXPECT_THROW(parallel_for(0, 8,
                            [&](int64_t i) {
                              if (i == 6) throw std::runtime_error("file cut");
                              ++done;
                            }),
               std::runtime_error);
  EXPECT_GE(done.load(), 4);  // the other worker's share ran to its end
}

TEST(ParallelFor, NestedLoopsRunOnTheWorker) {
  const TwoThreads two;
  std::vector<std::thread::id> outer(2), inner(8);
  parallel_for(0, 2, [&](int64_t w) {
    outer[static_cast<size_t>(w)] = std::this_thread::get_id();
    parallel_for(0, 4, [&](int64_t i) {
      inner[static_cast<size_t>(4 * w + i)] = std::this_thread::get_id();
    });
  });
  EXPECT_NE(outer[0], outer[1]);
  for (size_t i = 0; i < inner.size(); ++i) EXPECT_EQ(inner[i], outer[i / 4]) << i;
}

}  // namespace
}  // namespace nc
