#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "gradcheck.hpp"
#include "nn/conv2d.hpp"

namespace nc {
namespace {

size_t conv_in_size(const Conv2dShape& s) {
  return size_t(s.batch) * s.c_in * s.height * s.width;
}
size_t conv_out_size(const Conv2dShape& s) {
  return size_t(s.batch) * s.c_out * s.height * s.width;
}
size_t conv_weight_size(const Conv2dShape& s) {
  return size_t(s.c_out) * s.c_in * s.kernel * s.kernel;
}

// An independent reference, written the textbook way: copy the input into a zero-padded
// (H+2P, W+2P) buffer, then out[y,x] = b + sum w[ky,kx] * padded[y+ky, x+kx], in double.
std::vector<double> conv_reference(const std::vector<float>& inp, const std::vector<float>& w,
                                   const std::vector<float>& bias, const Conv2dShape& s) {
  const int H = s.height, W = s.width, K = s.kernel, P = K / 2;
  const int Hp = H + 2 * P, Wp = W + 2 * P;
  std::vector<double> padded(size_t(s.batch) * s.c_in * Hp * Wp, 0.0);
  for (int b = 0; b < s.batch; ++b)
    for (int c = 0; c < s.c_in; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          padded[((size_t(b) * s.c_in + c) * Hp + y + P) * Wp + x + P] =
              inp[((size_t(b) * s.c_in + c) * H + y) * W + x];
  std::vector<double> out(conv_out_size(s));
  for (int b = 0; b < s.batch; ++b)
    for (int co = 0; co < s.c_out; ++co)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
          double acc = bias[co];
          for (int ci = 0; ci < s.c_in; ++ci)
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx)
                acc += double(w[((size_t(co) * s.c_in + ci) * K + ky) * K + kx]) *
                       padded[((size_t(b) * s.c_in + ci) * Hp + y + ky) * Wp + x + kx];
          out[((size_t(b) * s.c_out + co) * H + y) * W + x] = acc;
        }
  return out;
}

void conv_expect_matches_reference(const Conv2dShape& s, uint64_t seed) {
  Rng rng(seed);
  const auto inp = gradcheck_random(rng, conv_in_size(s));
  const auto w = gradcheck_random(rng, conv_weight_size(s));
  const auto bias = gradcheck_random(rng, s.c_out);
  std::vector<float> out(conv_out_size(s));
  conv2d_forward(out.data(), inp.data(), w.data(), bias.data(), s);
  const auto ref = conv_reference(inp, w, bias, s);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], ref[i], 1e-5) << "element " << i;
}

void conv_expect_gradcheck(const Conv2dShape& s, uint64_t seed) {
  Rng rng(seed);
  auto inp = gradcheck_random(rng, conv_in_size(s));
  auto w = gradcheck_random(rng, conv_weight_size(s));
  auto bias = gradcheck_random(rng, s.c_out);
  const auto R = gradcheck_random(rng, conv_out_size(s));  // L = sum(R ⊙ out), dout = R
  std::vector<float> out(conv_out_size(s));
  auto loss = [&] {
    conv2d_forward(out.data(), inp.data(), w.data(), bias.data(), s);
    return gradcheck_dot(R, out.data());
  };
  std::vector<float> dinp(conv_in_size(s)), dw(conv_weight_size(s), 0.0f), db(s.c_out, 0.0f);
  conv2d_backward_input(dinp.data(), R.data(), w.data(), s);
  conv2d_gradient(dw.data(), db.data(), R.data(), inp.data(), s);
  EXPECT_TRUE(gradcheck("dinp", inp.data(), dinp.data(), inp.size(), loss));
  EXPECT_TRUE(gradcheck("dweight", w.data(), dw.data(), w.size(), loss));
  EXPECT_TRUE(gradcheck("dbias", bias.data(), db.data(), bias.size(), loss));
}

}  // namespace

