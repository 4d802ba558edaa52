#include "nn/conv2d.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace nc {
namespace {

void conv2d_check(const Conv2dShape& s) {
  if (s.kernel <= 0 || s.kernel % 2 == 0)
    throw std::invalid_argument("conv2d: kernel size must be odd and positive, got " +
                                std::to_string(s.kernel));
  if (s.batch < 0 || s.c_in < 0 || s.c_out < 0 || s.height < 0 || s.width < 0)
    throw std::invalid_argument("conv2d: negative dimension");
}

// For a kernel tap at offset d = k - K/2, the output rows y whose input row y+d lies inside
// [0, n): y in [lo, hi). The loops below run only over these, so padding costs nothing.
struct Range {
  int lo, hi;
};
Range conv2d_valid(int d, int n) {
  return {std::max(0, -d), std::min(n, n - d)};
}

}  // namespace

// The three kernels share one loop nest: for every (c_out, c_in, ky, kx) tap, a shifted
// (H,W) window of the input plane lines up with the output plane,
//   out[b,co,y,x] += w[co,ci,ky,kx] * inp[b,ci,y+ky-P,x+kx-P],  P = K/2,
// cross-correlation as PyTorch computes it (no kernel flip). The innermost loop runs along a
// contiguous row of both planes.

void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                    const Conv2dShape& s) {
  // out is (B,C_out,H,W), inp is (B,C_in,H,W), weight is (C_out,C_in,K,K), bias is (C_out)
  conv2d_check(s);
  const int H = s.height, W = s.width, K = s.kernel, P = K / 2;
  const size_t plane = size_t(H) * W;
  for (int b = 0; b < s.batch; ++b) {
    for (int co = 0; co < s.c_out; ++co) {
      float* o = out + (size_t(b) * s.c_out + co) * plane;
      std::fill(o, o + plane, bias[co]);
      for (int ci = 0; ci < s.c_in; ++ci) {
        const float* x = inp + (size_t(b) * s.c_in + ci) * plane;
        const float* w = weight + (size_t(co) * s.c_in + ci) * K * K;
        for (int ky = 0; ky < K; ++ky) {
          const Range ry = conv2d_valid(ky - P, H);
          for (int kx = 0; kx < K; ++kx) {
            const Range rx = conv2d_valid(kx - P, W);
            const float wk = w[ky * K + kx];
            for (int y = ry.lo; y < ry.hi; ++y) {
              float* orow = o + size_t(y) * W;
              const float* xrow = x + size_t(y + ky - P) * W;
              for (int xx = rx.lo; xx < rx.hi; ++xx) orow[xx] += wk * xrow[xx + kx - P];
            }
          }
        }
      }
    }
  }
}

void conv2d_backward_input(float* dinp, const float* dout, const float* weight,
                           const Conv2dShape& s) {
  // dinp is (B,C_in,H,W), dout is (B,C_out,H,W), weight is (C_out,C_in,K,K).
  // The transpose of the forward: each tap scatters w * dout[y,x] back to inp[y+ky-P,x+kx-P].
  conv2d_check(s);
  const int H = s.height, W = s.width, K = s.kernel, P = K / 2;
  const size_t plane = size_t(H) * W;
  std::fill(dinp, dinp + size_t(s.batch) * s.c_in * plane, 0.0f);
  for (int b = 0; b < s.batch; ++b) {
    for (int co = 0; co < s.c_out; ++co) {
      const float* g = dout + (size_t(b) * s.c_out + co) * plane;
      for (int ci = 0; ci < s.c_in; ++ci) {
        float* d = dinp + (size_t(b) * s.c_in + ci) * plane;
        const float* w = weight + (size_t(co) * s.c_in + ci) * K * K;
        for (int ky = 0; ky < K; ++ky) {
          const Range ry = conv2d_valid(ky - P, H);
          for (int kx = 0; kx < K; ++kx) {
            const Range rx = conv2d_valid(kx - P, W);
            const float wk = w[ky * K + kx];
            for (int y = ry.lo; y < ry.hi; ++y) {
              const float* grow = g + size_t(y) * W;
              float* drow = d + size_t(y + ky - P) * W;
              for (int xx = rx.lo; xx < rx.hi; ++xx) drow[xx + kx - P] += wk * grow[xx];
            }
          }
        }
      }
    }
  }
}

void conv2d_gradient(float* dweight, float* dbias, const float* dout, const float* inp,
                     const Conv2dShape& s) {
  // dweight is (C_out,C_in,K,K), dbias is (C_out), dout is (B,C_out,H,W), inp is (B,C_in,H,W).
  // Each weight gradient sums B*H*W products (11520 in the encoder); the sum is kept in double
  // so its rounding does not grow with the batch, and added to the float buffer once.
  conv2d_check(s);
  const int H = s.height, W = s.width, K = s.kernel, P = K / 2;
  const size_t plane = size_t(H) * W;
  for (int co = 0; co < s.c_out; ++co) {
    double bsum = 0.0;
    for (int b = 0; b < s.batch; ++b) {
      const float* g = dout + (size_t(b) * s.c_out + co) * plane;
      for (size_t i = 0; i < plane; ++i) bsum += g[i];
    }
    dbias[co] += static_cast<float>(bsum);
    for (int ci = 0; ci < s.c_in; ++ci) {
      float* dw = dweight + (size_t(co) * s.c_in + ci) * K * K;
      for (int ky = 0; ky < K; ++ky) {
        const Range ry = conv2d_valid(ky - P, H);
        for (int kx = 0; kx < K; ++kx) {
          const Range rx = conv2d_valid(kx - P, W);
          double acc = 0.0;
          for (int b = 0; b < s.batch; ++b) {
            const float* g = dout + (size_t(b) * s.c_out + co) * plane;
            const float* x = inp + (size_t(b) * s.c_in + ci) * plane;
            for (int y = ry.lo; y < ry.hi; ++y) {
              const float* grow = g + size_t(y) * W;
              const float* xrow = x + size_t(y + ky - P) * W;
              for (int xx = rx.lo; xx < rx.hi; ++xx) acc += grow[xx] * xrow[xx + kx - P];
            }
          }
          dw[ky * K + kx] += static_cast<float>(acc);
        }
      }
    }
  }
}

void conv2d_init_default(float* weight, float* bias, const Conv2dShape& s, Rng& rng) {
  // PyTorch: kaiming_uniform_(a=sqrt(5)) on the weight gives bound 1/sqrt(fan_in), the same as
  // the bias bound. Weight drawn in its memory order (C_out,C_in,K,K), then the bias.
  conv2d_check(s);
  const int64_t fan_in = int64_t(s.c_in) * s.kernel * s.kernel;
  const float bound = fan_in > 0 ? static_cast<float>(1.0 / std::sqrt(double(fan_in))) : 0.0f;
  const size_t nw = size_t(s.c_out) * s.c_in * s.kernel * s.kernel;
  for (size_t i = 0; i < nw; ++i) weight[i] = rng.uniform(-bound, bound);
  for (int co = 0; co < s.c_out; ++co) bias[co] = rng.uniform(-bound, bound);
}

}  // namespace nc
