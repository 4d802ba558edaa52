#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "gradcheck.hpp"
#include "nn/linear.hpp"

namespace nc {

TEST(Linear, ForwardTwoByThreeByHand) {
  // inp is (2,3), weight is (2,3), bias is (2)
  std::vector<float> inp = {1, 2, 3, 4, 5, 6};
  std::vector<float> weight = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  std::vector<float> bias = {0.1f, -0.2f};
  std::vector<float> out(4);
  linear_forward(MatMap(out.data(), 2, 2), CMatMap(inp.data(), 2, 3), CMatMap(weight.data(), 2, 3),
                 CVecMap(bias.data(), 2));
  // row 0: 1 - 3 + 0.1, 0.5*(1+2+3) - 0.2; row 1: 4 - 6 + 0.1, 0.5*(4+5+6) - 0.2
  EXPECT_FLOAT_EQ(out[0], -1.9f);
  EXPECT_FLOAT_EQ(out[1], 2.8f);
  EXPECT_FLOAT_EQ(out[2], -1.9f);
  EXPECT_FLOAT_EQ(out[3], 7.3f);
}

TEST(Linear, LargeProductsMatchNaiveLoops) {
  // Sizes large enough that Eigen hands the products to SGEMM rather than its small-size path.
  const int B = 64, I = 300, O = 50;
  Rng rng(3);
  auto inp = gradcheck_random(rng, size_t(B) * I);
  auto weight = gradcheck_random(rng, size_t(O) * I);
  auto bias = gradcheck_random(rng, O);
  auto dout = gradcheck_random(rng, size_t(B) * O);
  std::vector<float> out(size_t(B) * O), dinp(size_t(B) * I), dweight(size_t(O) * I, 0.0f),
      dbias(O, 0.0f);
  linear_forward(MatMap(out.data(), B, O), CMatMap(inp.data(), B, I), CMatMap(weight.data(), O, I),
                 CVecMap(bias.data(), O));
  linear_backward_input(MatMap(dinp.data(), B, I), CMatMap(dout.data(), B, O),
                        CMatMap(weight.data(), O, I));
  linear_gradient(MatMap(dweight.data(), O, I), VecMap(dbias.data(), O), CMatMap(dout.data(), B, O),
                  CMatMap(inp.data(), B, I));
  for (int b = 0; b < B; ++b)
    for (int o = 0; o < O; ++o) {
      double s = bias[o];
      for (int i = 0; i < I; ++i) s += double(inp[b * I + i]) * weight[o * I + i];
      ASSERT_NEAR(out[b * O + o], s, 1e-4) << b << "," << o;
    }
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < I; ++i) {
      double s = 0;
      for (int o = 0; o < O; ++o) s += double(dout[b * O + o]) * weight[o * I + i];
      ASSERT_NEAR(dinp[b * I + i], s, 1e-4) << b << "," << i;
    }
  for (int o = 0; o < O; ++o) {
    double sb = 0;
    for (int b = 0; b < B; ++b) sb += dout[b * O + o];
    ASSERT_NEAR(dbias[o], sb, 1e-4) << o;
    for (int i = 0; i < I; ++i) {
      double s = 0;
      for (int b = 0; b < B; ++b) s += double(dout[b * O + o]) * inp[b * I + i];
      ASSERT_NEAR(dweight[o * I + i], s, 1e-4) << o << "," << i;
    }
  }
}

TEST(Linear, GradientAccumulates) {
  const int B = 2, I = 3, O = 2;
  Rng rng(4);
  auto inp = gradcheck_random(rng, B * I);
  auto dout = gradcheck_random(rng, B * O);
  std::vector<float> dw1(O * I, 0.0f), db1(O, 0.0f), dw2(O * I, 0.0f), db2(O, 0.0f);
  linear_gradient(MatMap(dw1.data(), O, I), VecMap(db1.data(), O), CMatMap(dout.data(), B, O),
                  CMatMap(inp.data(), B, I));
  for (int k = 0; k < 2; ++k)
    linear_gradient(MatMap(dw2.data(), O, I), VecMap(db2.data(), O), CMatMap(dout.data(), B, O),
                    CMatMap(inp.data(), B, I));
  for (int i = 0; i < O * I; ++i) EXPECT_FLOAT_EQ(dw2[i], 2 * dw1[i]);
  for (int o = 0; o < O; ++o) EXPECT_FLOAT_EQ(db2[o], 2 * db1[o]);
}

