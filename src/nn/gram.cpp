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

// split_gram's pass; without `gram` only the projections (split_projections). With both, W's
// block rides in the Gram products as H more rows under X_a's block, A = [X_a; W]: SSYRK of A
// gives K and W X_aᵀ (= proj_aᵀ), and X_b Aᵀ gives the cross block and X_b Wᵀ (= proj_b), so
// the projections cost no products of their own (measured at 10^6 neurons: 2.5 s of skinny
// products, about 0.4 s more in the large ones).
SplitGram split_pass(const BlockReader& x, const std::vector<int64_t>& a,
                     const std::vector<int64_t>& b, const RowMat* w, bool gram,
                     const SplitBlockFn& on_block) {
  const auto n_a = static_cast<int64_t>(a.size()), n_b = static_cast<int64_t>(b.size());
  const int64_t h = w != nullptr ? w->rows() : 0;
  assert(w == nullptr || w->cols() == x.cols);
  const bool ride = gram && h > 0;
  Eigen::MatrixXf k;  // (n_a + H, n_a + H) when riding, else (n_a, n_a); lower triangle
  RowMat cross;       // (n_b, n_a + H) when riding, else (n_b, n_a)
  SplitGram g;
  if (gram) {
    k = Eigen::MatrixXf::Zero(n_a + (ride ? h : 0), n_a + (ride ? h : 0));
    cross = RowMat::Zero(n_b, n_a + (ride ? h : 0));
  } else if (h > 0) {
    g.proj_a = RowMat::Zero(n_a, h);
    g.proj_b = RowMat::Zero(n_b, h);
  }
  RowMat xa, xb;  // (n_a [+ H], block), (n_b, block)
  for (int64_t j0 = 0; j0 < x.cols; j0 += kGramBlockNeurons) {
    const int64_t cols = std::min(kGramBlockNeurons, x.cols - j0);
    xa.resize(n_a + (ride ? h : 0), cols);
    x.gather_to(a, j0, cols, xa.data());
    if (ride) xa.bottomRows(h) = w->middleCols(j0, cols);
    x.gather(b, j0, cols, xb);
    if (gram) {
      gram_accumulate(k, xa.data(), xa.rows(), cols, cols);
      cross.noalias() += xb * xa.transpose();
    } else if (h > 0) {
      g.proj_a.noalias() += xa * w->middleCols(j0, cols).transpose();
      g.proj_b.noalias() += xb * w->middleCols(j0, cols).transpose();
    }
    if (on_block) on_block(j0, cols, xa.data(), xb.data(), cols);
  }
  if (!gram) return g;
  if (!ride) {
    g.train = gram_finish(k);
    g.cross = std::move(cross);
    return g;
  }
  g.train = gram_finish(k.topLeftCorner(n_a, n_a));
  g.proj_a = k.bottomLeftCorner(h, n_a).transpose();
  g.cross = cross.leftCols(n_a);
  g.proj_b = cross.rightCols(h);
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
