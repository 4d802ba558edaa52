// Cross-validation (decode --folds) and sweeps (neurocodec sweep, sweep collect): folds,
// fold-vs-plain parity, job order, bad plans, resume after SIGKILL, collect's tables.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"
#include "nn/gram.hpp"
#include "runs/fit.hpp"
#include "select/folds.hpp"
#include "select/plan.hpp"
#include "select/stats.hpp"

namespace fs = std::filesystem;
using nc::testing::fresh_dir;
using nc::testing::run_cli;
using nlohmann::json;

namespace {

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

// Small data shared by the tests of this file: 200 neurons, 720 trials in 313 one-degree bins
// (about 16 stimuli per class of 20), written once.
const std::string& small_data() {
  static const std::string path = [] {
    const std::string dir = fresh_dir("sweepdata");
    const auto r = run_cli("simulate --neurons 200 --trials 720 --out " + dir + "/x.npz");
    EXPECT_EQ(r.status, 0) << r.err;
    return dir + "/x.npz";
  }();
  return path;
}

std::string write_plan(const std::string& dir, const json& plan) {
  const std::string p = dir + "/plan.json";
  std::ofstream(p) << plan.dump(2);
  return p;
}

// A job record without the fields that differ between identical runs.
json stable(json r) {
  for (const char* k : {"seconds", "job_seconds", "peak_rss_bytes"}) r.erase(k);
  return r;
}

json small_plan() {
  return {{"command", "decode"},
          {"data", {small_data()}},
          {"options", {{"iters", 20}, {"hidden", 8}}},
          {"grid", {{"l2", {0.0, 0.01}}, {"lr", {0.1, 0.05}}}},
          {"seeds", {1, 2}},
          {"folds", 3}};
}

}  // namespace

TEST(CrossValFolds, StratifiedDisjointAndComplete) {
  std::vector<int32_t> classes;
  for (int i = 0; i < 103; ++i) classes.push_back(i % 7 == 0 ? 3 : i % 4);  // unequal classes
  nc::Rng rng = nc::select::folds_rng(5);
  const auto splits = nc::select::kfold_splits(103, 4, &classes, rng);
  ASSERT_EQ(splits.size(), 4u);
  std::set<int64_t> seen;
  for (const auto& s : splits) {
    EXPECT_EQ(s.train_idx.size() + s.test_idx.size(), 103u);
    for (const int64_t i : s.test_idx)
      EXPECT_TRUE(seen.insert(i).second) << "row " << i << " in two test folds";
    EXPECT_TRUE(std::is_sorted(s.test_idx.begin(), s.test_idx.end()));
    for (const int64_t i : s.train_idx)
      EXPECT_FALSE(std::binary_search(s.test_idx.begin(), s.test_idx.end(), i));
  }
  EXPECT_EQ(seen.size(), 103u);
  for (int c = 0; c < 4; ++c) {  // each class's share differs by at most one row between folds
    std::vector<int> n;
    for (const auto& s : splits)
      n.push_back(static_cast<int>(std::count_if(s.test_idx.begin(), s.test_idx.end(),
                                                 [&](int64_t i) { return classes[i] == c; })));
    EXPECT_LE(*std::max_element(n.begin(), n.end()) - *std::min_element(n.begin(), n.end()), 1)
        << "class " << c;
  }
}

TEST(CrossValFolds, DeterministicPerSeedAndChecked) {
  nc::Rng a = nc::select::folds_rng(1), b = nc::select::folds_rng(1), c = nc::select::folds_rng(2);
  const auto sa = nc::select::kfold_splits(50, 5, nullptr, a),
             sb = nc::select::kfold_splits(50, 5, nullptr, b);
  const auto sc = nc::select::kfold_splits(50, 5, nullptr, c);
  EXPECT_EQ(sa[2].test_idx, sb[2].test_idx);
  EXPECT_NE(sa[2].test_idx, sc[2].test_idx);
  const std::vector<int32_t> classes = {0, 0, 0, 1, 1};
  EXPECT_THROW(nc::select::check_folds(5, 3, &classes, "--folds"),
               nc::InputError);  // class 1 has 2
  EXPECT_NO_THROW(nc::select::check_folds(5, 2, &classes, "--folds"));
  EXPECT_THROW(nc::select::check_folds(5, 1, nullptr, "--folds"), nc::InputError);
}

