#pragma once
// Element-wise and row-wise activations. Backward functions write (=) the input gradient.
#include "core/tensor.hpp"

namespace nc {

// out and inp are (B,D); out may alias inp
void relu_forward(MatMap out, CMatMap inp);
// dinp, dout and out are (B,D); out is the forward output; the gradient at 0 is 0 (as PyTorch)
void relu_backward(MatMap dinp, CMatMap dout, CMatMap out);

// Log-softmax over each row (PyTorch nn.LogSoftmax(dim=1)), max-shifted for stability.
// out and inp are (B,C)
void log_softmax_forward(MatMap out, CMatMap inp);
// dinp, dout and out are (B,C): dinp = dout - softmax(out-row) * rowsum(dout)
void log_softmax_backward(MatMap dinp, CMatMap dout, CMatMap out);

}  // namespace nc
