#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "nn/sgd.hpp"
#include "nn/update_rule.hpp"

namespace nc {

TEST(Sgd, StepWithoutMomentum) {
  std::vector<float> p = {1.0f, -2.0f}, g = {2.0f, 0.5f};
  SgdState state;
  sgd_step(p, g, state, {.lr = 0.1f, .momentum = 0.0f});
  EXPECT_FLOAT_EQ(p[0], 0.8f);
  EXPECT_FLOAT_EQ(p[1], -2.05f);
  EXPECT_TRUE(state.velocity.empty());
  EXPECT_EQ(state.steps, 0);  // the training loop counts steps (train/loop.hpp), not sgd_step
}

TEST(Sgd, MomentumTrajectoryOnQuadraticByHand) {
  // f(p) = p^2 (g = 2p) and f(q) = 0.5 q^2 (g = q), lr 0.1, mu 0.9, PyTorch's rule:
  //   v1 = g1, v_t = mu v_{t-1} + g_t, p_t = p_{t-1} - lr v_t.
  // p: p0 = 1: g1 = 2, v1 = 2, p1 = 0.8; g2 = 1.6, v2 = 1.8 + 1.6 = 3.4, p2 = 0.46;
  //    g3 = 0.92, v3 = 3.06 + 0.92 = 3.98, p3 = 0.062.
  // q: q0 = -2: g1 = -2, v1 = -2, q1 = -1.8; g2 = -1.8, v2 = -3.6, q2 = -1.44;
  //    g3 = -1.44, v3 = -3.24 - 1.44 = -4.68, q3 = -0.972.
  std::vector<float> x = {1.0f, -2.0f};
  SgdState state;
  const SgdOptions opt{.lr = 0.1f, .momentum = 0.9f};
  const double p_expected[3] = {0.8, 0.46, 0.062}, q_expected[3] = {-1.8, -1.44, -0.972};
  const double vp_expected[3] = {2.0, 3.4, 3.98}, vq_expected[3] = {-2.0, -3.6, -4.68};
  for (int t = 0; t < 3; ++t) {
    const std::vector<float> g = {2.0f * x[0], x[1]};
    sgd_step(x, g, state, opt);
    EXPECT_NEAR(x[0], p_expected[t], 1e-6) << "step " << t + 1;
    EXPECT_NEAR(x[1], q_expected[t], 1e-6) << "step " << t + 1;
    ASSERT_EQ(state.velocity.size(), 2u);
    EXPECT_NEAR(state.velocity[0], vp_expected[t], 1e-6) << "step " << t + 1;
    EXPECT_NEAR(state.velocity[1], vq_expected[t], 1e-6) << "step " << t + 1;
  }
}

TEST(Sgd, FirstMomentumStepCopiesGradient) {
  // v1 = g exactly (clone), so the first step equals plain SGD.
  std::vector<float> a = {0.3f, -0.7f, 1.1f}, b = a;
  const std::vector<float> g = {0.123f, -4.5f, 1e-3f};
  SgdState sa, sb;
  sgd_step(a, g, sa, {.lr = 0.05f, .momentum = 0.9f});
  sgd_step(b, g, sb, {.lr = 0.05f, .momentum = 0.0f});
  EXPECT_EQ(a, b);
  EXPECT_EQ(sa.velocity, g);
}

TEST(Sgd, SizeMismatchThrows) {
  std::vector<float> p = {1.0f, 2.0f}, g = {1.0f};
  SgdState state;
  EXPECT_THROW(sgd_step(p, g, state, {}), std::invalid_argument);
}

TEST(UpdateRule, PenaltyMomentumAndStepByHand) {
  // w = 0.5, g = 1, l2 = 0.1, l1 = 0.01, lr 0.1, mu 0.9:
  //   g' = 1 + 2*0.1*0.5 + 0.01 = 1.11; first step v = 1.11, w = 0.5 - 0.111 = 0.389;
  //   second step (same g): g' = 1 + 0.0778 + 0.01 = 1.0878, v = 0.999 + 1.0878 = 2.0868,
  //   w = 0.389 - 0.20868 = 0.18032.
  float w = 0.5f, v = 0.0f;
  const float g = 1.0f;
  const SgdOptions o{.lr = 0.1f, .momentum = 0.9f, .l1 = 0.01f, .l2 = 0.1f};
  sgd_update(&w, &v, &g, 1, o, true);
  EXPECT_NEAR(v, 1.11, 1e-6);
  EXPECT_NEAR(w, 0.389, 1e-6);
  sgd_update(&w, &v, &g, 1, o, false);
  EXPECT_NEAR(v, 2.0868, 1e-6);
  EXPECT_NEAR(w, 0.18032, 1e-6);
  // sign(0) = 0: an exact zero gets no L1 push; without a penalty the gradient is unchanged.
  EXPECT_EQ(penalised_gradient(0.0f, 0.25f, 0.01f, 0.0f), 0.25f);
  EXPECT_EQ(penalised_gradient(-3.0f, 0.25f, 0.0f, 0.0f), 0.25f);
  // sgd_step refuses a penalty: it belongs in the gradient (penalty_gradient), or it would be
  // added twice.
  std::vector<float> p = {1.0f}, gr = {1.0f};
  SgdState st;
  EXPECT_THROW(sgd_step(p, gr, st, o), std::invalid_argument);
}

}  // namespace nc
