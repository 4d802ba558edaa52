#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gradcheck.hpp"
#include "nn/activations.hpp"

namespace nc {

TEST(Relu, ForwardValuesAndInPlace) {
  std::vector<float> x = {-2.0f, -0.0f, 0.0f, 0.5f, 3.0f, -1e-30f};
  std::vector<float> y(x.size());
  relu_forward(MatMap(y.data(), 2, 3), CMatMap(x.data(), 2, 3));
  const std::vector<float> expected = {0, 0, 0, 0.5f, 3.0f, 0};
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], expected[i]) << i;
  relu_forward(MatMap(x.data(), 2, 3), CMatMap(x.data(), 2, 3));  // out aliases inp
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(x[i], expected[i]) << i;
}

TEST(Relu, ForwardPropagatesNan) {
  std::vector<float> x = {std::numeric_limits<float>::quiet_NaN()}, y(1);
  relu_forward(MatMap(y.data(), 1, 1), CMatMap(x.data(), 1, 1));
  EXPECT_TRUE(std::isnan(y[0]));
}

TEST(Relu, BackwardZeroAtZero) {
  std::vector<float> out = {0.0f, 2.0f, 0.0f, 1e-3f}, dout = {5, 6, 7, 8}, dinp(4);
  relu_backward(MatMap(dinp.data(), 1, 4), CMatMap(dout.data(), 1, 4), CMatMap(out.data(), 1, 4));
  EXPECT_EQ(dinp[0], 0.0f);
  EXPECT_EQ(dinp[1], 6.0f);
  EXPECT_EQ(dinp[2], 0.0f);
  EXPECT_EQ(dinp[3], 8.0f);
}

TEST(Relu, Gradcheck) {
  // Inputs at least 0.1 from the kink at 0, ten steps away, so no difference straddles it.
  const int B = 4, D = 6;
  Rng rng(21);
  auto x = gradcheck_random_away_from_zero(rng, B * D);
  const auto R = gradcheck_random(rng, B * D);
  std::vector<float> y(B * D), dx(B * D);
  auto loss = [&] {
    relu_forward(MatMap(y.data(), B, D), CMatMap(x.data(), B, D));
    return gradcheck_dot(R, y.data());
  };
  loss();
  relu_backward(MatMap(dx.data(), B, D), CMatMap(R.data(), B, D), CMatMap(y.data(), B, D));
  EXPECT_TRUE(gradcheck("dinp", x.data(), dx.data(), x.size(), loss));
}

TEST(LogSoftmax, RowsExponentiateToOneAndMatchDirectFormula) {
  const int B = 5, C = 7;
  Rng rng(31);
  auto x = gradcheck_random(rng, B * C, -4.0f, 4.0f);
  std::vector<float> y(B * C);
  log_softmax_forward(MatMap(y.data(), B, C), CMatMap(x.data(), B, C));
  for (int b = 0; b < B; ++b) {
    double z = 0, p = 0;
    for (int c = 0; c < C; ++c) z += std::exp(double(x[b * C + c]));
    for (int c = 0; c < C; ++c) {
      EXPECT_NEAR(y[b * C + c], double(x[b * C + c]) - std::log(z), 1e-6);
      p += std::exp(double(y[b * C + c]));
    }
    EXPECT_NEAR(p, 1.0, 1e-6);
  }
}

TEST(LogSoftmax, StableForLargeInputs) {
  // exp(1000) overflows; the max shift keeps the result finite and exact: log_softmax is
  // invariant to adding a constant to a row.
  std::vector<float> x = {1000.0f, 1001.0f, 1002.0f, -1000.0f, -1001.0f, -1002.0f};
  std::vector<float> y(6);
  log_softmax_forward(MatMap(y.data(), 2, 3), CMatMap(x.data(), 2, 3));
  const double lse = std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  EXPECT_NEAR(y[0], -2.0 - lse, 1e-5);
  EXPECT_NEAR(y[1], -1.0 - lse, 1e-5);
  EXPECT_NEAR(y[2], -lse, 1e-5);
  EXPECT_NEAR(y[3], -lse, 1e-5);
  EXPECT_NEAR(y[5], -2.0 - lse, 1e-5);
}

