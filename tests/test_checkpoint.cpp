// A run stopped at a checkpoint and resumed ends bit-identical to an uninterrupted one: its
// parameters, optimizer state and loss histories.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "models/state_dict.hpp"
#include "sim/stimuli.hpp"
#include "train/checkpoint.hpp"
#include "train/decoder_trainer.hpp"
#include "train/encoder_trainer.hpp"

namespace nc {
namespace {

train::DecoderData decoder_data() {
  const data::Dataset ds = data::load_dataset(testing::golden("decoder_data.npz"));
  const data::Split split = data::load_split(testing::golden("decoder_split.npz"), ds.n_stimuli());
  train::DecoderData d;
  d.x_train = data::take_rows(ds.resp, split.train_idx);
  d.x_test = data::take_rows(ds.resp, split.test_idx);
  d.y_train.angles = data::take(ds.stimuli, split.train_idx);
  d.y_test.angles = data::take(ds.stimuli, split.test_idx);
  d.y_train.classes = data::stimulus_classes(d.y_train.angles, 20);
  d.y_test.classes = data::stimulus_classes(d.y_test.angles, 20);
  return d;
}

class DecoderResume : public ::testing::TestWithParam<float> {};  // the L1 factor: 0 = dual form

TEST_P(DecoderResume, IsBitIdentical) {
  const float l1 = GetParam();
  const train::DecoderData d = decoder_data();
  const models::DecoderShape shape{
      .kind = models::DecoderKind::classification, .n_inputs = 32, .n_hidden = 20, .n_outputs = 20};
  const train::DecoderTrainOptions opt{.iters = 40, .lr = 0.1f, .penalty = {.l1 = l1, .l2 = 1e-2f}};
  models::Decoder straight = models::decoder_create(shape);
  models::load_state_dict(testing::golden("classification_init.npz"), straight.params);
  train::DecoderTrainState s1;
  train::train_decoder(straight, d, opt, s1);

  const std::string dir = testing::fresh_dir("ckpt");
  {
    models::Decoder first = models::decoder_create(shape);
    models::load_state_dict(testing::golden("classification_init.npz"), first.params);
    train::DecoderTrainState s;
    const auto out =
        train::train_decoder(first, d, opt, s, {}, [](int64_t it) { return it == 17; });
    ASSERT_TRUE(out.interrupted);
    train::save_checkpoint(dir + "/c.npz", first.params, s, &s.dual, {{"command", "test"}});
  }
  models::Decoder resumed = models::decoder_create(shape);
  train::DecoderTrainState s2;
  const auto loaded = train::load_checkpoint(dir + "/c.npz", resumed.params, s2, &s2.dual);
  EXPECT_EQ(loaded.iteration, 17);
  EXPECT_EQ(s2.iteration, 17);
  EXPECT_EQ(loaded.run_info["command"], "test");
  train::train_decoder(resumed, d, opt, s2);
  EXPECT_EQ(straight.params.values, resumed.params.values);
  EXPECT_EQ(s1.history.train_loss, s2.history.train_loss);
  EXPECT_EQ(s1.history.test_loss, s2.history.test_loss);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Forms, DecoderResume, ::testing::Values(0.0f, 5e-4f));

TEST(EncoderResume, IsBitIdentical) {
  const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7};
  const train::EncoderTrainOptions opt{
      .iters = 25, .lr = 0.1f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f};
  models::Encoder straight = models::encoder_create(shape);
  models::load_state_dict(testing::golden("encoder_init.npz"), straight.params);
  train::EncoderTrainState s1;
  train::train_encoder(straight, d, opt, s1);

  const std::string dir = testing::fresh_dir("ckpt_enc");
  {
    models::Encoder first = models::encoder_create(shape);
    models::load_state_dict(testing::golden("encoder_init.npz"), first.params);
    train::EncoderTrainState s;
    ASSERT_TRUE(
        train::train_encoder(first, d, opt, s, {}, [](int64_t it) { return it == 9; }).interrupted);
    train::save_checkpoint(dir + "/c.npz", first.params, s, nullptr, {});
  }
  models::Encoder resumed = models::encoder_create(shape);
  train::EncoderTrainState s2;
  s2.iteration = train::load_checkpoint(dir + "/c.npz", resumed.params, s2, nullptr).iteration;
  train::train_encoder(resumed, d, opt, s2);
  EXPECT_EQ(straight.params.values, resumed.params.values);
  EXPECT_EQ(s1.sgd.velocity, s2.sgd.velocity);
  EXPECT_EQ(s1.history.train_loss, s2.history.train_loss);
  EXPECT_EQ(s1.history.test_loss, s2.history.test_loss);
  std::filesystem::remove_all(dir);
}

TEST(Checkpoint, RefusesAFileThatDoesNotFitTheModel) {
  const std::string dir = testing::fresh_dir("ckpt_bad");
  models::Decoder small = models::decoder_create(
      {.kind = models::DecoderKind::regression, .n_inputs = 32, .n_hidden = 10, .n_outputs = 1});
  train::TrainState st;
  train::save_checkpoint(dir + "/c.npz", small.params, st, nullptr, {});
  models::Decoder other = models::decoder_create({.kind = models::DecoderKind::classification,
                                                  .n_inputs = 32,
                                                  .n_hidden = 20,
                                                  .n_outputs = 20});
  EXPECT_THROW(train::load_checkpoint(dir + "/c.npz", other.params, st, nullptr), InputError);
  EXPECT_THROW(train::load_checkpoint(dir + "/missing.npz", other.params, st, nullptr), InputError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc
namespace nc {
namespace {
// Two runs in one process, with buffers at different addresses, give the same bits (found when
// ParameterSet's buffers were not aligned like Eigen's: vectorised sums then depended on
// addresses).
TEST(DecoderDeterminism, TwoRunsAreBitIdentical) {
  const train::DecoderData d = decoder_data();
  const models::DecoderShape shape{
      .kind = models::DecoderKind::classification, .n_inputs = 32, .n_hidden = 20, .n_outputs = 20};
  const train::DecoderTrainOptions opt{
      .iters = 40, .lr = 0.1f, .penalty = {.l1 = 5e-4f, .l2 = 1e-2f}};
  models::Decoder a = models::decoder_create(shape), b = models::decoder_create(shape);
  models::load_state_dict(testing::golden("classification_init.npz"), a.params);
  models::load_state_dict(testing::golden("classification_init.npz"), b.params);
  train::DecoderTrainState sa, sb;
  train::train_decoder(a, d, opt, sa);
  train::train_decoder(b, d, opt, sb);
  EXPECT_EQ(sa.history.train_loss, sb.history.train_loss);
  EXPECT_EQ(a.params.values, b.params.values);
}
}  // namespace
}  // namespace nc
