#pragma once
// Fully connected layer, PyTorch nn.Linear semantics: y = x Wᵀ + b.
// Parameter gradients accumulate (+=) so several passes can add into one buffer; the gradient
// with respect to the input is written (=). Zero parameter gradients once per step.
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace nc {

// out is (B,O), inp is (B,I), weight is (O,I), bias is (O)
void linear_forward(MatMap out, CMatMap inp, CMatMap weight, CVecMap bias);

// dinp is (B,I) (written), dout is (B,O), weight is (O,I)
void linear_backward_input(MatMap dinp, CMatMap dout, CMatMap weight);

// dweight is (O,I) (+=), dbias is (O) (+=), dout is (B,O), inp is (B,I)
void linear_gradient(MatMap dweight, VecMap dbias, CMatMap dout, CMatMap inp);

// PyTorch's nn.Linear default initialisation: weight and bias ~ U(-1/sqrt(I), 1/sqrt(I)).
// weight is (O,I), bias is (O). Draws the weight first, row by row, then the bias.
void linear_init_default(MatMap weight, VecMap bias, Rng& rng);

}  // namespace nc
