// The neurocodec command end to end: outputs, metrics, PyTorch parity through --init/--split,
// and one-line errors with no output for bad input.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_helpers.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"

namespace nc {
namespace {

namespace fs = std::filesystem;
using testing::golden;
using testing::run_cli;

TEST(Cli, DecodeFromGoldenInitFollowsPyTorchAndWritesEverything) {
  const std::string out = testing::fresh_dir("decode");
  const auto r =
      run_cli("decode --data " + golden("decoder_data.npz") + " --split " +
              golden("decoder_split.npz") + " --init " + golden("classification_l1l2_init.npz") +
              " --iters 200 --l2 1e-2 --l1 5e-4 --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  // Progress as the tutorial prints it: 5 lines.
  int progress = 0;
  for (size_t p = r.out.find("iteration "); p != std::string::npos;
       p = r.out.find("iteration ", p + 1))
    ++progress;
  EXPECT_EQ(progress, 5) << r.out;
  const auto m = testing::read_json(out + "/metrics.json");
  const auto ref = testing::read_json(golden("classification_l1l2_losses.json"));
  testing::expect_trajectory(m["train_loss"].get<std::vector<double>>(),
                             ref["train_loss"].get<std::vector<double>>(), 2e-3, "train");
  testing::expect_trajectory(m["test_loss"].get<std::vector<double>>(),
                             ref["test_loss"].get<std::vector<double>>(), 2e-3, "test");
  for (const char* key :
       {"fraction_correct", "confusion", "test_mse", "median_abs_error_deg", "mean_abs_error_deg",
        "median_circular_error_deg", "mean_circular_error_deg", "seconds", "options"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_EQ(m["options"]["l1"].get<double>(), 5e-4);
  EXPECT_EQ(m["confusion"].size(), 20u);
  const auto model = io::read_npz(out + "/model.npz");
  EXPECT_EQ(model.at("in_layer.weight").shape, (std::vector<int64_t>{20, 32}));
  EXPECT_EQ(model.at("out_layer.bias").shape, (std::vector<int64_t>{20}));
  const auto an = io::read_npz(out + "/analysis.npz");
  for (const char* key : {"preferred_orientation", "neuron_order", "hidden_activity", "test_angle",
                          "test_decoded_angle", "test_class", "test_predicted_class"})
    EXPECT_TRUE(an.count(key)) << key;
  EXPECT_EQ(an.at("hidden_activity").shape, (std::vector<int64_t>{48, 20}));
  EXPECT_EQ(an.at("neuron_order").dtype, io::DType::i64);
  fs::remove_all(out);
}

TEST(Cli, DecodeRegressionDefaultsAreTheTutorials) {
  const std::string out = testing::fresh_dir("reg");
  const auto r = run_cli("decode --model regression --data " + golden("decoder_data.npz") +
                         " --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto m = testing::read_json(out + "/metrics.json");
  EXPECT_EQ(m["options"]["hidden"], 10);
  EXPECT_EQ(m["options"]["iters"], 50);
  EXPECT_EQ(m["options"]["lr"].get<double>(), 1e-4);
  EXPECT_EQ(m["train_loss"].size(), 50u);
  EXPECT_EQ(m["n_train"], 28);  // floor(0.6 * 48)
  EXPECT_FALSE(m.contains("fraction_correct"));
  fs::remove_all(out);
}

TEST(Cli, SameSeedSameResultDifferentSeedDifferentSplit) {
  const std::string a = testing::fresh_dir("s1"), b = testing::fresh_dir("s2"),
                    c = testing::fresh_dir("s3");
  const std::string base = "decode --quiet --iters 20 --data " + golden("decoder_data.npz");
  ASSERT_EQ(run_cli(base + " --seed 3 --out " + a).status, 0);
  ASSERT_EQ(run_cli(base + " --seed 3 --out " + b).status, 0);
  ASSERT_EQ(run_cli(base + " --seed 4 --out " + c).status, 0);
  EXPECT_EQ(testing::read_json(a + "/metrics.json")["train_loss"],
            testing::read_json(b + "/metrics.json")["train_loss"]);
  EXPECT_NE(testing::read_json(a + "/metrics.json")["train_loss"],
            testing::read_json(c + "/metrics.json")["train_loss"]);
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST(Cli, EncodeFromGoldenInitFollowsPyTorch) {
  const std::string out = testing::fresh_dir("encode");
  const auto r = run_cli("encode --data " + golden("encoder_data.npz") + " --init " +
                         golden("encoder_init.npz") + " --iters 30 --lr 0.1 --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto m = testing::read_json(out + "/metrics.json");
  const auto ref = testing::read_json(golden("encoder_losses.json"));
  testing::expect_trajectory(m["train_loss"].get<std::vector<double>>(),
                             ref["train_loss"].get<std::vector<double>>(), 5e-3, "train");
  testing::expect_trajectory(m["test_loss"].get<std::vector<double>>(),
                             ref["test_loss"].get<std::vector<double>>(), 5e-3, "test");
  for (const char* key : {"median_test_corr", "median_noise_ceiling", "median_normalized_corr",
                          "n_excluded", "seconds", "options"})
    EXPECT_TRUE(m.contains(key)) << key;
  const auto pred = io::read_npz(out + "/predictions.npz");
  EXPECT_EQ(pred.at("prediction").shape, (std::vector<int64_t>{60, 24}));
  const auto model = io::read_npz(out + "/model.npz");
  EXPECT_EQ(model.at("conv.weight").shape, (std::vector<int64_t>{6, 1, 7, 7}));
  EXPECT_EQ(model.at("out_layer.weight").shape, (std::vector<int64_t>{24, 1152}));
  fs::remove_all(out);
}

TEST(Cli, SimulateWritesBothFormats) {
  const std::string dir = testing::fresh_dir("sim");
  ASSERT_EQ(run_cli("simulate --neurons 50 --trials 1000 --out " + dir + "/a.npz").status, 0);
  ASSERT_EQ(run_cli("simulate --split --neurons 50 --trials 1000 --out " + dir + "/b.npz").status,
            0);
  const auto a = io::read_npz(dir + "/a.npz");
  const auto b = io::read_npz(dir + "/b.npz");
  EXPECT_EQ(a.at("resp").shape[1], 50);
  EXPECT_EQ(b.at("resp_train").shape, (std::vector<int64_t>{60, 50}));
  EXPECT_EQ(b.at("resp_test").shape, (std::vector<int64_t>{60, 50}));
  fs::remove_all(dir);
}

// Bad input: one line "error: ..." naming the problem, exit 1 (2 for usage), no output files.
struct BadCase {
  std::string args;
  int status;
  std::string must_mention;
};

class CliRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliRejects, OneLineErrorAndNoOutput) {
  const BadCase& c = GetParam();
  const std::string out = testing::fresh_dir("bad") + "/run";
  const auto r = run_cli(c.args + " --out " + out);
  EXPECT_EQ(r.status, c.status) << r.err;
  EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(c.must_mention), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out + "/metrics.json"));
  EXPECT_FALSE(fs::exists(out + "/model.npz"));
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, CliRejects,
    ::testing::Values(
        BadCase{"decode --data /nonexistent/file.npz", 1, "/nonexistent/file.npz"},
        BadCase{"decode --data " + golden("encoder_data.npz"), 1, "encode"},
        BadCase{"encode --data " + golden("decoder_data.npz"), 1, "resp_train"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --lr -1", 1, "--lr"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --iters 0", 1, "--iters"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --classes 1", 1, "--classes"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --train-fraction 1.5", 1,
                "--train-fraction"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --split " +
                    golden("decoder_split.npz") + " --train-fraction 0.5",
                1, "--split"},
        BadCase{
            "decode --data " + golden("decoder_data.npz") + " --init " + golden("encoder_init.npz"),
            1, "unexpected key"},
        BadCase{"decode --data " + golden("decoder_data.npz") + " --split " +
                    golden("decoder_data.npz"),
                1, "train_idx"},
        BadCase{"decode --model banana", 2, "--model"}, BadCase{"decode --hidden", 2, "--hidden"},
        BadCase{"encode --data " + golden("encoder_data.npz") + " --kernel 4", 1, "--kernel"}));

}  // namespace
}  // namespace nc
