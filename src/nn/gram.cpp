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

RowMat gram_matrix(CMatMap x, const std::function<void(int64_t, int64_t)>& after_block) {
  const int64_t n = x.rows(), neurons = x.cols();
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n, n);
  for (int64_t j0 = 0; j0 < neurons; j0 += kGramBlockNeurons) {
    const int64_t cols = std::min(kGramBlockNeurons, neurons - j0);
    gram_accumulate(k, x.data() + j0, n, cols, neurons);
    if (after_block) after_block(j0, j0 + cols);
  }
  return gram_finish(k);
}

void gather_block(CMatMap x, const std::vector<int64_t>& rows, int64_t c0, int64_t cols,
                  RowMat& out) {
  out.resize(static_cast<int64_t>(rows.size()), cols);
  for (size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<int64_t>(i)) = x.row(rows[i]).segment(c0, cols);
}

SplitGram split_gram(CMatMap x, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     const std::function<void(int64_t, int64_t)>& after_block) {
  const auto n_a = static_cast<int64_t>(a.size()), n_b = static_cast<int64_t>(b.size());
  const int64_t neurons = x.cols();
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n_a, n_a);
  SplitGram g;
  g.cross = RowMat::Zero(n_b, n_a);
  RowMat xa, xb;  // (n_a, block), (n_b, block)
  for (int64_t j0 = 0; j0 < neurons; j0 += kGramBlockNeurons) {
    const int64_t cols = std::min(kGramBlockNeurons, neurons - j0);
    gather_block(x, a, j0, cols, xa);
    gather_block(x, b, j0, cols, xb);
    gram_accumulate(k, xa.data(), n_a, cols, cols);
    g.cross.noalias() += xb * xa.transpose();
    if (after_block) after_block(j0, j0 + cols);
  }
  g.train = gram_finish(k);
  return g;
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