TEST(LogSoftmax, Gradcheck) {
  const int B = 4, C = 5;
  Rng rng(41);
  auto x = gradcheck_random(rng, B * C, -2.0f, 2.0f);
  const auto R = gradcheck_random(rng, B * C);
  std::vector<float> y(B * C), dx(B * C);
  auto loss = [&] {
    log_softmax_forward(MatMap(y.data(), B, C), CMatMap(x.data(), B, C));
    return gradcheck_dot(R, y.data());
  };
  loss();
  log_softmax_backward(MatMap(dx.data(), B, C), CMatMap(R.data(), B, C), CMatMap(y.data(), B, C));
  EXPECT_TRUE(gradcheck("dinp", x.data(), dx.data(), x.size(), loss));
}

TEST(LogSoftmax, InPlaceGivesTheSameResults) {
  // The trainers call both directions in place (out = inp, dinp = dout), over more classes than
  // one vector holds (the 20 of the tutorial) and with calls of different shapes in between.
  for (const int C : {20, 3, 37}) {
    const int B = 9;
    Rng rng(51 + C);
    const auto x = gradcheck_random(rng, B * C, -3.0f, 3.0f);
    const auto g = gradcheck_random(rng, B * C);
    std::vector<float> y(B * C), dx(B * C);
    log_softmax_forward(MatMap(y.data(), B, C), CMatMap(x.data(), B, C));
    log_softmax_backward(MatMap(dx.data(), B, C), CMatMap(g.data(), B, C), CMatMap(y.data(), B, C));
    std::vector<float> in_place = x, d_in_place = g;
    log_softmax_forward(MatMap(in_place.data(), B, C), CMatMap(in_place.data(), B, C));
    log_softmax_backward(MatMap(d_in_place.data(), B, C), CMatMap(d_in_place.data(), B, C),
                         CMatMap(in_place.data(), B, C));
    EXPECT_EQ(in_place, y);
    EXPECT_EQ(d_in_place, dx);
    // and the backward is the formula: dinp = dout - softmax * rowsum(dout)
    for (int b = 0; b < B; ++b) {
      double s = 0;
      for (int c = 0; c < C; ++c) s += g[b * C + c];
      for (int c = 0; c < C; ++c) {
        EXPECT_NEAR(dx[b * C + c], g[b * C + c] - std::exp(double(y[b * C + c])) * s, 1e-5);
      }
    }
  }
}

TEST(LogSoftmax, ResultDoesNotDependOnWhereTheBuffersLie) {
  // Vectorised exp rounds differently from scalar exp; the kernels must not let a buffer's
  // alignment decide which elements get which (results are bit-identical run to run).
  const int B = 11, C = 20;
  Rng rng(61);
  const auto x = gradcheck_random(rng, B * C, -3.0f, 3.0f);
  const auto g = gradcheck_random(rng, B * C);
  std::vector<float> y0, d0;
  for (int offset = 0; offset < 16; ++offset) {
    std::vector<float> xs(B * C + 16), ys(B * C + 16), gs(B * C + 16), ds(B * C + 16);
    std::copy(x.begin(), x.end(), xs.begin() + offset);
    std::copy(g.begin(), g.end(), gs.begin() + offset);
    log_softmax_forward(MatMap(ys.data() + offset, B, C), CMatMap(xs.data() + offset, B, C));
    log_softmax_backward(MatMap(ds.data() + offset, B, C), CMatMap(gs.data() + offset, B, C),
                         CMatMap(ys.data() + offset, B, C));
    const std::vector<float> y(ys.begin() + offset, ys.begin() + offset + B * C);
    const std::vector<float> d(ds.begin() + offset, ds.begin() + offset + B * C);
    if (offset == 0) {
      y0 = y;
      d0 = d;
    } else {
      EXPECT_EQ(y, y0) << "offset " << offset;
      EXPECT_EQ(d, d0) << "offset " << offset;
    }
  }
}

}  // namespace nc
