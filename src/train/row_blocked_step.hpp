#pragma once
// The encoder's out_layer step in one pass over its weights, row block by row block. The layer
// is out = F Wᵀ + b with W (N x F) = 23589 x 1152 floats (108 MB) while F has few rows: a plain
// step streams W from memory five times (dF, dW, penalty, velocity, update). Here each block of
// W's rows is read once while it is in cache:
//   dF    (U,F) += dOut[:, blk] W[blk, :]          (with the old W)
//   g           = dOut[:, blk]ᵀ F
//   W, v        <- nn/update_rule.hpp's rule (L1/L2 on W, momentum, step)
// The workers each take a contiguous range of rows and their own dF partial; the partials are
// summed in a fixed order, so results are identical for a given thread count. The plain
// composition (linear_gradient, linear_backward_input, penalty_gradient, sgd_step) is the
// reference this is tested against (tests/test_encoder_fused.cpp).
#include <cstdint>

#include "core/tensor.hpp"
#include "nn/losses.hpp"
#include "nn/update_rule.hpp"

namespace nc::train {

// The layer's parameters and momentum buffers. w is (N,F), b (N); vw (N,F) and vb (N) are null
// without momentum.
struct RowBlockedLayer {
  float* w = nullptr;
  float* b = nullptr;
  float* vw = nullptr;
  float* vb = nullptr;
};

// One step from the parameters in `from` into `to` (the same layout; `to` may be `from` for an
// update in place). Written out of place, the step leaves the state before it untouched in
// `from` at no extra memory traffic (each block is copied while it is in cache anyway), so a
// diverged step is undone by swapping the buffers back. dout is (U,N), feats is (U,F); dfeats
// (U,F) is written with dOut W (the old W). opt's l1/l2 apply to w only; `first` = no velocity
// yet (it starts as the gradient, and from.vw/vb are not read).
void row_blocked_sgd_step(const RowBlockedLayer& from, const RowBlockedLayer& to, CMatMap dout,
                          CMatMap feats, MatMap dfeats, const SgdOptions& opt, bool first);

// out (U,N) = feats (U,F) Wᵀ + b, by the same row blocks and workers. While each block is in
// cache it also sums w² and |w| (for the penalty terms of the loss) when `sums` is given.
void row_blocked_forward(MatMap out, CMatMap feats, const float* w, const float* b,
                         WeightSums* sums = nullptr);

}  // namespace nc::train
