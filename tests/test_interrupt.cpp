// Runs killed or interrupted at random moments: no partial file under a final name, a present
// metrics.json means a complete run, SIGINT/SIGTERM write a checkpoint and exit 130/143, and a
// resumed run ends bit-identical to an uninterrupted one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "cli_helpers.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"

namespace nc {
namespace {

namespace fs = std::filesystem;

// Starts the CLI with `args` (split on spaces), stdout/stderr to files in `dir`.
pid_t spawn(const std::string& args, const std::string& dir) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<std::string> parts{NC_CLI_PATH};
    std::istringstream in(args);
    for (std::string a; in >> a;) parts.push_back(a);
    std::vector<char*> argv;
    for (auto& p : parts) argv.push_back(p.data());
    argv.push_back(nullptr);
    freopen((dir + "/stdout").c_str(), "w", stdout);
    freopen((dir + "/stderr").c_str(), "w", stderr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// A data set big enough that a run lasts a second or so.
const std::string& medium_data() {
  static const std::string path = [] {
    const std::string dir = testing::fresh_dir("medium");
    const auto r =
        testing::run_cli("simulate --neurons 3000 --trials 2000 --out " + dir + "/data.npz");
    EXPECT_EQ(r.status, 0) << r.err;
    return dir + "/data.npz";
  }();
  return path;
}

void expect_only_complete_files(const std::string& out) {
  if (!fs::exists(out)) return;
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (name[0] == '.') continue;  // a temporary name, never a final one
    if (e.path().extension() == ".npz") {
      EXPECT_NO_THROW(io::read_npz(e.path().string())) << name;
    }
    if (name == "metrics.json") {
      const auto m = testing::read_json(e.path().string());
      EXPECT_TRUE(m.contains("train_loss"));
      EXPECT_TRUE(fs::exists(out + "/model.npz"));  // metrics.json is written last
      EXPECT_TRUE(fs::exists(out + "/analysis.npz"));
    }
  }
}

TEST(Interrupt, KilledAtRandomMomentsLeavesNoPartialFile) {
  std::mt19937 gen(1234);
  std::uniform_int_distribution<int> delay_ms(0, 1500);
  for (int trial = 0; trial < 8; ++trial) {
    const std::string dir = testing::fresh_dir("kill");
    const std::string out = dir + "/run";
    const pid_t pid = spawn("decode --data " + medium_data() +
                                " --l1 1e-4 --iters 400 --checkpoint-every 40 --out " + out,
                            dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(gen)));
    kill(pid, SIGKILL);
    wait_status(pid);
    expect_only_complete_files(out);
    // the next run into the same folder clears the leftovers and completes
    if (trial == 0) {
      const auto r = testing::run_cli("decode --data " + medium_data() +
                                      " --iters 5 --quiet --no-plots --out " + out);
      EXPECT_EQ(r.status, 0) << r.err;
      for (const auto& e : fs::directory_iterator(out))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos);
    }
    fs::remove_all(dir);
  }
}

// A small split-format file for the encoder's runs.
const std::string& medium_split() {
  static const std::string path = [] {
    const std::string dir = testing::fresh_dir("medium_split");
    EXPECT_EQ(
        testing::run_cli("simulate --split --neurons 3000 --trials 2000 --out " + dir + "/s.npz")
            .status,
        0);
    return dir + "/s.npz";
  }();
  return path;
}

// Stopped at a chosen iteration by the test hook (NEUROCODEC_TEST_INTERRUPT_AT: as if SIGINT
// arrived right after it), then resumed: the run ends bit-identical to an uninterrupted one.
// No timing is involved, so the check always runs.
class StopAndResume : public ::testing::TestWithParam<std::string> {};

TEST_P(StopAndResume, IsBitIdentical) {
  const std::string& form = GetParam();
  const std::string opts =
      form == "encode"  ? "encode --data " + medium_split() + " --iters 30 --lr 1 --no-plots"
      : form == "fused" ? "decode --data " + medium_data() + " --l1 1e-4 --iters 60 --no-plots"
                        : "decode --data " + medium_data() + " --iters 60 --no-plots";
  const std::string dir = testing::fresh_dir("stop_resume");
  ASSERT_EQ(testing::run_cli(opts + " --quiet --out " + dir + "/full").status, 0);
  setenv("NEUROCODEC_TEST_INTERRUPT_AT", "17", 1);
  const auto stopped = testing::run_cli(opts + " --quiet --out " + dir + "/part");
  unsetenv("NEUROCODEC_TEST_INTERRUPT_AT");
  ASSERT_EQ(stopped.status, 130) << stopped.err;
  ASSERT_TRUE(fs::exists(dir + "/part/checkpoint.npz"));
  EXPECT_FALSE(fs::exists(dir + "/part/metrics.json"));
  const auto r = testing::run_cli(opts + " --resume " + dir + "/part --out " + dir + "/part");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("at iteration 17"), std::string::npos) << r.out;
  const auto a = testing::read_json(dir + "/full/metrics.json"),
             b = testing::read_json(dir + "/part/metrics.json");
  EXPECT_EQ(a["train_loss"], b["train_loss"]);
  EXPECT_EQ(a["test_loss"], b["test_loss"]);
  const auto ma = io::read_npz(dir + "/full/model.npz"), mb = io::read_npz(dir + "/part/model.npz");
  for (const auto& [k, v] : ma) EXPECT_EQ(v.data, mb.at(k).data) << k;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Forms, StopAndResume, ::testing::Values("dual", "fused", "encode"));

// A real signal: the run is far too long to finish first, so the signal always lands mid-run;
// it writes a checkpoint of the iterations done and exits 128 + signal.
class Signals : public ::testing::TestWithParam<std::tuple<int, std::string>> {};

TEST_P(Signals, WriteACheckpointAndExit) {
  const auto [sig, command] = GetParam();
  const std::string opts =
      command == "encode"
          ? "encode --data " + medium_split() + " --iters 1000000 --lr 1 --no-plots"
          : "decode --data " + medium_data() + " --l1 1e-4 --iters 1000000 --no-plots";
  const std::string dir = testing::fresh_dir("sig");
  const pid_t pid = spawn(opts + " --out " + dir + "/part", dir);
  for (int i = 0;
       i < 1000 && testing::slurp(dir + "/stdout").find("iteration") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, sig);
  EXPECT_EQ(wait_status(pid), 128 + sig) << testing::slurp(dir + "/stderr");
  ASSERT_TRUE(fs::exists(dir + "/part/checkpoint.npz"));
  EXPECT_FALSE(fs::exists(dir + "/part/metrics.json"));
  EXPECT_NE(testing::slurp(dir + "/stdout").find("continue with --resume"), std::string::npos);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Runs, Signals,
                         ::testing::Values(std::make_tuple(SIGTERM, std::string("decode")),
                                           std::make_tuple(SIGINT, std::string("encode"))));

TEST(Resume, RefusesOtherOptions) {
  const std::string dir = testing::fresh_dir("resume_opts");
  ASSERT_EQ(testing::run_cli("decode --data " + testing::golden("decoder_data.npz") +
                             " --iters 20 --checkpoint-every 5 --quiet --no-plots --out " + dir)
                .status,
            0);
  ASSERT_TRUE(fs::exists(dir + "/checkpoint.npz"));
  const auto r = testing::run_cli("decode --data " + testing::golden("decoder_data.npz") +
                                  " --iters 20 --lr 0.5 --quiet --no-plots --resume " + dir +
                                  " --out " + dir + "/b");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nc
