#pragma once
// One fused pass for training a wide Linear layer, out = F Wᵀ + b, with SGD (momentum, L1/L2
// on W). The encoder's out_layer W is (N x F) = 23589 x 1152 floats (108 MB) while F has few
// rows: a plain step streams W from memory five times (dF, dW, penalty, velocity, update). Here
// each block of W's rows is read once while it is in cache:
//   dF    (U,F) += dOut[:, blk] W[blk, :]          (with the old W)
//   g           = dOut[:, blk]ᵀ F + 2 l2 W + l1 sign(W)
//   v           = g (first step) or mu v + g;  W -= lr v      (PyTorch SGD semantics)
// The workers each take a contiguous range of rows and their own dF partial; the partials are
// summed in a fixed order, so results are identical for a given thread count.
// The plain composition (linear_gradient, linear_backward_input, penalty_gradient, sgd_step)
// is the reference this is tested against.
#include <cstdint>

#include "core/tensor.hpp"

namespace nc {

struct FusedSgdOptions {
  float lr = 0.1f;
  float momentum = 0.0f;
  float l1 = 0.0f;
  float l2 = 0.0f;
  bool first_step = true;  // momentum buffers start as the gradient (PyTorch)
};

// w is (N,F), b is (N), vw (N,F) and vb (N) are the momentum buffers (unused without momentum),
// backup_w (N,F) and backup_b (N) receive the parameters before the step (may be null),
// dout is (U,N), feats is (U,F); dfeats (U,F) is written with dOut W (old W).
void linear_sgd_fused_step(float* w, float* b, float* vw, float* vb, float* backup_w, float* backup_b,
                           CMatMap dout, CMatMap feats, MatMap dfeats, const FusedSgdOptions& opt);

struct WeightSums {
  double sum_sq = 0;   // Σ w²
  double sum_abs = 0;  // Σ |w|
};

// out (U,N) = feats (U,F) Wᵀ + b, by the same row blocks and workers. While each block is in
// cache it also sums w² and |w| (for the penalty terms of the loss) when `sums` is given.
void linear_forward_blocked(MatMap out, CMatMap feats, const float* w, const float* b,
                            WeightSums* sums = nullptr);

}  // namespace nc

namespace nc {

// The same idea for a layer whose input is wide, pre = X Wᵀ with X (R x N) and W (H x N),
// N >> R, H (the decoder's in_layer: 23589 neurons in, 20 hidden units out). Plain SGD on W
// with L1/L2 needs X three times per iteration (train forward, dW, test forward); here one pass
// over X's column blocks, each in cache, does
//   dW[:, blk] = dPreᵀ X_train[:, blk] + 2 l2 W[:, blk] + l1 sign(W[:, blk]),  W[:, blk] -= lr dW
//   pre_train += X_train[:, blk] W[:, blk]ᵀ,  pre_test += X_test[:, blk] W[:, blk]ᵀ   (new W)
// and sums w² and |w| of the new W for the next loss. backup (H x N) receives W before the step.
// X_train and X_test have at least one row each.
//
// Two implementations of each block's products: Eigen's on OpenBLAS (the reference), and the
// hand-written kernels of nn/wide_linear_kernels.hpp, which are faster on these shapes.
enum class WideKernels {
  automatic,  // hand-written where the build has them (AVX2+FMA), else library
  library,    // Eigen products on OpenBLAS: the reference
  hand,       // nn/wide_linear_kernels.hpp (falls back to library when not compiled in)
};

void linear_sgd_fused_step_wide(float* w, float* backup, int64_t h, int64_t n, CMatMap x_train,
                                CMatMap x_test, CMatMap dpre, MatMap pre_train, MatMap pre_test,
                                float lr, float l1, float l2, WeightSums* sums,
                                WideKernels kernels = WideKernels::automatic);

// pre_train = X_train Wᵀ, pre_test = X_test Wᵀ, plus the weight sums, by the same blocks.
void linear_forward_wide(const float* w, int64_t h, int64_t n, CMatMap x_train, CMatMap x_test,
                         MatMap pre_train, MatMap pre_test, WeightSums* sums,
                         WideKernels kernels = WideKernels::automatic);

}  // namespace nc