TEST(CrossValCli, BadFoldsValues) {
  const std::string d = small_data(), out = fresh_dir("cvbad");
  for (const std::string args : {"--folds 1", "--folds 0", "--folds 3 --split s.npz",
                                 "--folds 3 --train-fraction 0.5", "--repeats 2", "--folds x"}) {
    const auto r = run_cli("decode --data " + d + " --quiet --out " + out + "/o " + args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(nc::testing::count_lines(r.err), 1) << args << ": " << r.err;
  }
  // 360 stimuli in 20 classes: 18 per class, so 19 folds cannot be stratified.
  const auto r =
      run_cli("decode --data " + d + " --quiet --iters 2 --out " + out + "/o --folds 19");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("--folds"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("class"), std::string::npos) << r.err;
  EXPECT_EQ(nc::testing::count_lines(r.err), 1);
  EXPECT_FALSE(fs::exists(out + "/o/metrics.json"));
}

// A fold of decode --folds gives the numbers of a plain decode given that fold as --split (and
// the same initial weights), within DESIGN.md's strict parity rule at every iteration: the
// folds take their Gram blocks from one shared Gram, which changes the order of float sums.
TEST(CrossValCli, FoldEqualsPlainDecodeWithThatSplit) {
  const std::string d = small_data(), dir = fresh_dir("cvparity");
  ASSERT_EQ(
      run_cli("decode --data " + d + " --quiet --iters 1 --no-plots --out " + dir + "/init").status,
      0);
  const std::string common =
      " --data " + d + " --quiet --iters 60 --l2 0.001 --init " + dir + "/init/model.npz";
  auto r = run_cli("decode" + common + " --folds 3 --seed 7 --out " + dir + "/cv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/cv/model.npz"));
  EXPECT_TRUE(fs::exists(dir + "/cv/cv.png"));
  const json cv = read_json(dir + "/cv/cv.json"), m = read_json(dir + "/cv/metrics.json");
  ASSERT_EQ(cv["folds"].size(), 3u);
  ASSERT_EQ(m["fraction_correct_folds"].size(), 3u);
  EXPECT_EQ(m["mean_test_loss"].size(), 60u);
  EXPECT_GE(m["best_iters"].get<int>(), 1);
  EXPECT_TRUE(m.contains("fraction_correct_se") && m.contains("test_mse_mean"));

  const json& fold = cv["folds"][1];
  std::vector<int64_t> test = fold["test_idx"].get<std::vector<int64_t>>(), train;
  for (int64_t i = 0; i < cv["n_stimuli"].get<int64_t>(); ++i)
    if (!std::binary_search(test.begin(), test.end(), i)) train.push_back(i);
  nc::io::NpzContents split;
  split["train_idx"] = nc::io::NpyArray::from_int64(train, {static_cast<int64_t>(train.size())});
  split["test_idx"] = nc::io::NpyArray::from_int64(test, {static_cast<int64_t>(test.size())});
  nc::io::write_npz(dir + "/split.npz", split);
  r = run_cli("decode" + common + " --no-plots --split " + dir + "/split.npz --out " + dir +
              "/plain");
  ASSERT_EQ(r.status, 0) << r.err;
  const json plain = read_json(dir + "/plain/metrics.json");
  for (const char* curve : {"train_loss", "test_loss"}) {
    const auto a = fold[curve].get<std::vector<double>>(),
               b = plain[curve].get<std::vector<double>>();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      ASSERT_LE(std::abs(a[i] - b[i]), 2e-3 * std::abs(b[i]) + 1e-5) << curve << " " << i;
  }
  EXPECT_NEAR(fold["fraction_correct"].get<double>(), plain["fraction_correct"].get<double>(),
              1.0 / static_cast<double>(test.size()) + 1e-9);
}