TEST(Linear, GradcheckInputWeightBias) {
  const int B = 3, I = 5, O = 4;
  Rng rng(11);
  auto inp = gradcheck_random(rng, B * I);
  auto weight = gradcheck_random(rng, O * I);
  auto bias = gradcheck_random(rng, O);
  const auto R = gradcheck_random(rng, B * O);  // L = sum(R ⊙ out), so dout = R
  std::vector<float> out(B * O);
  auto loss = [&] {
    linear_forward(MatMap(out.data(), B, O), CMatMap(inp.data(), B, I),
                   CMatMap(weight.data(), O, I), CVecMap(bias.data(), O));
    return gradcheck_dot(R, out.data());
  };
  std::vector<float> dinp(B * I), dweight(O * I, 0.0f), dbias(O, 0.0f);
  linear_backward_input(MatMap(dinp.data(), B, I), CMatMap(R.data(), B, O),
                        CMatMap(weight.data(), O, I));
  linear_gradient(MatMap(dweight.data(), O, I), VecMap(dbias.data(), O), CMatMap(R.data(), B, O),
                  CMatMap(inp.data(), B, I));
  EXPECT_TRUE(gradcheck("dinp", inp.data(), dinp.data(), inp.size(), loss));
  EXPECT_TRUE(gradcheck("dweight", weight.data(), dweight.data(), weight.size(), loss));
  EXPECT_TRUE(gradcheck("dbias", bias.data(), dbias.data(), bias.size(), loss));
}

TEST(Linear, InitDefaultBoundsAndDrawOrder) {
  const int O = 40, I = 50;
  std::vector<float> w(O * I), b(O);
  Rng rng(7);
  linear_init_default(MatMap(w.data(), O, I), VecMap(b.data(), O), rng);
  const float bound = 1.0f / std::sqrt(float(I));
  for (float x : w) {
    ASSERT_GE(x, -bound);
    ASSERT_LT(x, bound);
  }
  for (float x : b) {
    ASSERT_GE(x, -bound);
    ASSERT_LT(x, bound);
  }
  // Documented order: weight row-major, then bias, one uniform(-bound, bound) draw each.
  Rng replay(7);
  for (float x : w) ASSERT_EQ(x, replay.uniform(-bound, bound));
  for (float x : b) ASSERT_EQ(x, replay.uniform(-bound, bound));
}

TEST(Linear, InitDefaultSameSeedSameWeights) {
  const int O = 6, I = 9;
  std::vector<float> w1(O * I), b1(O), w2(O * I), b2(O), w3(O * I), b3(O);
  Rng r1(5), r2(5), r3(6);
  linear_init_default(MatMap(w1.data(), O, I), VecMap(b1.data(), O), r1);
  linear_init_default(MatMap(w2.data(), O, I), VecMap(b2.data(), O), r2);
  linear_init_default(MatMap(w3.data(), O, I), VecMap(b3.data(), O), r3);
  EXPECT_EQ(w1, w2);
  EXPECT_EQ(b1, b2);
  EXPECT_NE(w1, w3);
}

TEST(Linear, InitDefaultUniformVariance) {
  // U(-a, a) has mean 0 and variance a^2/3 = 1/(3 I).
  const int O = 200, I = 100;
  std::vector<float> w(O * I), b(O);
  Rng rng(9);
  linear_init_default(MatMap(w.data(), O, I), VecMap(b.data(), O), rng);
  double s = 0, s2 = 0;
  for (float x : w) {
    s += x;
    s2 += double(x) * x;
  }
  const double mean = s / w.size(), var = s2 / w.size() - mean * mean;
  const double expected = 1.0 / (3.0 * I);
  EXPECT_NEAR(mean, 0.0, 0.05 / std::sqrt(double(I)));
  EXPECT_NEAR(var, expected, 0.05 * expected);
}

}  // namespace nc
