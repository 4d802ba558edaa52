#pragma once
// The tutorial's convolutional encoding model (ConvFC): images (B,1,H,W) -> conv
// Conv2d(1 -> C, K, padding K/2) -> flatten (B, C*H*W) in (channel, row, column) order ->
// out_layer Linear(C*H*W -> N neurons). Loss: MSE + l2*sum(W_out^2) + l1*sum(|W_out|).
#include <cstdint>
#include <span>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "nn/conv2d.hpp"
#include "nn/parameters.hpp"

namespace nc::models {

struct EncoderShape {
  int64_t n_neurons = 0;  // N
  int channels = 6;       // C
  int kernel = 7;         // K (odd)
  int height = 12;        // H
  int width = 16;         // W
  int64_t features() const { return static_cast<int64_t>(channels) * height * width; }
  Conv2dShape conv(int batch) const { return {batch, 1, channels, height, width, kernel}; }
};

struct Encoder {
  EncoderShape shape;
  // conv.weight (C,1,K,K), conv.bias (C), out_layer.weight (N, C*H*W), out_layer.bias (N)
  ParameterSet params;
};

// Declaration indices of the parameters in Encoder::params.
enum EncoderParam : size_t { kConvWeight = 0, kConvBias = 1, kEncOutWeight = 2, kEncOutBias = 3 };

// Typed views of an encoder's parameters (values or gradients).
struct EncoderParams {
  float* conv_w;  // (C,1,K,K)
  float* conv_b;  // (C)
  MatMap out_w;   // (N, C*H*W)
  VecMap out_b;   // (N)
};
EncoderParams encoder_values(Encoder& e);
EncoderParams encoder_grads(Encoder& e);
// conv.weight and conv.bias: the few parameters before out_layer, as one flat span.
std::span<float> encoder_conv_values(Encoder& e);
std::span<float> encoder_conv_grads(Encoder& e);

Encoder encoder_create(const EncoderShape& shape);

enum class EncoderFilters { seed, random };
// Initialisation in the order the tutorial's ConvFC does it: PyTorch default inits for conv
// and out_layer, then (filters == seed) the filter bank into conv.weight and zeros into
// conv.bias, then out_layer.weight ~ normal(0, 0.01).
void encoder_init(Encoder& e, EncoderFilters filters, Rng& rng);

struct EncoderWorkspace {
  RowMat features;   // (B, C*H*W) conv output, flattened
  RowMat out;        // (B, N) predicted responses
  RowMat dout;       // (B, N)
  RowMat dfeatures;  // (B, C*H*W)
  void resize(int64_t batch, const EncoderShape& s);
};

// images is (B,1,H,W). Fills ws.features and ws.out.
void encoder_forward(const Encoder& e, const float* images, int64_t batch, EncoderWorkspace& ws);
// MSE of ws.out against target (B,N) plus the penalty on out_layer.weight.
double encoder_loss(const Encoder& e, CMatMap target, const EncoderWorkspace& ws, float l1,
                    float l2);
// Accumulates the gradient of encoder_loss into e.params.grads.
void encoder_backward(Encoder& e, const float* images, int64_t batch, CMatMap target,
                      EncoderWorkspace& ws, float l1, float l2);

}  // namespace nc::models