TEST(SweepPlan, JobOrderAndShards) {
  const json pj = {{"command", "decode"},
                   {"data", {"a.npz", "b.npz"}},
                   {"grid", {{"lr", {0.1, 0.2}}, {"hidden", {5, 6, 7}}}},
                   {"seeds", {3, 4}},
                   {"folds", 2}};
  const nc::select::Plan p = nc::select::parse_plan(pj);
  const auto jobs = nc::select::plan_jobs(p);
  ASSERT_EQ(jobs.size(), 2u * 2 * 3 * 2 * 2);
  // data, then grid keys by name (hidden, lr) with lr fastest, then seeds, then folds.
  EXPECT_EQ(nc::select::job_line(p, jobs[0]), "0 data=a.npz hidden=5 lr=0.1 seed=3 fold=0");
  EXPECT_EQ(nc::select::job_line(p, jobs[1]), "1 data=a.npz hidden=5 lr=0.1 seed=3 fold=1");
  EXPECT_EQ(nc::select::job_line(p, jobs[2]), "2 data=a.npz hidden=5 lr=0.1 seed=4 fold=0");
  EXPECT_EQ(nc::select::job_line(p, jobs[4]), "4 data=a.npz hidden=5 lr=0.2 seed=3 fold=0");
  EXPECT_EQ(nc::select::job_line(p, jobs[8]), "8 data=a.npz hidden=6 lr=0.1 seed=3 fold=0");
  EXPECT_EQ(nc::select::job_line(p, jobs[24]), "24 data=b.npz hidden=5 lr=0.1 seed=3 fold=0");
  int64_t next = 0;
  for (int64_t i = 0; i < 5; ++i) {  // 5 shards tile [0, 48) in order
    const auto [lo, hi] = nc::select::shard_range(48, i, 5);
    EXPECT_EQ(lo, next);
    EXPECT_EQ(hi, (i + 1) * 48 / 5);
    next = hi;
  }
  EXPECT_EQ(next, 48);
  const auto list = run_cli("sweep " + write_plan(fresh_dir("list"), pj) + " --list");
  EXPECT_EQ(list.status, 0) << list.err;
  EXPECT_EQ(nc::testing::count_lines(list.out), 48);
  EXPECT_EQ(list.out.rfind("0 data=a.npz", 0), 0u);
}

TEST(SweepPlan, BadPlansGetOneLineErrorsNamingTheKey) {
  const std::string d = small_data();
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"command", "decode"}, {"colour", 1}}, "colour"},
      {{{"command", "decode"}, {"options", {{"widht", 3}}}}, "widht"},
      {{{"command", "decode"}, {"grid", {{"l2", json::array()}}}}, "grid.l2"},
      {{{"command", "decode"}, {"grid", {{"hidden", {10, "20"}}}}}, "grid.hidden[1]"},
      {{{"command", "decode"}, {"options", {{"iters", 1.5}}}}, "options.iters"},
      {{{"command", "decode"}, {"options", {{"seed", 3}}}}, "options.seed"},
      {{{"command", "decode"}, {"data", {"/nonexistent/rec.npz"}}}, "/nonexistent/rec.npz"},
      {{{"command", "decode"}, {"data", {d}}, {"folds", 1}}, "folds"},
      {{{"command", "decode"}, {"data", {d}}, {"folds", 100}, {"options", {{"iters", 2}}}},
       "folds"},
      {{{"command", "fit"}}, "command"},
      {{{"command", "encode"}, {"options", {{"hidden", 3}}}}, "hidden"},
  };
  for (const auto& [plan, key] : cases) {
    const std::string dir = fresh_dir("badplan");
    const auto r = run_cli("sweep " + write_plan(dir, plan) + " --out " + dir + "/out");
    EXPECT_EQ(r.status, 1) << plan.dump() << ": " << r.err;
    EXPECT_EQ(nc::testing::count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(key), std::string::npos) << "expected '" << key << "' in: " << r.err;
    EXPECT_FALSE(fs::exists(dir + "/out/jobs")) << plan.dump();
  }
  const std::string dir = fresh_dir("badshard");
  const auto r = run_cli("sweep " + write_plan(dir, small_plan()) + " --out " + dir +
                         "/out --array-index 3 --array-size 3");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--array-index"), std::string::npos) << r.err;
}

