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

RowMat gram_matrix(CMatMap x) {
  const int64_t n = x.rows(), neurons = x.cols();
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n, n);
  for (int64_t j0 = 0; j0 < neurons; j0 += kGramBlockNeurons)
    gram_accumulate(k, x.data() + j0, n, std::min(kGramBlockNeurons, neurons - j0), neurons);
  return gram_finish(k);
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
