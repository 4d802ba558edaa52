#pragma once
// The tutorial's decoders: in_layer Linear(N -> H) -> ReLU -> out_layer Linear(H -> O), with
//   regression:      O = 1, MSE against the angle in degrees (DeepNetReLU);
//   classification:  O = C, LogSoftmax, NLL against the angle's class (DeepNetSoftmax);
//   circular:        O = 2, MSE against (cos, sin) of 2πθ/P, decoded with atan2 (issue 12);
// and an optional penalty l2*sum(W_in^2) + l1*sum(|W_in|) on in_layer.weight.
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "nn/parameters.hpp"

namespace nc::models {

enum class DecoderKind { regression, classification, circular };

struct DecoderShape {
  DecoderKind kind = DecoderKind::classification;
  int64_t n_inputs = 0;    // N neurons
  int64_t n_hidden = 20;   // H
  int64_t n_outputs = 20;  // 1 for regression, C for classification, 2 for circular
};

struct Decoder {
  DecoderShape shape;
  // in_layer.weight (H,N), in_layer.bias (H), out_layer.weight (O,H), out_layer.bias (O), laid
  // out in this order (DecoderParam); the names are for state_dict files only.
  ParameterSet params;
};

// Declaration indices of the parameters in Decoder::params.
enum DecoderParam : size_t { kInWeight = 0, kInBias = 1, kOutWeight = 2, kOutBias = 3 };

// Typed views of a decoder's parameters (values or gradients).
struct DecoderParams {
  MatMap in_w;   // (H,N)
  VecMap in_b;   // (H)
  MatMap out_w;  // (O,H)
  VecMap out_b;  // (O)
};
struct DecoderParamsConst {
  CMatMap in_w;   // (H,N)
  CVecMap in_b;   // (H)
  CMatMap out_w;  // (O,H)
  CVecMap out_b;  // (O)
};
DecoderParams decoder_values(Decoder& d);
DecoderParamsConst decoder_values(const Decoder& d);
DecoderParams decoder_grads(Decoder& d);
// The "head": every parameter but in_layer.weight (in_layer.bias, out_layer.weight,
// out_layer.bias), contiguous after it by construction. The dual and fused trainers carry
// in_layer.weight their own way and step the head as one flat array.
std::span<float> decoder_head_values(Decoder& d);
std::span<float> decoder_head_grads(Decoder& d);

// Declares and allocates the parameters (zeroed).
Decoder decoder_create(const DecoderShape& shape);
// PyTorch's default nn.Linear initialisation, in_layer first.
void decoder_init_default(Decoder& d, Rng& rng);

// What the loss compares the output with: angles (regression), classes (classification) or
// unit vectors (circular).
struct DecoderTargets {
  std::vector<float> angles;     // (B) degrees
  std::vector<int32_t> classes;  // (B) in [0, C)
  RowMat unit;                   // (B,2) cos, sin of 2πθ/P, circular only
};

// Buffers for a batch of B rows, reused across iterations (no allocation in the loop).
struct DecoderWorkspace {
  RowMat hidden;   // (B,H) relu(x W_inᵀ + b_in)
  RowMat out;      // (B,O) prediction (regression) or log-probabilities (classification)
  RowMat dout;     // (B,O)
  RowMat dhidden;  // (B,H)
  RowMat target;   // (B,1) angles as a matrix, regression only
  void resize(int64_t batch, const DecoderShape& s);
};

struct Penalty {
  float l1 = 0.0f;
  float l2 = 0.0f;
  bool active() const { return l1 != 0.0f || l2 != 0.0f; }
};

// x is (B,N). Fills ws.hidden and ws.out.
void decoder_forward(const Decoder& d, CMatMap x, DecoderWorkspace& ws);
// From ws.hidden on: the out layer (and log-softmax) into ws.out. The dual and fused trainers
// compute the hidden layer their own way and finish the forward pass with this.
void decoder_forward_head(const Decoder& d, DecoderWorkspace& ws);
// Data loss of ws.out (MSE or NLL, mean), without the penalty.
double decoder_data_loss(const Decoder& d, const DecoderTargets& t, const DecoderWorkspace& ws);
// Data loss of ws.out (MSE or NLL, mean) plus the penalty on in_layer.weight.
double decoder_loss(const Decoder& d, const DecoderTargets& t, const DecoderWorkspace& ws,
                    const Penalty& p);
// Accumulates the gradient of decoder_loss into d.params.grads. x is (B,N).
void decoder_backward(Decoder& d, CMatMap x, const DecoderTargets& t, DecoderWorkspace& ws,
                      const Penalty& p);
// The part of decoder_backward above in_layer: accumulates out_layer's gradients and leaves
// dLoss/d(hidden pre-activation) in ws.dhidden. The dual and fused trainers carry in_layer's
// weight their own way and take its gradient from ws.dhidden.
void decoder_backward_head(Decoder& d, const DecoderTargets& t, DecoderWorkspace& ws);

// The gradient of the head (every parameter but in_layer.weight) from the loss of ws.out:
// zeroes the head's gradients and accumulates them, in_layer.bias's from ws.dhidden. ws.dhidden
// keeps dLoss/d(hidden pre-activation), from which the dual and fused trainers step
// in_layer.weight their own way.
void decoder_head_gradient(Decoder& d, const DecoderTargets& t, DecoderWorkspace& ws);

// Predicted class per row (argmax of log-probabilities, first on ties), classification only.
std::vector<int32_t> predicted_classes(const RowMat& logp);

}  // namespace nc::models