namespace {

// Runs a sweep in the background (the test hook makes each job wait before writing), SIGKILLs
// it once `at_least` job files exist, and returns how many there were.
size_t sweep_killed_after(const std::string& plan, const std::string& out, size_t at_least) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("NEUROCODEC_TEST_JOB_SLEEP", "0.3", 1);
    const std::string log = out + ".log";
    (void)!::freopen(log.c_str(), "w", stdout);
    ::execl(NC_CLI_PATH, NC_CLI_PATH, "sweep", plan.c_str(), "--out", out.c_str(), "--jobs", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto count = [&] {
    size_t n = 0;
    if (fs::exists(out + "/jobs"))
      for (const auto& e : fs::directory_iterator(out + "/jobs"))
        n += e.path().extension() == ".json" && e.path().filename().string()[0] != '.';
    return n;
  };
  for (int i = 0; i < 600 && count() < at_least; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return count();
}

}  // namespace

// A sweep SIGKILLed mid-way leaves only complete job files; the same command then runs exactly
// the missing jobs, and every result equals an uninterrupted run's (bit for bit, without the
// wall-time and memory fields), whether jobs ran one or two at a time.
TEST(SweepRun, ResumeAfterSigkillRunsOnlyMissingJobsWithIdenticalResults) {
  const std::string dir = fresh_dir("sweepkill");
  const std::string plan = write_plan(dir, small_plan());  // 24 jobs
  const size_t done = sweep_killed_after(plan, dir + "/a", 3);
  ASSERT_GE(done, 3u);
  ASSERT_LT(done, 24u) << "the sweep finished before it was killed";
  for (const auto& e : fs::directory_iterator(dir + "/a/jobs")) {
    if (e.path().filename().string()[0] != '.') {
      EXPECT_NO_THROW(read_json(e.path().string())) << e.path();
    }
  }
  auto r = run_cli("sweep " + plan + " --out " + dir + "/a --jobs 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("ran " + std::to_string(24 - done) + " of 24"), std::string::npos) << r.out;
  r = run_cli("sweep " + plan + " --out " + dir + "/b --jobs 1 --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  for (int i = 0; i < 24; ++i) {
    const std::string name = "/jobs/" + std::to_string(i) + ".json";
    EXPECT_EQ(stable(read_json(dir + "/a" + name)), stable(read_json(dir + "/b" + name)))
        << "job " << i;
  }
  // Running it again does nothing; another plan in the same folder is refused unless --force.
  r = run_cli("sweep " + plan + " --out " + dir + "/a");
  EXPECT_NE(r.out.find("ran 0 of 24"), std::string::npos) << r.out;
  json other = small_plan();
  other["seeds"] = {5};
  const std::string other_dir = fresh_dir("sweepother");
  const std::string other_plan = write_plan(other_dir, other);
  r = run_cli("sweep " + other_plan + " --out " + dir + "/a");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("another plan"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/a/jobs/23.json"));
  r = run_cli("sweep " + other_plan + " --out " + dir + "/a --force --quiet");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/a/jobs/23.json"));  // 12 jobs now
  EXPECT_TRUE(fs::exists(dir + "/a/jobs/11.json"));
}

namespace {

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(f, line);) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string c; std::getline(s, c, ',');) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<size_t>(it - header.begin());
}

}  // namespace

