// The memory refusal (runs/memory_budget.hpp): a fit whose estimated allocations exceed the
// budget stops before it starts, with a one-line error that gives the estimate and what to
// do, a non-zero exit and no output folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "runs/memory_budget.hpp"

namespace nc {
namespace {

using testing::fresh_dir;
using testing::run_cli;

struct Budget {
  explicit Budget(const char* v) { ::setenv("NEUROCODEC_MEMORY_BUDGET", v, 1); }
  ~Budget() { ::unsetenv("NEUROCODEC_MEMORY_BUDGET"); }
};

TEST(MemoryBudget, EstimatesGrowWithTheDataAndTheDualFormNeedsNoRowCopies) {
  using train::DecoderAlgorithm;
  const uint64_t fused =
      runs::estimate_decoder_bytes(2400, 1600, 1000000, 20, 20, DecoderAlgorithm::fused);
  const uint64_t dual =
      runs::estimate_decoder_bytes(2400, 1600, 1000000, 20, 20, DecoderAlgorithm::dual);
  EXPECT_GT(fused, uint64_t{16000000000});  // the 4000 x 1M rows, gathered
  EXPECT_LT(dual, uint64_t{3} << 30);       // weights, Gram blocks and buffers only
  EXPECT_LT(runs::estimate_decoder_bytes(216, 144, 23589, 20, 20, DecoderAlgorithm::dual),
            runs::estimate_decoder_bytes(216, 144, 100000, 20, 20, DecoderAlgorithm::dual));
  EXPECT_GT(runs::estimate_encoder_bytes(60, 400000, 6 * 12 * 16),
            runs::estimate_encoder_bytes(60, 23589, 6 * 12 * 16));
}

TEST(MemoryBudget, BudgetComesFromTheEnvironmentWithUnits) {
  {
    const Budget b("64M");
    EXPECT_EQ(runs::memory_budget(), uint64_t{64} << 20);
  }
  {
    const Budget b("1.5G");
    EXPECT_EQ(runs::memory_budget(), uint64_t{3} << 29);
  }
  const Budget b("lots");
  EXPECT_THROW(runs::memory_budget(), InputError);
  EXPECT_THROW(runs::check_memory(1, "decode", "advice"), InputError);
}

TEST(MemoryBudget, RunsOverTheBudgetAreRefusedBeforeStartingAndLeaveNothing) {
  const std::string dir = fresh_dir("budget");
  ASSERT_EQ(run_cli("simulate --neurons 3000 --out " + dir + "/sim.npz").status, 0);
  ASSERT_EQ(run_cli("simulate --neurons 3000 --split --out " + dir + "/split.npz").status, 0);
  const std::string common = " --quiet --no-plots --iters 3 --out " + dir + "/out";
  {
    const Budget b("1M");
    for (const std::string& cmd : {"decode --data " + dir + "/sim.npz" + common,
                                   "decode --data " + dir + "/sim.npz --l1 1e-4" + common,
                                   "encode --data " + dir + "/split.npz" + common}) {
      const auto r = run_cli(cmd);
      EXPECT_EQ(r.status, 1) << cmd;
      EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
      EXPECT_NE(r.err.find("needs about"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("1 MB are available (NEUROCODEC_MEMORY_BUDGET)"), std::string::npos)
          << r.err;
      EXPECT_FALSE(std::filesystem::exists(dir + "/out")) << cmd;
    }
  }
  const Budget b("4G");
  EXPECT_EQ(run_cli("decode --data " + dir + "/sim.npz" + common).status, 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/out/metrics.json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc
