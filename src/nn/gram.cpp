#include "nn/gram.hpp"

#include <algorithm>
#include <cassert>

namespace nc {

void gram_accumulate(Eigen::MatrixXf& k, const float* x_block, int64_t n, int64_t cols,
                     int64_t ld) {
  assert(k.rows() == n && k.cols() == n);
  using Strided = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
  const Strided xb(x_block, n, cols, Eigen::OuterStride<>(ld));
  // A rank update into a column-major matrix is SSYRK: one triangle, half of SGEMM's work.
  k.selfadjointView<Eigen::Lower>().rankUpdate(xb);
}

RowMat gram_finish(const Eigen::MatrixXf& k) {
  return k.selfadjointView<Eigen::Lower>().toDenseMatrix();
}

RowMat gram_matrix(const BlockReader& x) {
  const int64_t n = x.rows;
  const std::vector<int64_t> rows = all_rows(n);
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n, n);
  RowMat xb;  // (n, block)
  for (int64_t j0 = 0; j0 < x.cols; j0 += kGramBlockNeurons) {
    const int64_t cols = std::min(kGramBlockNeurons, x.cols - j0);
    x.gather(rows, j0, cols, xb);
    gram_accumulate(k, xb.data(), n, cols, cols);
  }
  return gram_finish(k);
}

namespace {

// split_gram's pass; without `gram` only the projections (split_projections).
SplitGram split_pass(const BlockReader& x, const std::vector<int64_t>& a,
                     const std::vector<int64_t>& b, const RowMat* w, bool gram,
                     const SplitBlockFn& on_block) {
  const auto n_a = static_cast<int64_t>(a.size()), n_b = static_cast<int64_t>(b.size());
  Eigen::MatrixXf k;
  SplitGram g;
  if (gram) {
    k = Eigen::MatrixXf::Zero(n_a, n_a);
    g.cross = RowMat::Zero(n_b, n_a);
  }
  if (w != nullptr) {
    assert(w->cols() == x.cols);
    g.proj_a = RowMat::Zero(n_a, w->rows());
    g.proj_b = RowMat::Zero(n_b, w->rows());
  }
  RowMat xa, xb;  // (n_a, block), (n_b, block)
  for (int64_t j0 = 0; j0 < x.cols; j0 += kGramBlockNeurons) {
    const int64_t cols = std::min(kGramBlockNeurons, x.cols - j0);
    x.gather(a, j0, cols, xa);
    x.gather(b, j0, cols, xb);
    if (gram) {
      gram_accumulate(k, xa.data(), n_a, cols, cols);
      g.cross.noalias() += xb * xa.transpose();
    }
    if (w != nullptr) {
      g.proj_a.noalias() += xa * w->middleCols(j0, cols).transpose();
      g.proj_b.noalias() += xb * w->middleCols(j0, cols).transpose();
    }
    if (on_block) on_block(j0, cols, xa.data(), xb.data(), cols);
  }
  if (gram) g.train = gram_finish(k);
  return g;
}

}  // namespace

SplitGram split_gram(const BlockReader& x, const std::vector<int64_t>& a,
                     const std::vector<int64_t>& b, const RowMat* w, const SplitBlockFn& on_block) {
  return split_pass(x, a, b, w, true, on_block);
}

SplitGram split_projections(const BlockReader& x, const std::vector<int64_t>& a,
                            const std::vector<int64_t>& b, const RowMat& w,
                            const SplitBlockFn& on_block) {
  return split_pass(x, a, b, &w, false, on_block);
}

RowMat gram_block(const RowMat& gram, const std::vector<int64_t>& rows,
                  const std::vector<int64_t>& cols) {
  RowMat b(static_cast<int64_t>(rows.size()), static_cast<int64_t>(cols.size()));
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < cols.size(); ++j)
      b(static_cast<int64_t>(i), static_cast<int64_t>(j)) = gram(rows[i], cols[j]);
  return b;
}

}  // namespace nc