// collect's tables against the job files: one results row per job with its metric, the
// summary's mean/se/n per grid point recomputed from the files, best.json the highest mean,
// and a missing job listed with exit 1 (0 with --allow-partial).
TEST(SweepCollect, TablesMatchTheJobFiles) {
  const std::string dir = fresh_dir("collect");
  json pj = small_plan();
  pj["grid"] = {{"l2", {0.0, 0.1}}, {"hidden", {4, 12}}};
  pj["options"].erase("hidden");
  ASSERT_EQ(run_cli("sweep " + write_plan(dir, pj) + " --out " + dir + "/s --quiet").status, 0);
  auto r = run_cli("sweep collect " + dir + "/s");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto results = read_csv(dir + "/s/results.csv");
  ASSERT_EQ(results.size(), 25u);  // header + 24 jobs
  const size_t fc = column(results[0], "fraction_correct"), idx = column(results[0], "index");
  std::map<std::string, std::vector<double>> by_point;  // "l2,hidden" -> fraction correct
  for (size_t i = 1; i < results.size(); ++i) {
    const json job = read_json(dir + "/s/jobs/" + results[i][idx] + ".json");
    EXPECT_EQ(std::stod(results[i][fc]), job["fraction_correct"].get<double>()) << "row " << i;
    by_point[job["grid"]["l2"].dump() + "," + job["grid"]["hidden"].dump()].push_back(
        job["fraction_correct"].get<double>());
  }
  const auto summary = read_csv(dir + "/s/summary.csv");
  ASSERT_EQ(summary.size(), 5u);  // header + 4 grid points
  const size_t m = column(summary[0], "fraction_correct_mean"),
               se = column(summary[0], "fraction_correct_se"),
               n = column(summary[0], "fraction_correct_n");
  double best = -1;
  std::string best_point;
  for (size_t i = 1; i < summary.size(); ++i) {
    const auto& v = by_point.at(summary[i][column(summary[0], "l2")] + "," +
                                summary[i][column(summary[0], "hidden")]);
    const nc::select::MeanSe s = nc::select::mean_se(v);
    EXPECT_EQ(std::stoi(summary[i][n]), 6);
    EXPECT_NEAR(std::stod(summary[i][m]), s.mean, 1e-12);
    EXPECT_NEAR(std::stod(summary[i][se]), s.se, 1e-12);
    if (s.mean > best)
      best = s.mean, best_point = summary[i][column(summary[0], "l2")] + "," +
                                  summary[i][column(summary[0], "hidden")];
  }
  const json b = read_json(dir + "/s/best.json");
  EXPECT_EQ(b["metric"], "fraction_correct");
  const json& bp = b["datasets"][small_data()];
  EXPECT_EQ(bp["grid"]["l2"].dump() + "," + bp["grid"]["hidden"].dump(), best_point);
  EXPECT_NEAR(bp["mean"].get<double>(), best, 1e-12);
  EXPECT_TRUE(fs::exists(dir + "/s/index.html") && fs::exists(dir + "/s/collect_heatmap.png"));
  r = run_cli("sweep collect " + dir + "/s --select test_mse");  // lower is better
  EXPECT_EQ(read_json(dir + "/s/best.json")["higher_is_better"], false);

  fs::remove(dir + "/s/jobs/7.json");
  std::ofstream(dir + "/s/jobs/9.json") << "{\"index\": 9, ";  // unreadable
  r = run_cli("sweep collect " + dir + "/s");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("missing or unreadable jobs (2): 7 9"), std::string::npos) << r.out;
  EXPECT_EQ(read_csv(dir + "/s/results.csv").size(), 23u);
  r = run_cli("sweep collect " + dir + "/s --allow-partial");
  EXPECT_EQ(r.status, 0);
}

