// The issue-12 commands end to end through the executable: decode with --period and the linear
// models, simulate --single-trials, discriminate, and their bad-input errors (one line, exit 1
// or 2, no output folder left).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "io/npz.hpp"
#include "runs/discriminate.hpp"
#include "sim/population.hpp"

namespace nc {
namespace {

using testing::count_lines;
using testing::fresh_dir;
using testing::run_cli;
using testing::slurp;
namespace fs = std::filesystem;

// A small single-trials file from the simulator: 400 trials x 200 neurons.
const std::string& trials_file() {
  static const std::string path = [] {
    const std::string p = fresh_dir("trials") + "/trials.npz";
    const auto r = run_cli("simulate --single-trials --neurons 200 --trials 400 --out " + p);
    EXPECT_EQ(r.status, 0) << r.err;
    return p;
  }();
  return path;
}

void write_trials(const std::string& path, const RowMat& resp, const std::vector<float>& stimuli) {
  io::NpzContents npz;
  npz["resp"] = io::NpyArray::from_float({resp.data(), static_cast<size_t>(resp.size())},
                                         {resp.rows(), resp.cols()});
  npz["stimuli"] = io::NpyArray::from_float(stimuli, {static_cast<int64_t>(stimuli.size())});
  io::write_npz(path, npz);
}

void expect_bad_input(const std::string& args, const std::string& out, const std::string& says) {
  const auto r = run_cli(args + " --out " + out);
  EXPECT_TRUE(r.status == 1 || r.status == 2) << args << ": status " << r.status;
  EXPECT_EQ(count_lines(r.err), 1) << args << ": " << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
  EXPECT_FALSE(fs::exists(out)) << args << " left " << out;
}

TEST(SingleTrials, SimulateWritesZscoredTrialsWithTheirAngles) {
  const io::NpzContents npz = io::read_npz(trials_file());
  const io::NpyArray& resp = npz.at("resp");
  ASSERT_EQ(resp.dtype, io::DType::f32);
  ASSERT_EQ(resp.shape, (std::vector<int64_t>{400, 200}));
  const std::vector<float> r = resp.to_float();
  for (int64_t j : {0, 57, 199}) {  // z-scored per neuron across trials
    double s = 0, ss = 0;
    for (int64_t i = 0; i < 400; ++i) s += r[static_cast<size_t>(i * 200 + j)];
    for (int64_t i = 0; i < 400; ++i)
      ss += std::pow(r[static_cast<size_t>(i * 200 + j)] - s / 400, 2);
    EXPECT_NEAR(s / 400, 0.0, 1e-5);
    EXPECT_NEAR(ss / 400, 1.0, 1e-4);
  }
  const std::vector<float> st = npz.at("stimuli").to_float();
  ASSERT_EQ(st.size(), 400u);
  for (float a : st) EXPECT_TRUE(a >= 0 && a < 360) << a;
  // The same draws as the binned population: binning the trials by hand gives its first row.
  const data::Dataset binned = sim::simulate_population({.neurons = 200, .trials = 400});
  const double bin = std::floor(binned.stimuli[0]);
  for (int64_t j : {0, 123}) {
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < st.size(); ++i)
      if (std::floor(st[i]) == bin) sum += r[i * 200 + static_cast<size_t>(j)], ++n;
    ASSERT_GT(n, 0);
    EXPECT_NEAR(binned.resp(0, j), sum / n, 1e-5) << "neuron " << j;
  }
}

TEST(DecodeLinear, RidgeAndVonMisesWriteModelAnalysisAndMetrics) {
  for (const std::string model : {"ridge", "vonmises"}) {
    const std::string out = fresh_dir("lin") + "/run";
    const auto r = run_cli("decode --model " + model + " --data " + trials_file() +
                           " --period 180 --out " + out);
    ASSERT_EQ(r.status, 0) << r.err;
    const io::NpzContents m = io::read_npz(out + "/model.npz");
    EXPECT_EQ(m.at("linear.weight").shape, (std::vector<int64_t>{model == "ridge" ? 2 : 48, 200}));
    const auto metrics = nlohmann::json::parse(slurp(out + "/metrics.json"));
    EXPECT_EQ(metrics["options"]["model"], model);
    EXPECT_EQ(metrics["n_train"], 240);
    // Orientation errors wrap at 90 degrees; a decoder of 200 tuned neurons beats chance (45).
    EXPECT_LT(metrics["median_circular_error_deg"].get<double>(), 30.0) << model;
    const io::NpzContents a = io::read_npz(out + "/analysis.npz");
    for (float v : a.at("test_decoded_angle").to_float()) EXPECT_TRUE(v >= 0 && v < 180) << v;
  }
}

TEST(DecodeLinear, PeriodZeroWritesPlainErrorsAndR2) {
  const std::string out = fresh_dir("p0") + "/run";
  const auto r =
      run_cli("decode --model ridge --period 0 --data " + trials_file() + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto m = nlohmann::json::parse(slurp(out + "/metrics.json"));
  EXPECT_TRUE(m.contains("r2") && m.contains("median_abs_error") && m.contains("test_mse"));
  EXPECT_FALSE(m.contains("median_circular_error_deg"));
}

TEST(DecodeLinear, BadPeriodAndLambdaAreOneLineErrors) {
  const std::string base = fresh_dir("bad");
  expect_bad_input("decode --model classification --period 0 --data " + trials_file(), base + "/a",
                   "--period 0");
  expect_bad_input("decode --model ridge --period -1 --data " + trials_file(), base + "/b",
                   "--period");
  expect_bad_input("decode --model ridge --lambda 0 --data " + trials_file(), base + "/c",
                   "--lambda");
  expect_bad_input("decode --model vonmises --period 0 --data " + trials_file(), base + "/d",
                   "--period 0");
}

TEST(Discriminate, WritesMetricsArraysAndFigures) {
  const std::string out = fresh_dir("disc") + "/run";
  const auto r =
      run_cli("discriminate --data " + trials_file() + " --neurons-curve --seed 3 --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f :
       {"metrics.json", "discrimination.npz", "psychometric.png", "threshold_vs_neurons.png"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  const auto m = nlohmann::json::parse(slurp(out + "/metrics.json"));
  EXPECT_EQ(m["n_train"], 300);
  EXPECT_EQ(m["n_test"], 100);
  const double thr = m["threshold_deg"].get<double>();
  EXPECT_GT(thr, 0.5);
  EXPECT_LT(thr, 60.0);
  EXPECT_NEAR(thr, m["beta"].get<double>() * std::log(3.0), 1e-9 * thr);
  ASSERT_EQ(m["curve"]["n_neurons"].size(), 16u);  // floor(200 / 2^(k/2)) >= 1: k = 0 .. 15
  EXPECT_EQ(m["curve"]["n_neurons"][0], 200);
  EXPECT_DOUBLE_EQ(m["curve"]["threshold_deg"][0].get<double>(), thr);
  const io::NpzContents a = io::read_npz(out + "/discrimination.npz");
  EXPECT_EQ(a.at("d").to_int64().front(), -29);
  EXPECT_EQ(a.at("p_sym").shape, a.at("d_used").shape);
  EXPECT_EQ(a.at("curve_thresholds").shape[0], 16);
}

TEST(Discriminate, BadInputIsAOneLineErrorAndLeavesNoFolder) {
  const std::string base = fresh_dir("dbad");
  expect_bad_input("discriminate --lambda 0 --data " + trials_file(), base + "/lambda", "--lambda");
  expect_bad_input("discriminate --lambda -2 --data " + trials_file(), base + "/lambda2",
                   "--lambda");
  expect_bad_input("discriminate --period -5 --data " + trials_file(), base + "/period",
                   "--period");
  // Binned data: 36 stimuli of 10 degrees.
  const std::string binned = base + "/binned.npz";
  ASSERT_EQ(run_cli("simulate --neurons 30 --trials 400 --bin-width 10 --out " + binned).status, 0);
  expect_bad_input("discriminate --data " + binned, base + "/binned", "at least 64");
  const std::string few = base + "/few.npz";
  write_trials(few, RowMat::Random(20, 10), std::vector<float>(20, 10.0f));
  expect_bad_input("discriminate --data " + few, base + "/few", "at least 64");
  RowMat nan = RowMat::Random(100, 10);
  nan(7, 3) = std::numeric_limits<float>::quiet_NaN();
  const std::string nan_file = base + "/nan.npz";
  write_trials(nan_file, nan, std::vector<float>(100, 10.0f));
  expect_bad_input("discriminate --data " + nan_file, base + "/nan", "non-finite");
  const std::string range_file = base + "/range.npz";
  std::vector<float> angles(100, 10.0f);
  angles[5] = 400.0f;
  write_trials(range_file, RowMat::Random(100, 10), angles);
  expect_bad_input("discriminate --data " + range_file, base + "/range", "outside [0, 360)");
}

// DESIGN.md "falls and flattens" on the built-in simulated single trials (4320 x 23589): the
// threshold at N/32 neurons > 1.5x the one at N, and the last doubling improves it by < 15%.
// The population's shared jitter of the "seen" angle (5 degrees) is its information-limiting
// noise. Measured (seed 1): 23589: 3.86, 11794: 4.33, 737 (N/32): 6.22, 23: 18.4 degrees; N/32
// over N = 1.61, last doubling 11%. (With the earlier 12-degree jitter the curve flattened
// above ~1,000 neurons: N/32 over N was 1.19.) About 15 s.
TEST(Discriminate, SimulatedThresholdFallsAndFlattens) {
  runs::DiscriminateConfig cfg;
  cfg.neurons_curve = true;
  const runs::DiscriminateResult r = runs::discriminate(sim::simulate_single_trials({}), cfg);
  ASSERT_EQ(r.curve.size(), 21u);
  const double full = r.curve[0].threshold, half = r.curve[2].threshold,
               n32 = r.curve[10].threshold;
  EXPECT_GT(n32, 1.5 * full) << "N/32: " << n32 << ", N: " << full;
  EXPECT_LT((half - full) / half, 0.15) << "N/2: " << half << ", N: " << full;
  for (size_t k = 2; k < r.curve.size(); k += 2) EXPECT_GT(r.curve[k].threshold, full);
}

}  // namespace
}  // namespace nc
