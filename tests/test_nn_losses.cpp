#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "gradcheck.hpp"
#include "nn/activations.hpp"
#include "nn/losses.hpp"

namespace nc {

TEST(MseLoss, ValueByHand) {
  // differences 1, -2, 0.5, 0 -> squares 1, 4, 0.25, 0 -> mean 5.25 / 4
  std::vector<float> pred = {2, 0, 1.5f, 3}, target = {1, 2, 1, 3};
  EXPECT_DOUBLE_EQ(mse_loss(CMatMap(pred.data(), 2, 2), CMatMap(target.data(), 2, 2)), 1.3125);
  std::vector<float> d(4);
  mse_loss_backward(MatMap(d.data(), 2, 2), CMatMap(pred.data(), 2, 2),
                    CMatMap(target.data(), 2, 2));
  EXPECT_FLOAT_EQ(d[0], 0.5f);  // 2 * 1 / 4
  EXPECT_FLOAT_EQ(d[1], -1.0f);
  EXPECT_FLOAT_EQ(d[2], 0.25f);
  EXPECT_FLOAT_EQ(d[3], 0.0f);
}

TEST(MseLoss, Gradcheck) {
  const int B = 3, D = 4;
  Rng rng(51);
  auto pred = gradcheck_random(rng, B * D, -3.0f, 3.0f);
  const auto target = gradcheck_random(rng, B * D, -3.0f, 3.0f);
  auto loss = [&] { return mse_loss(CMatMap(pred.data(), B, D), CMatMap(target.data(), B, D)); };
  std::vector<float> d(B * D);
  mse_loss_backward(MatMap(d.data(), B, D), CMatMap(pred.data(), B, D),
                    CMatMap(target.data(), B, D));
  EXPECT_TRUE(gradcheck("dpred", pred.data(), d.data(), pred.size(), loss));
}

TEST(NllLoss, ValueByHand) {
  // logp rows (B=2, C=3); targets 2 and 0: -(logp[0,2] + logp[1,0]) / 2
  std::vector<float> logp = {-1.0f, -2.0f, -0.5f, -0.25f, -3.0f, -4.0f};
  std::vector<int32_t> target = {2, 0};
  EXPECT_DOUBLE_EQ(nll_loss(CMatMap(logp.data(), 2, 3), target), 0.375);
  std::vector<float> d(6, 9.0f);  // written, not accumulated: the 9s must go
  nll_loss_backward(MatMap(d.data(), 2, 3), target);
  const std::vector<float> expected = {0, 0, -0.5f, -0.5f, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(d[i], expected[i]) << i;
}

TEST(NllLoss, Gradcheck) {
  const int B = 4, C = 5;
  Rng rng(61);
  auto logp = gradcheck_random(rng, B * C, -3.0f, 0.0f);
  const std::vector<int32_t> target = {3, 0, 4, 3};
  auto loss = [&] { return nll_loss(CMatMap(logp.data(), B, C), target); };
  std::vector<float> d(B * C);
  nll_loss_backward(MatMap(d.data(), B, C), target);
  EXPECT_TRUE(gradcheck("dlogp", logp.data(), d.data(), logp.size(), loss));
}

TEST(NllLoss, WithLogSoftmaxIsCrossEntropy) {
  // Chained: d(nll(log_softmax(x)))/dx = (softmax(x) - onehot) / B, checked numerically too.
  const int B = 3, C = 4;
  Rng rng(71);
  auto x = gradcheck_random(rng, B * C, -2.0f, 2.0f);
  const std::vector<int32_t> target = {1, 3, 0};
  std::vector<float> logp(B * C), dlogp(B * C), dx(B * C);
  auto loss = [&] {
    log_softmax_forward(MatMap(logp.data(), B, C), CMatMap(x.data(), B, C));
    return nll_loss(CMatMap(logp.data(), B, C), target);
  };
  loss();
  nll_loss_backward(MatMap(dlogp.data(), B, C), target);
  log_softmax_backward(MatMap(dx.data(), B, C), CMatMap(dlogp.data(), B, C),
                       CMatMap(logp.data(), B, C));
  for (int b = 0; b < B; ++b)
    for (int c = 0; c < C; ++c) {
      const double p = std::exp(double(logp[b * C + c]));
      EXPECT_NEAR(dx[b * C + c], (p - (c == target[b] ? 1.0 : 0.0)) / B, 1e-6);
    }
  EXPECT_TRUE(gradcheck("dx", x.data(), dx.data(), x.size(), loss));
}

TEST(Penalty, ValueByHand) {
  const std::vector<float> w = {1.0f, -2.0f, 0.0f, 0.5f};
  // sum w^2 = 5.25, sum |w| = 3.5
  EXPECT_DOUBLE_EQ(penalty_value(w.data(), w.size(), 0.0f, 0.5f), 2.625);
  EXPECT_DOUBLE_EQ(penalty_value(w.data(), w.size(), 0.25f, 0.0f), 0.875);
  EXPECT_DOUBLE_EQ(penalty_value(w.data(), w.size(), 0.25f, 0.5f), 3.5);
  EXPECT_DOUBLE_EQ(penalty_value(w.data(), w.size(), 0.0f, 0.0f), 0.0);
}

TEST(Penalty, GradcheckL2) {
  Rng rng(81);
  auto w = gradcheck_random(rng, 20);
  const float l1 = 0.0f, l2 = 0.3f;
  std::vector<float> dw(w.size(), 0.0f);
  penalty_gradient(dw.data(), w.data(), w.size(), l1, l2);
  auto loss = [&] { return penalty_value(w.data(), w.size(), l1, l2); };
  EXPECT_TRUE(gradcheck("dw", w.data(), dw.data(), w.size(), loss));
}

TEST(Penalty, GradcheckL1AndL2AwayFromZero) {
  // |w| has a kink at 0: weights at least 0.1 away, ten steps.
  Rng rng(91);
  auto w = gradcheck_random_away_from_zero(rng, 20);
  for (const float l2 : {0.0f, 0.2f}) {
    const float l1 = 0.05f;
    std::vector<float> dw(w.size(), 0.0f);
    penalty_gradient(dw.data(), w.data(), w.size(), l1, l2);
    auto loss = [&] { return penalty_value(w.data(), w.size(), l1, l2); };
    EXPECT_TRUE(gradcheck("dw", w.data(), dw.data(), w.size(), loss)) << "l2 = " << l2;
  }
}

TEST(Penalty, GradientAccumulatesAndL1SubgradientAtZeroIsZero) {
  const std::vector<float> w = {0.0f, -0.0f, 2.0f, -3.0f};
  std::vector<float> dw = {1.0f, 1.0f, 1.0f, 1.0f};
  penalty_gradient(dw.data(), w.data(), w.size(), 0.5f, 0.0f);
  EXPECT_EQ(dw[0], 1.0f);  // sign(0) = 0, as torch.sign / abs backward
  EXPECT_EQ(dw[1], 1.0f);
  EXPECT_EQ(dw[2], 1.5f);
  EXPECT_EQ(dw[3], 0.5f);
  penalty_gradient(dw.data(), w.data(), w.size(), 0.0f, 0.25f);  // += 2 * 0.25 * w
  EXPECT_EQ(dw[0], 1.0f);
  EXPECT_EQ(dw[2], 2.5f);
  EXPECT_EQ(dw[3], -1.0f);
}

}  // namespace nc
