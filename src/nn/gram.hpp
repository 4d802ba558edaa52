#pragma once
// The Gram matrix K = X Xᵀ of a response matrix X (n_rows x n_neurons, float, row-major): the
// one product that the dual-form decoders, ridge, the discrimination threshold, every fold of a
// cross-validation and every job of a sweep share. One routine, one fixed order of sums: the
// neurons are taken in blocks of kGramBlockNeurons columns, in increasing order, and each
// block's X_b X_bᵀ is added into the float accumulator (SSYRK on the lower triangle). Whether X
// is in memory, memory-mapped or streamed from a file block by block, the result is the same
// bits for a given BLAS thread count.
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace nc {

inline constexpr int64_t kGramBlockNeurons = 4096;

// Accumulates X_b X_bᵀ into k (n x n, column-major, lower triangle only), for the column block
// x_block (n x cols, row stride ld). Call it for consecutive blocks of kGramBlockNeurons
// columns (the last may be shorter), then gram_finish.
void gram_accumulate(Eigen::MatrixXf& k, const float* x_block, int64_t n, int64_t cols, int64_t ld);
// The full symmetric matrix from the lower triangle, row-major.
RowMat gram_finish(const Eigen::MatrixXf& k);

// X Xᵀ (n x n) in the blocks above.
RowMat gram_matrix(CMatMap x);

// Rows `rows` and columns `cols` of a Gram matrix: K[rows, cols] (for a fold's train and test
// blocks). Indices are into the rows of the X the Gram was made from.
RowMat gram_block(const RowMat& gram, const std::vector<int64_t>& rows,
                  const std::vector<int64_t>& cols);

}  // namespace nc