TEST(Conv2d, ForwardMatchesPaddedReference) {
  conv_expect_matches_reference(
      {.batch = 2, .c_in = 1, .c_out = 3, .height = 5, .width = 6, .kernel = 3}, 101);
  conv_expect_matches_reference(
      {.batch = 1, .c_in = 2, .c_out = 2, .height = 4, .width = 7, .kernel = 5}, 102);
  // The encoder's shape (batch cut to 3): 1 -> 6 channels, 12x16, K = 7.
  conv_expect_matches_reference(
      {.batch = 3, .c_in = 1, .c_out = 6, .height = 12, .width = 16, .kernel = 7}, 103);
  // Kernel wider than the image, and K = 1.
  conv_expect_matches_reference(
      {.batch = 2, .c_in = 2, .c_out = 1, .height = 3, .width = 2, .kernel = 7}, 104);
  conv_expect_matches_reference(
      {.batch = 2, .c_in = 3, .c_out = 2, .height = 4, .width = 5, .kernel = 1}, 105);
}

TEST(Conv2d, CentredDeltaGivesKernelRotated180) {
  // PyTorch's conv2d is cross-correlation: out[y,x] = sum w[ky,kx] in[y+ky-P, x+kx-P]. With a
  // unit impulse at (cy,cx), out[cy+dy, cx+dx] = w[P-dy, P-dx]: the kernel rotated by 180
  // degrees (a true convolution would give the kernel as is). Zero outside the K x K window.
  const Conv2dShape s{.batch = 1, .c_in = 1, .c_out = 1, .height = 7, .width = 7, .kernel = 3};
  std::vector<float> inp(49, 0.0f), out(49);
  inp[3 * 7 + 3] = 1.0f;
  const std::vector<float> w = {1, 2, 3, 4, 5, 6, 7, 8, 9}, bias = {0.0f};
  conv2d_forward(out.data(), inp.data(), w.data(), bias.data(), s);
  for (int y = 0; y < 7; ++y)
    for (int x = 0; x < 7; ++x) {
      const int dy = y - 3, dx = x - 3;
      const bool inside = std::abs(dy) <= 1 && std::abs(dx) <= 1;
      const float expected = inside ? w[(1 - dy) * 3 + (1 - dx)] : 0.0f;
      EXPECT_EQ(out[y * 7 + x], expected) << y << "," << x;
    }
  EXPECT_EQ(out[2 * 7 + 2], 9.0f);  // top-left of the window holds the kernel's bottom-right
  EXPECT_EQ(out[4 * 7 + 4], 1.0f);
  EXPECT_EQ(out[2 * 7 + 3], 8.0f);
}

TEST(Conv2d, OnesKernelCountsNeighboursInsideZeroPadding) {
  const Conv2dShape s{.batch = 1, .c_in = 1, .c_out = 1, .height = 3, .width = 4, .kernel = 3};
  std::vector<float> inp(12, 1.0f), out(12), w(9, 1.0f), bias = {0.5f};
  conv2d_forward(out.data(), inp.data(), w.data(), bias.data(), s);
  const std::vector<float> expected = {4, 6, 6, 4, 6, 9, 9, 6, 4, 6, 6, 4};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[i], expected[i] + 0.5f) << i;
}

TEST(Conv2d, GradcheckTwoShapes) {
  conv_expect_gradcheck({.batch = 2, .c_in = 1, .c_out = 3, .height = 5, .width = 6, .kernel = 3},
                        201);
  conv_expect_gradcheck({.batch = 1, .c_in = 2, .c_out = 2, .height = 4, .width = 7, .kernel = 5},
                        202);
  conv_expect_gradcheck({.batch = 2, .c_in = 2, .c_out = 1, .height = 3, .width = 2, .kernel = 7},
                        203);
}