// A job that diverges is recorded as diverged with its iteration, the others run on, and the
// sweep's exit status (3) and last line say how many diverged.
TEST(SweepRun, DivergedJobsAreRecordedAndCounted) {
  const std::string dir = fresh_dir("sweepdiv");
  const json pj = {{"command", "decode"},
                   {"data", {small_data()}},
                   {"options", {{"model", "regression"}, {"iters", 200}}},
                   {"grid", {{"lr", {1e-6, 0.05}}}}};
  const auto r = run_cli("sweep " + write_plan(dir, pj) + " --out " + dir + "/s --jobs 2");
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("1 diverged"), std::string::npos) << r.out;
  const json ok = read_json(dir + "/s/jobs/0.json"), bad = read_json(dir + "/s/jobs/1.json");
  EXPECT_FALSE(ok["diverged"].get<bool>());
  EXPECT_TRUE(bad["diverged"].get<bool>());
  EXPECT_GE(bad["diverged_at"].get<int64_t>(), 1);
}

// fit_decoder takes the dual form's K blocks from FitHooks::gram when given one: a fit with the
// shared Gram follows the fit that computes its own within the parity rule, and a Gram that is
// wrong on purpose changes the fit (so the shared one is what was used).
TEST(CrossValGram, FitDecoderUsesTheSharedGram) {
  nc::data::Dataset ds = nc::data::load_dataset(small_data());
  nc::Rng rng = nc::select::folds_rng(3);
  const auto split = nc::select::kfold_splits(ds.n_stimuli(), 4, nullptr, rng)[0];
  nc::runs::DecoderConfig cfg;
  cfg.train.iters = 40;
  cfg.train.penalty.l2 = 1e-3f;
  const auto own = nc::runs::fit_decoder(ds, split, cfg);
  const nc::RowMat gram = nc::gram_matrix(nc::cmap(ds.resp));
  nc::runs::FitHooks hooks;
  hooks.gram = &gram;
  const auto shared = nc::runs::fit_decoder(ds, split, cfg, hooks);
  const nc::RowMat wrong = 0.5f * gram;
  hooks.gram = &wrong;
  const auto off = nc::runs::fit_decoder(ds, split, cfg, hooks);
  ASSERT_EQ(own.history.test_loss.size(), 40u);
  for (size_t i = 0; i < 40; ++i) {
    const double a = shared.history.test_loss[i], b = own.history.test_loss[i];
    ASSERT_LE(std::abs(a - b), 2e-3 * std::abs(b) + 1e-5) << i;
  }
  EXPECT_GT(std::abs(off.history.test_loss.back() - own.history.test_loss.back()), 1e-3);
}

// The closed-form decoders with --folds: each fold fits the decoder it names (not the MLP),
// from the shared Gram, and matches a plain decode given that fold as --split.
TEST(CrossValCli, LinearDecodersFoldEqualsPlainDecodeWithThatSplit) {
  const std::string d = small_data(), dir = fresh_dir("cvlinear");
  for (const std::string model : {"ridge", "vonmises"}) {
    const std::string common = " --data " + d + " --quiet --model " + model + " --period 180";
    auto r = run_cli("decode" + common + " --folds 3 --out " + dir + "/cv" + model);
    ASSERT_EQ(r.status, 0) << r.err;
    const json cv = read_json(dir + "/cv" + model + "/cv.json"),
               m = read_json(dir + "/cv" + model + "/metrics.json");
    ASSERT_EQ(cv["folds"].size(), 3u);
    EXPECT_FALSE(m.contains("fraction_correct_mean")) << model;  // not the MLP classifier
    EXPECT_FALSE(m.contains("mean_test_loss")) << model;
    ASSERT_EQ(m["median_circular_error_deg_folds"].size(), 3u);
    EXPECT_LT(m["median_circular_error_deg_mean"].get<double>(), 30.0) << model;  // of 90
    const json& fold = cv["folds"][2];
    std::vector<int64_t> test = fold["test_idx"].get<std::vector<int64_t>>(), train;
    for (int64_t i = 0; i < cv["n_stimuli"].get<int64_t>(); ++i)
      if (std::find(test.begin(), test.end(), i) == test.end()) train.push_back(i);
    nc::io::NpzContents split;
    split["train_idx"] = nc::io::NpyArray::from_int64(train, {static_cast<int64_t>(train.size())});
    split["test_idx"] = nc::io::NpyArray::from_int64(test, {static_cast<int64_t>(test.size())});
    nc::io::write_npz(dir + "/split.npz", split);
    r = run_cli("decode" + common + " --no-plots --split " + dir + "/split.npz --out " + dir +
                "/plain" + model);
    ASSERT_EQ(r.status, 0) << r.err;
    const json plain = read_json(dir + "/plain" + model + "/metrics.json");
    for (const char* k : {"median_circular_error_deg", "mean_circular_error_deg"})
      EXPECT_NEAR(fold[k].get<double>(), plain[k].get<double>(),
                  1e-3 * plain[k].get<double>() + 1e-6)
          << model << " " << k;
  }
}

