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

#include "core/tensor.hpp"

namespace nc {

inline constexpr int64_t kGramBlockNeurons = 4096;

// Accumulates X_b X_bᵀ into k (n x n, column-major, lower triangle only), for the column block
// x_block (n x cols, row stride ld). Call it for consecutive blocks of kGramBlockNeurons
// columns (the last may be shorter), then gram_finish.
void gram_accumulate(Eigen::MatrixXf& k, const float* x_block, int64_t n, int64_t cols, int64_t ld);
// The full symmetric matrix from the lower triangle, row-major.
RowMat gram_finish(const Eigen::MatrixXf& k);

// X Xᵀ (n x n) in the blocks above. `after_block(c0, c1)`, when given, is called after columns
// [c0, c1) are done (a mapped matrix drops their pages there).
RowMat gram_matrix(CMatMap x, const std::function<void(int64_t, int64_t)>& after_block = {});

// The Gram blocks a split needs, straight from the rows of X (no full Gram, no copy of the
// rows): train (n_a x n_a) = X_a X_aᵀ and cross (n_b x n_a) = X_b X_aᵀ for the rows listed in
// a and b, in the fixed neuron blocks above. Each block's rows are gathered into a buffer
// (n_a + n_b rows x kGramBlockNeurons) in list order, so the result depends on the lists and X's
// values, never on where the rows lie in X. `after_block` as for gram_matrix.
struct SplitGram {
  RowMat train;  // (n_a, n_a)
  RowMat cross;  // (n_b, n_a)
};
SplitGram split_gram(CMatMap x, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     const std::function<void(int64_t, int64_t)>& after_block = {});

// out (rows.size(), cols) = X[rows, c0:c0+cols]: one block of neurons of the listed rows, for
// passes over a (possibly mapped) matrix that read rows through index lists.
void gather_block(CMatMap x, const std::vector<int64_t>& rows, int64_t c0, int64_t cols,
                  RowMat& out);

// Rows `rows` and columns `cols` of a Gram matrix: K[rows, cols] (for a fold's train and test
// blocks). Indices are into the rows of the X the Gram was made from.
RowMat gram_block(const RowMat& gram, const std::vector<int64_t>& rows,
                  const std::vector<int64_t>& cols);

}  // namespace nc