TEST(Conv2d, BackwardIsAdjointAtEncoderShape) {
  // With bias 0, <R, conv(x; w)> is linear in x and in w, so it equals both
  // <backward_input(R), x> and <dweight(R, x), w>: a check of the backward kernels at the
  // encoder's size, where a full finite-difference check would be slow.
  const Conv2dShape s{.batch = 4, .c_in = 1, .c_out = 6, .height = 12, .width = 16, .kernel = 7};
  Rng rng(301);
  const auto inp = gradcheck_random(rng, conv_in_size(s));
  const auto w = gradcheck_random(rng, conv_weight_size(s));
  const auto R = gradcheck_random(rng, conv_out_size(s));
  const std::vector<float> zero_bias(s.c_out, 0.0f);
  std::vector<float> out(conv_out_size(s)), dinp(conv_in_size(s), 7.0f);
  std::vector<float> dw(conv_weight_size(s), 0.0f), db(s.c_out, 0.0f);
  conv2d_forward(out.data(), inp.data(), w.data(), zero_bias.data(), s);
  conv2d_backward_input(dinp.data(), R.data(), w.data(), s);  // writes: the 7s must go
  conv2d_gradient(dw.data(), db.data(), R.data(), inp.data(), s);
  const double lhs = gradcheck_dot(R, out.data());
  EXPECT_NEAR(gradcheck_dot(dinp, inp.data()), lhs, 1e-4 * std::fabs(lhs) + 1e-3);
  EXPECT_NEAR(gradcheck_dot(dw, w.data()), lhs, 1e-4 * std::fabs(lhs) + 1e-3);
}

TEST(Conv2d, GradientAccumulates) {
  const Conv2dShape s{.batch = 2, .c_in = 2, .c_out = 2, .height = 3, .width = 4, .kernel = 3};
  Rng rng(401);
  const auto inp = gradcheck_random(rng, conv_in_size(s));
  const auto R = gradcheck_random(rng, conv_out_size(s));
  std::vector<float> dw1(conv_weight_size(s), 0.0f), db1(2, 0.0f);
  std::vector<float> dw2(conv_weight_size(s), 0.0f), db2(2, 0.0f);
  conv2d_gradient(dw1.data(), db1.data(), R.data(), inp.data(), s);
  conv2d_gradient(dw2.data(), db2.data(), R.data(), inp.data(), s);
  conv2d_gradient(dw2.data(), db2.data(), R.data(), inp.data(), s);
  for (size_t i = 0; i < dw1.size(); ++i) EXPECT_FLOAT_EQ(dw2[i], 2 * dw1[i]);
  for (int i = 0; i < 2; ++i) EXPECT_FLOAT_EQ(db2[i], 2 * db1[i]);
}

TEST(Conv2d, EvenKernelThrows) {
  const Conv2dShape s{.batch = 1, .c_in = 1, .c_out = 1, .height = 4, .width = 4, .kernel = 4};
  std::vector<float> buf(64, 0.0f);
  Rng rng(1);
  EXPECT_THROW(conv2d_forward(buf.data(), buf.data(), buf.data(), buf.data(), s),
               std::invalid_argument);
  EXPECT_THROW(conv2d_backward_input(buf.data(), buf.data(), buf.data(), s), std::invalid_argument);
  EXPECT_THROW(conv2d_gradient(buf.data(), buf.data(), buf.data(), buf.data(), s),
               std::invalid_argument);
  EXPECT_THROW(conv2d_init_default(buf.data(), buf.data(), s, rng), std::invalid_argument);
}

TEST(Conv2d, InitDefaultBoundsAndDrawOrder) {
  const Conv2dShape s{.batch = 1, .c_in = 2, .c_out = 6, .height = 12, .width = 16, .kernel = 7};
  std::vector<float> w(conv_weight_size(s)), b(s.c_out);
  Rng rng(17);
  conv2d_init_default(w.data(), b.data(), s, rng);
  const float bound = 1.0f / std::sqrt(float(2 * 7 * 7));  // fan_in = C_in*K*K
  Rng replay(17);
  for (float x : w) {
    ASSERT_GE(x, -bound);
    ASSERT_LT(x, bound);
    ASSERT_EQ(x, replay.uniform(-bound, bound));  // (C_out,C_in,K,K) memory order
  }
  for (float x : b) ASSERT_EQ(x, replay.uniform(-bound, bound));  // then the bias
}

}  // namespace nc
