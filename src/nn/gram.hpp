#pragma once
// The Gram matrix K = X Xᵀ of a response matrix X (n_rows x n_neurons, float, row-major): the
// one product that the dual-form decoders, ridge, the discrimination threshold, every fold of a
// cross-validation and every job of a sweep share. One routine, one fixed order of sums: the
// neurons are taken in blocks of kGramBlockNeurons columns, in increasing order, and each
// block's X_b X_bᵀ is added into the float accumulator (SSYRK on the lower triangle). Whether X
// is in memory, memory-mapped or streamed from a file block by block, the result is the same
// bits for a given BLAS thread count.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/block_reader.hpp"
#include "core/tensor.hpp"

namespace nc {

inline constexpr int64_t kGramBlockNeurons = 4096;

// Accumulates X_b X_bᵀ into k (n x n, column-major, lower triangle only), for the column block
// x_block (n x cols, row stride ld). Call it for consecutive blocks of kGramBlockNeurons
// columns (the last may be shorter), then gram_finish.
void gram_accumulate(Eigen::MatrixXf& k, const float* x_block, int64_t n, int64_t cols, int64_t ld);
// The full symmetric matrix from the lower triangle, row-major.
RowMat gram_finish(const Eigen::MatrixXf& k);

// X Xᵀ (n x n) in the blocks above, from a matrix in memory or from a reader
// (core/block_reader.hpp: a mapped file is read with pread, a block at a time).
RowMat gram_matrix(const BlockReader& x);
inline RowMat gram_matrix(CMatMap x) {
  return gram_matrix(memory_block_reader(x));
}

// The Gram blocks a split needs, straight from the rows of X (no full Gram, no copy of the
// rows): train (n_a x n_a) = X_a X_aᵀ and cross (n_b x n_a) = X_b X_aᵀ for the rows listed in
// a and b, in the fixed neuron blocks above. Each block's rows are gathered into a buffer
// (n_a + n_b rows x kGramBlockNeurons) in list order, so the result depends on the lists and X's
// values, never on where the rows lie in X. With `w` (H x N), the same pass also makes the
// projections X_a wᵀ and X_b wᵀ (the dual form's W0 projections), summed over the same blocks.
// Called by a split pass with each block it reads: columns [c0, c0 + cols) of the rows of a
// (xa, n_a x cols) and of b (xb, n_b x cols), rows ld floats apart, for work that needs every
// value and can ride on the pass instead of reading the data again (the preferred orientations
// of analysis/tuning.hpp).
using SplitBlockFn =
    std::function<void(int64_t c0, int64_t cols, const float* xa, const float* xb, int64_t ld)>;
struct SplitGram {
  RowMat train;   // (n_a, n_a)
  RowMat cross;   // (n_b, n_a)
  RowMat proj_a;  // (n_a, H) when w is given
  RowMat proj_b;  // (n_b, H) when w is given
};
SplitGram split_gram(const BlockReader& x, const std::vector<int64_t>& a,
                     const std::vector<int64_t>& b, const RowMat* w = nullptr,
                     const SplitBlockFn& on_block = {});
// Only the projections (proj_a, proj_b), by the same blocks: for a fit whose Gram blocks come
// from a shared Gram.
SplitGram split_projections(const BlockReader& x, const std::vector<int64_t>& a,
                            const std::vector<int64_t>& b, const RowMat& w,
                            const SplitBlockFn& on_block = {});
inline SplitGram split_gram(CMatMap x, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                            const RowMat* w = nullptr) {
  return split_gram(memory_block_reader(x), a, b, w);
}

// Rows `rows` and columns `cols` of a Gram matrix: K[rows, cols] (for a fold's train and test
// blocks). Indices are into the rows of the X the Gram was made from.
RowMat gram_block(const RowMat& gram, const std::vector<int64_t>& rows,
                  const std::vector<int64_t>& cols);

}  // namespace nc
