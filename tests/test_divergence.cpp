// A loss that turns NaN/Inf stops training at that iteration with the parameters from before
// the step that produced it, and the CLI exits 3 with the model saved.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <type_traits>

#include "cli_helpers.hpp"
#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "models/state_dict.hpp"
#include "sim/stimuli.hpp"
#include "train/decoder_trainer.hpp"
#include "train/encoder_trainer.hpp"
#include "train/loop.hpp"

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
  const models::DecoderShape shape{
      .kind = models::DecoderKind::regression, .n_inputs = 32, .n_hidden = 10, .n_outputs = 1};
  train::DecoderTrainOptions opt{.iters = 500, .lr = 0.05f, .penalty = {}, .algorithm = GetParam()};
  if (GetParam() == train::DecoderAlgorithm::fused) opt.penalty.l1 = 1e-3f;
  models::Decoder a = models::decoder_create(shape);
  models::load_state_dict(testing::golden("regression_init.npz"), a.params);
  train::DecoderTrainState sa;
  const train::Outcome out = train::train_decoder(a, d, opt, sa);
  ASSERT_TRUE(out.diverged);
  EXPECT_NE(out.message.find("iteration " + std::to_string(out.diverged_at)), std::string::npos)
      << out.message;
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
                         ::testing::Values(train::DecoderAlgorithm::plain,
                                           train::DecoderAlgorithm::fused,
                                           train::DecoderAlgorithm::dual));

TEST(EncoderDivergence, StopsWithTheParametersFromBeforeTheBadStep) {
  const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7};
  train::EncoderTrainOptions opt{
      .iters = 500, .lr = 2.0f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f};
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
  EXPECT_EQ(a.params.values, b.params.values);
  for (float v : a.params.values) ASSERT_TRUE(std::isfinite(v));
}

// Every trainer form, on both sides: a form wrapped so that its train (or test) loss reads NaN
// at iteration k. The loop must roll back the step that produced it and keep the parameters
// and the optimizer state (momentum included) of a run stopped cleanly before that step.
class PoisonedAt : public train::TrainerStep {
 public:
  PoisonedAt(std::unique_ptr<train::TrainerStep> inner, int64_t at, bool train_side)
      : inner_(std::move(inner)), at_(at), train_side_(train_side) {}
  double train_loss() override {
    ++it_;
    const double v = inner_->train_loss();
    return train_side_ && it_ == at_ ? std::nan("") : v;
  }
  void step() override { inner_->step(); }
  double test_loss() override {
    const double v = inner_->test_loss();
    return !train_side_ && it_ == at_ ? std::nan("") : v;
  }
  void rollback() override { inner_->rollback(); }
  void finish() override { inner_->finish(); }

 private:
  std::unique_ptr<train::TrainerStep> inner_;
  int64_t at_, it_ = 0;
  bool train_side_;
};

constexpr int64_t kPoisonAt = 6;

struct RollbackCase {
  const char* form;
  bool train_side;
};

void PrintTo(const RollbackCase& c, std::ostream* os) {
  *os << c.form << (c.train_side ? "_train" : "_test");
}

class Rollback : public ::testing::TestWithParam<RollbackCase> {};

// Runs `iters` iterations of the named form from the golden initial weights, poisoned at
// kPoisonAt when `poison`; returns the parameters and the state.
template <class Net, class State>
train::Outcome run_form(const RollbackCase& c, Net& net, State& state, int64_t iters, bool poison) {
  static const train::DecoderData dd = regression_data();
  static const data::SplitDataset es =
      data::load_split_dataset(testing::golden("encoder_data.npz"));
  std::unique_ptr<train::TrainerStep> form;
  const std::string f = c.form;
  static train::DecoderTrainOptions dopt;
  static train::EncoderTrainOptions eopt;
  static train::EncoderData ed;
  if constexpr (std::is_same_v<Net, models::Decoder>) {
    dopt = {
        .iters = iters, .lr = 1e-4f, .penalty = {.l1 = f == "dual" ? 0.0f : 1e-3f, .l2 = 1e-2f}};
    form = f == "plain"   ? train::make_decoder_plain_step(net, dd, dopt, state)
           : f == "fused" ? train::make_decoder_fused_step(net, dd, dopt, state)
                          : train::make_decoder_dual_step(net, dd, dopt, state);
  } else {
    ed.images = sim::grating_stack(sim::encoder_angles(es.stimuli), 0.025);
    ed.resp_train = es.resp_train;
    ed.resp_test = es.resp_test;
    eopt = {.iters = iters, .lr = 0.1f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f};
    form = f == "plain" ? train::make_encoder_plain_step(net, ed, eopt, state)
                        : train::make_encoder_fused_step(net, ed, eopt, state);
  }
  if (poison) form = std::make_unique<PoisonedAt>(std::move(form), kPoisonAt, c.train_side);
  return train::run_training(*form, state, iters, {});
}

template <class Net, class State>
void expect_rollback(const RollbackCase& c, Net a, Net b) {
  State sa, sb;
  const train::Outcome out = run_form(c, a, sa, 20, true);
  ASSERT_TRUE(out.diverged);
  EXPECT_EQ(out.diverged_at, kPoisonAt);
  EXPECT_NE(out.message.find(c.train_side ? "train loss" : "test loss"), std::string::npos)
      << out.message;
  // Train side at k: the bad step was k-1, keep k-2 steps. Test side at k: keep k-1.
  const int64_t kept = kPoisonAt - (c.train_side ? 2 : 1);
  ASSERT_FALSE(run_form(c, b, sb, kept, false).diverged);
  EXPECT_EQ(a.params.values, b.params.values);
  EXPECT_EQ(sa.sgd.velocity, sb.sgd.velocity);
  EXPECT_EQ(sa.sgd.steps, kept);
  EXPECT_EQ(sa.iteration, kPoisonAt - 1);
  EXPECT_EQ(sa.history.train_loss.size(), static_cast<size_t>(kPoisonAt - 1));
}

TEST_P(Rollback, RestoresParametersAndOptimizerState) {
  const RollbackCase c = GetParam();
  const std::string f = c.form;
  if (f.rfind("encoder_", 0) == 0) {
    const RollbackCase e{f == "encoder_plain" ? "plain" : "fused", c.train_side};
    const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
    models::Encoder a =
        models::encoder_create({.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7});
    models::load_state_dict(testing::golden("encoder_init.npz"), a.params);
    expect_rollback<models::Encoder, train::EncoderTrainState>(e, a, a);
    return;
  }
  models::Decoder a = models::decoder_create(
      {.kind = models::DecoderKind::regression, .n_inputs = 32, .n_hidden = 10, .n_outputs = 1});
  models::load_state_dict(testing::golden("regression_init.npz"), a.params);
  expect_rollback<models::Decoder, train::DecoderTrainState>(c, a, a);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, Rollback,
    ::testing::Values(RollbackCase{"plain", true}, RollbackCase{"plain", false},
                      RollbackCase{"fused", true}, RollbackCase{"fused", false},
                      RollbackCase{"dual", true}, RollbackCase{"dual", false},
                      RollbackCase{"encoder_plain", true}, RollbackCase{"encoder_plain", false},
                      RollbackCase{"encoder_fused", true}, RollbackCase{"encoder_fused", false}));

TEST(CliDivergence, ExitsThreeNamingTheIterationAndSavesTheModel) {
  const std::string out = testing::fresh_dir("diverge");
  const auto r =
      testing::run_cli("decode --model regression --lr 0.05 --iters 500 --no-plots --data " +
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
