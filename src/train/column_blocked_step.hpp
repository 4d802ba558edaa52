#pragma once
// The decoder's in_layer step in one pass over the data, column block by column block. The
// layer is pre = X Wᵀ with X (R x N) and W (H x N), N >> R, H (23589 neurons in, 20 hidden
// units out). Plain SGD with L1/L2 needs X three times per iteration (train forward, dW, test
// forward); here one pass over X's column blocks, each in cache, does
//   dW[:, blk] = dPreᵀ X_train[:, blk]; W[:, blk] <- nn/update_rule.hpp's rule (L1/L2, no momentum)
//   pre_train += X_train[:, blk] W[:, blk]ᵀ,  pre_test += X_test[:, blk] W[:, blk]ᵀ   (new W)
// and sums w² and |w| of the new W for the next loss. X_train and X_test have at least one row
// each. Workers take contiguous column ranges; partial sums are added in a fixed order, so
// results are identical for a given thread count.
//
// Two implementations of each block's products: Eigen's on OpenBLAS (the reference), and the
// hand-written kernels of nn/wide_linear_kernels.hpp, which are faster on these shapes.
#include <cstdint>
#include <string>

#include "core/tensor.hpp"
#include "nn/losses.hpp"
#include "nn/update_rule.hpp"

namespace nc::train {

enum class WideKernels {
  automatic,  // hand-written where the build has them (AVX2+FMA), else library
  library,    // Eigen products on OpenBLAS: the reference
  hand,       // nn/wide_linear_kernels.hpp (falls back to library when not compiled in)
};

// The kernel path this build and machine take for a pass over `rows` rows, for benchmark logs:
// e.g. "hand kernels, 512-bit vectors, 384-column blocks (L2 1024 KiB)", or "library (OpenBLAS),
// 128-column blocks" where the hand kernels are not compiled in.
std::string wide_kernel_path(int64_t rows);

// w (H,N) is stepped with the gradient dpreᵀ X_train, dpre (n_train,H); backup (H,N) receives W
// before the step (may be null); pre_train (n_train,H) and pre_test (n_test,H) are written with
// the new W. opt.momentum must be 0.
void column_blocked_sgd_step(float* w, float* backup, int64_t h, int64_t n, CMatMap x_train,
                             CMatMap x_test, CMatMap dpre, MatMap pre_train, MatMap pre_test,
                             const SgdOptions& opt, WeightSums* sums,
                             WideKernels kernels = WideKernels::automatic);

// pre_train = X_train Wᵀ, pre_test = X_test Wᵀ, plus the weight sums, by the same blocks.
// X_test may have no rows. Each row's result depends only on that row, W and the block width,
// which hand_block_cols chooses from the total number of rows.
void column_blocked_forward(const float* w, int64_t h, int64_t n, CMatMap x_train, CMatMap x_test,
                            MatMap pre_train, MatMap pre_test, WeightSums* sums,
                            WideKernels kernels = WideKernels::automatic);

}  // namespace nc::train
