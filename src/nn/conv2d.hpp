#pragma once
// 2-D convolution as PyTorch's nn.Conv2d computes it: cross-correlation (no kernel flip),
// stride 1, zero padding K/2 so the output keeps the input's H x W. K must be odd.
// Arrays are contiguous, NCHW, like PyTorch tensors.
#include "core/rng.hpp"

namespace nc {

struct Conv2dShape {
  int batch = 1;    // B
  int c_in = 1;     // C_in
  int c_out = 1;    // C_out
  int height = 12;  // H
  int width = 16;   // W
  int kernel = 7;   // K (odd)
};

// out is (B,C_out,H,W), inp is (B,C_in,H,W), weight is (C_out,C_in,K,K), bias is (C_out)
void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias,
                    const Conv2dShape& s);

// dinp is (B,C_in,H,W) (written), dout is (B,C_out,H,W), weight is (C_out,C_in,K,K)
void conv2d_backward_input(float* dinp, const float* dout, const float* weight,
                           const Conv2dShape& s);

// dweight is (C_out,C_in,K,K) (+=), dbias is (C_out) (+=), dout is (B,C_out,H,W),
// inp is (B,C_in,H,W)
void conv2d_gradient(float* dweight, float* dbias, const float* dout, const float* inp,
                     const Conv2dShape& s);

// PyTorch's nn.Conv2d default initialisation: weight and bias ~ U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) with fan_in = C_in*K*K. Draws the weight first, then the bias.
void conv2d_init_default(float* weight, float* bias, const Conv2dShape& s, Rng& rng);

}  // namespace nc
