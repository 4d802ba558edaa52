// The fused encoder step (identical images once, one blocked pass over out_layer.weight) gives
// the plain step's iterates: kernel by kernel and over whole training runs.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "models/state_dict.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/sgd.hpp"
#include "random_helpers.hpp"
#include "sim/stimuli.hpp"
#include "train/encoder_fused.hpp"
#include "train/row_blocked_step.hpp"

namespace nc {
namespace {

using testing::random_mat;

double max_rel(const float* a, const float* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    num = std::max(num, std::abs(double(a[i]) - b[i]));
    den = std::max(den, std::abs(double(b[i])));
  }
  return num / std::max(den, 1e-30);
}

struct FusedCase {
  float momentum;
  bool first;
  float l1, l2;
};

class FusedLinearSgd : public ::testing::TestWithParam<FusedCase> {};

TEST_P(FusedLinearSgd, MatchesThePlainComposition) {
  const FusedCase c = GetParam();
  Rng rng(11);
  const int64_t u = 7, f = 37, n = 301;  // n not a multiple of the block size
  const RowMat feats = random_mat(u, f, rng), dout = random_mat(u, n, rng, 0.1f);
  RowMat w = random_mat(n, f, rng, 0.05f);
  w(3, 4) = 0.0f;  // the L1 subgradient at 0
  Vec b = Vec::Random(n);
  RowMat vw = random_mat(n, f, rng, 0.01f);
  Vec vb = Vec::Random(n) * 0.01f;
  // plain: gradients, penalty, SGD
  RowMat w_ref = w, vw_ref = vw, dw = RowMat::Zero(n, f), dfeat_ref(u, f);
  Vec b_ref = b, vb_ref = vb, db = Vec::Zero(n);
  linear_gradient(MatMap(dw.data(), n, f), VecMap(db.data(), n), CMatMap(dout.data(), u, n),
                  CMatMap(feats.data(), u, f));
  linear_backward_input(MatMap(dfeat_ref.data(), u, f), CMatMap(dout.data(), u, n),
                        CMatMap(w_ref.data(), n, f));
  penalty_gradient(dw.data(), w_ref.data(), static_cast<size_t>(w.size()), c.l1, c.l2);
  std::vector<float> params(w_ref.data(), w_ref.data() + w_ref.size()),
      grads(dw.data(), dw.data() + dw.size());
  params.insert(params.end(), b_ref.data(), b_ref.data() + n);
  grads.insert(grads.end(), db.data(), db.data() + n);
  SgdState st;
  if (!c.first && c.momentum != 0) {
    st.velocity.assign(vw_ref.data(), vw_ref.data() + vw_ref.size());
    st.velocity.insert(st.velocity.end(), vb_ref.data(), vb_ref.data() + n);
  }
  sgd_step(params, grads, st, {.lr = 0.3f, .momentum = c.momentum});
  // fused
  // Out of place: the step reads w, b, vw, vb and writes the stepped values into new buffers,
  // leaving the old ones as they were (what a rollback swaps back).
  RowMat dfeat(u, f), w_new(n, f), vw_new(n, f);
  Vec b_new(n), vb_new(n);
  const RowMat w_before = w, vw_before = vw;
  const Vec b_before = b, vb_before = vb;
  const bool momentum = c.momentum != 0;
  train::row_blocked_sgd_step(
      {w.data(), b.data(), momentum ? vw.data() : nullptr, momentum ? vb.data() : nullptr},
      {w_new.data(), b_new.data(), momentum ? vw_new.data() : nullptr,
       momentum ? vb_new.data() : nullptr},
      CMatMap(dout.data(), u, n), CMatMap(feats.data(), u, f), MatMap(dfeat.data(), u, f),
      {.lr = 0.3f, .momentum = c.momentum, .l1 = c.l1, .l2 = c.l2}, c.first);
  EXPECT_EQ(w, w_before);
  EXPECT_EQ(b, b_before);
  EXPECT_EQ(vw, vw_before);
  EXPECT_EQ(vb, vb_before);
  w = w_new;
  b = b_new;
  vw = vw_new;
  EXPECT_LT(max_rel(w.data(), params.data(), static_cast<size_t>(w.size())), 1e-5);
  EXPECT_LT(max_rel(b.data(), params.data() + w.size(), static_cast<size_t>(n)), 1e-5);
  EXPECT_LT(max_rel(dfeat.data(), dfeat_ref.data(), static_cast<size_t>(dfeat.size())), 1e-5);
  if (c.momentum != 0) {
    EXPECT_LT(max_rel(vw.data(), st.velocity.data(), static_cast<size_t>(vw.size())), 1e-5);
  }
  // In place gives the same bits as out of place.
  RowMat w_in_place = w_before, vw_in_place = vw_before;
  Vec b_in_place = b_before, vb_in_place = vb_before;
  const train::RowBlockedLayer same{w_in_place.data(), b_in_place.data(),
                                    momentum ? vw_in_place.data() : nullptr,
                                    momentum ? vb_in_place.data() : nullptr};
  train::row_blocked_sgd_step(same, same, CMatMap(dout.data(), u, n), CMatMap(feats.data(), u, f),
                              MatMap(dfeat.data(), u, f),
                              {.lr = 0.3f, .momentum = c.momentum, .l1 = c.l1, .l2 = c.l2},
                              c.first);
  EXPECT_EQ(w_in_place, w);
  EXPECT_EQ(b_in_place, b);
  // and the step moved the weights (the comparison above is not vacuous)
  EXPECT_GT((w - w_before).cwiseAbs().maxCoeff(), 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(Cases, FusedLinearSgd,
                         ::testing::Values(FusedCase{0.0f, true, 0.0f, 0.0f},
                                           FusedCase{0.9f, true, 1e-3f, 5e-2f},
                                           FusedCase{0.9f, false, 1e-3f, 5e-2f},
                                           FusedCase{0.5f, false, 0.0f, 0.0f}));

TEST(FusedLinearSgd, BlockedForwardAndWeightSums) {
  Rng rng(5);
  const int64_t u = 5, f = 19, n = 200;
  const RowMat feats = random_mat(u, f, rng), w = random_mat(n, f, rng);
  const Vec b = Vec::Random(n);
  RowMat out(u, n), ref(u, n);
  WeightSums sums;
  train::row_blocked_forward(MatMap(out.data(), u, n), CMatMap(feats.data(), u, f), w.data(),
                             b.data(), &sums);
  linear_forward(MatMap(ref.data(), u, n), CMatMap(feats.data(), u, f), CMatMap(w.data(), n, f),
                 CVecMap(b.data(), n));
  EXPECT_LT(max_rel(out.data(), ref.data(), static_cast<size_t>(out.size())), 1e-6);
  EXPECT_NEAR(sums.sum_sq, w.cast<double>().squaredNorm(), 1e-5 * sums.sum_sq);
  EXPECT_NEAR(sums.sum_abs, w.cast<double>().cwiseAbs().sum(), 1e-5 * sums.sum_abs);
}

TEST(EncoderFused, GroupsTheTutorialsGratingsIntoThirtyImages) {
  std::vector<float> stimuli(60, 0.0f);
  const auto stack = sim::grating_stack(sim::encoder_angles(stimuli), 0.025);
  const auto g =
      train::group_identical_rows(stack.pixels.data(), stack.n, stack.height * stack.width);
  EXPECT_EQ(g.first.size(), 30u);
  for (int64_t i = 0; i < 30; ++i)
    EXPECT_EQ(g.group[static_cast<size_t>(i)], g.group[static_cast<size_t>(i + 30)]);
}

TEST(EncoderFused, TrainingMatchesThePlainPathAcrossThreadCounts) {
  const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7};
  train::EncoderTrainOptions opt{
      .iters = 30, .lr = 0.1f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f};
  models::Encoder plain = models::encoder_create(shape);
  models::load_state_dict(testing::golden("encoder_init.npz"), plain.params);
  opt.algorithm = train::EncoderAlgorithm::plain;
  train::EncoderTrainState sp;
  ASSERT_FALSE(train::train_encoder(plain, d, opt, sp).diverged);
  std::vector<AlignedFloats> fused_params;
  for (const char* threads : {"1", "2"}) {
    setenv("NEUROCODEC_THREADS", threads, 1);
    models::Encoder fused = models::encoder_create(shape);
    models::load_state_dict(testing::golden("encoder_init.npz"), fused.params);
    opt.algorithm = train::EncoderAlgorithm::fused;
    train::EncoderTrainState sf;
    ASSERT_FALSE(train::train_encoder(fused, d, opt, sf).diverged);
    testing::expect_trajectory(sf.history.train_loss, sp.history.train_loss, 1e-4,
                               "fused vs plain train");
    testing::expect_trajectory(sf.history.test_loss, sp.history.test_loss, 1e-4,
                               "fused vs plain test");
    EXPECT_LT(
        max_rel(fused.params.values.data(), plain.params.values.data(), plain.params.values.size()),
        1e-4);
    fused_params.push_back(fused.params.values);
  }
  unsetenv("NEUROCODEC_THREADS");
  // Same thread count, same bits; here the two counts also agree closely.
  EXPECT_LT(max_rel(fused_params[0].data(), fused_params[1].data(), fused_params[0].size()), 1e-5);
}

TEST(EncoderFused, SameThreadCountGivesIdenticalResults) {
  const data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  const models::EncoderShape shape{.n_neurons = ds.n_neurons(), .channels = 6, .kernel = 7};
  AlignedFloats first, init;
  for (int rep = 0; rep < 2; ++rep) {
    models::Encoder e = models::encoder_create(shape);
    models::load_state_dict(testing::golden("encoder_init.npz"), e.params);
    init = e.params.values;
    train::EncoderTrainState s;
    ASSERT_FALSE(train::train_encoder(
                     e, d, {.iters = 10, .lr = 0.1f, .momentum = 0.9f, .l1 = 1e-6f, .l2 = 5e-4f}, s)
                     .diverged);
    if (rep == 0)
      first = e.params.values;
    else
      EXPECT_EQ(first, e.params.values);
  }
  // Training moved the weights, so the equality above says something.
  double moved = 0;
  for (size_t i = 0; i < init.size(); ++i)
    moved = std::max(moved, std::abs(double(first[i]) - init[i]));
  EXPECT_GT(moved, 1e-4);
}

}  // namespace
}  // namespace nc
