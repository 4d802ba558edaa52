// A loss that turns NaN/Inf stops training at that iteration with the parameters from before
// the step that produced it, and the CLI exits 3 with the model saved.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_helpers.hpp"
#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "models/state_dict.hpp"
#include "sim/stimuli.hpp"
#include "train/decoder_trainer.hpp"
#include "train/encoder_trainer.hpp"

namespace nc {
namespace {

train::DecoderData regression_data() {
  const data::Dataset ds = data::load_dataset(testing::golden("decoder_data.npz"));
  const data::Split split = data::load_split(testing::golden("decoder_split.npz"), ds.n_stimuli());
  train::DecoderData d;
  d.x_train = data::take_rows(ds.resp, split.train_idx);
  d.x_test = data::take_rows(ds.resp, split.test_idx);
  d.y_train.angles = data::take(ds.stimuli, split.train_idx);
  d.y_test.angles = data::take(ds.stimuli, split.test_idx);
  return d;
}

class DecoderDivergence : public ::testing::TestWithParam<train::DecoderAlgorithm> {};

TEST_P(DecoderDivergence, StopsWithTheParametersFromBeforeTheBadStep) {
  const train::DecoderData d = regression_data();
  const models::DecoderShape shape{.kind = models::DecoderKind::regression, .n_inputs = 32, .n_hidden = 10, .n_outputs = 1};
  train::DecoderTrainOptions opt{.iters = 500, .lr = 0.05f, .penalty = {}, .algorithm = GetParam()};
  if (GetParam() == train::DecoderAlgorithm::fused) opt.penalty.l1 = 1e-3f;
  models::Decoder a = models::decoder_create(shape);
  models::load_state_dict(testing::golden("regression_init.npz"), a.params);
  train::DecoderTrainState sa;
  const train::Outcome out = train::train_decoder(a, d, opt, sa);
  ASSERT_TRUE(out.diverged);
  EXPECT_NE(out.message.find("iteration " + std::to_string(out.diverged_at)), std::string::npos) << out.message;
  for (float v : a.params.values) ASSERT_TRUE(std::isfinite(v));
  // A train loss at iteration k comes from the parameters after k-1 steps, so the bad step is
  // step k-1: keep the parameters after k-2 steps. A test loss at k: keep those after k-1.
  const bool train_side = out.message.find("train loss") != std::string::npos;
  const int64_t steps_kept = out.diverged_at - (train_side ? 2 : 1);
  ASSERT_GE(steps_kept, 0);
  models::Decoder b = models::decoder_create(shape);
  models::load_state_dict(testing::golden("regression_init.npz"), b.params);
  if (steps_kept > 0) {
    train::DecoderTrainState sb;
    opt.iters = steps_kept;
    ASSERT_FALSE(train::train_decoder(b, d, opt, sb).diverged);
  }
  EXPECT_EQ(a.params.values, b.params.values);
}

INSTANTIATE_TEST_SUITE_P(Forms, DecoderDivergence,
                         ::testing::Values(train::DecoderAlgorithm::plain, train::DecoderAlgorithm::fused,
                                           train::DecoderAlgorithm::dual));

TEST(EncoderDivergence, StopsWithTheParametersFromBeforeTheBadStep) {
  const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7};
  train::EncoderTrainOptions opt{.iters = 500, .lr = 2.0f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f};
  models::Encoder a = models::encoder_create(shape);
  models::load_state_dict(testing::golden("encoder_init.npz"), a.params);
  train::EncoderTrainState sa;
  const train::Outcome out = train::train_encoder(a, d, opt, sa);
  ASSERT_TRUE(out.diverged);  // lr 2 with 24 neurons: see tests/golden/README.md
  const bool train_side = out.message.find("train loss") != std::string::npos;
  const int64_t steps_kept = out.diverged_at - (train_side ? 2 : 1);
  models::Encoder b = models::encoder_create(shape);
  models::load_state_dict(testing::golden("encoder_init.npz"), b.params);
  if (steps_kept > 0) {
    train::EncoderTrainState sb;
    opt.iters = steps_kept;
    ASSERT_FALSE(train::train_encoder(b, d, opt, sb).diverged);
  }
  if (!train_side) {
    EXPECT_EQ(a.params.values, b.params.values);
  }
  for (float v : a.params.values) ASSERT_TRUE(std::isfinite(v));
}

TEST(CliDivergence, ExitsThreeNamingTheIterationAndSavesTheModel) {
  const std::string out = testing::fresh_dir("diverge");
  const auto r = testing::run_cli("decode --model regression --lr 0.05 --iters 500 --no-plots --data " +
                                  testing::golden("decoder_data.npz") + " --out " + out);
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.out.find("diverged"), std::string::npos);
  EXPECT_NE(r.out.find("at iteration"), std::string::npos);
  const auto m = testing::read_json(out + "/metrics.json");
  EXPECT_TRUE(m["diverged"].get<bool>());
  EXPECT_GT(m["diverged_at"].get<int64_t>(), 0);
  EXPECT_TRUE(std::filesystem::exists(out + "/model.npz"));
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace nc