// Sweep plans take every decoder, --period and --lambda: a grid over the closed-form models
// and their penalty runs each job with its own decoder.
TEST(SweepRun, PlansTakeTheLinearDecodersPeriodAndLambda) {
  const std::string dir = fresh_dir("sweeplinear");
  const json pj = {{"command", "decode"},
                   {"data", {small_data()}},
                   {"options", {{"period", 180}, {"iters", 20}}},
                   {"grid", {{"model", {"ridge", "vonmises", "circular"}}, {"lambda", {0.5, 4}}}},
                   {"folds", 2}};
  const auto r = run_cli("sweep " + write_plan(dir, pj) + " --out " + dir + "/s --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  std::map<std::string, std::vector<double>> errors;  // model -> median error per job
  for (int i = 0; i < 12; ++i) {
    const json job = read_json(dir + "/s/jobs/" + std::to_string(i) + ".json");
    const std::string model = job["grid"]["model"].get<std::string>();
    EXPECT_EQ(job["options"]["model"], model);
    EXPECT_EQ(job["options"]["period"], 180.0);
    EXPECT_EQ(job.contains("train_loss"), model == "circular") << model;
    errors[model].push_back(job["median_circular_error_deg"].get<double>());
  }
  for (const auto& [model, v] : errors) {
    ASSERT_EQ(v.size(), 4u) << model;
    for (double e : v) EXPECT_TRUE(e >= 0 && e < 90) << model << " " << e;
  }
  // lambda changes the ridge fit: jobs 0/1 (lambda 0.5 folds) differ from 2/3 (lambda 4)
  EXPECT_NE(errors["ridge"][0], errors["ridge"][2]);
  EXPECT_EQ(run_cli("sweep collect " + dir + "/s").status, 0);
  const json bad = {{"command", "decode"}, {"grid", {{"model", {"lasso"}}}}};
  const auto rb = run_cli("sweep " + write_plan(dir, bad) + " --out " + dir + "/b");
  EXPECT_EQ(rb.status, 1);
  EXPECT_NE(rb.err.find("\"ridge\""), std::string::npos) << rb.err;
}

// An encode sweep's counts stay integers in results.csv (n_excluded was written as 3.0).
TEST(SweepCollect, EncoderCountsAreIntegersInTheTable) {
  const std::string dir = fresh_dir("collectenc");
  ASSERT_EQ(run_cli("simulate --split --neurons 150 --out " + dir + "/e.npz").status, 0);
  const json pj = {{"command", "encode"},
                   {"data", {dir + "/e.npz"}},
                   {"options", {{"iters", 3}}},
                   {"grid", {{"lr", {0.5, 1.0}}}}};
  ASSERT_EQ(run_cli("sweep " + write_plan(dir, pj) + " --out " + dir + "/s --quiet").status, 0);
  ASSERT_EQ(run_cli("sweep collect " + dir + "/s").status, 0);
  const auto rows = read_csv(dir + "/s/results.csv");
  ASSERT_EQ(rows.size(), 3u);
  const size_t k = column(rows[0], "n_excluded");
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][k].find('.'), std::string::npos) << rows[i][k];
    const json job = read_json(dir + "/s/jobs/" + std::to_string(i - 1) + ".json");
    EXPECT_EQ(std::stoll(rows[i][k]), job["n_excluded"].get<int64_t>());
  }
}
