#include "train/row_blocked_step.hpp"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "core/blas_threads.hpp"
#include "core/parallel.hpp"

namespace nc::train {
namespace {

// Rows of W per block: 64 x 1152 floats = 288 KB, which stays in L2 with its gradient block.
constexpr int64_t kBlockRows = 64;

// Worker ranges: contiguous, cut at block boundaries.
std::vector<std::pair<int64_t, int64_t>> ranges(int64_t n) {
  const int64_t blocks = (n + kBlockRows - 1) / kBlockRows;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), blocks));
  std::vector<std::pair<int64_t, int64_t>> r;
  for (int64_t k = 0; k < workers; ++k) {
    const int64_t lo = blocks * k / workers * kBlockRows;
    const int64_t hi = std::min(n, blocks * (k + 1) / workers * kBlockRows);
    r.emplace_back(lo, hi);
  }
  return r;
}

// Rows [r0, r0+rows) of the layer: gradient, then W and b (and their velocities) stepped from
// `from` into `to` (in place when they are the same).
void step_block(const RowBlockedLayer& from, const RowBlockedLayer& to, CMatMap dout, CMatMap feats,
                RowMat& g, int64_t r0, int64_t rows, const SgdOptions& opt, bool first) {
  const int64_t f = feats.cols(), u = feats.rows(), m = rows * f;
  auto gb = g.topRows(rows);
  gb.noalias() = dout.middleCols(r0, rows).transpose() * feats;  // (rows, F)
  const bool momentum = opt.momentum != 0.0f;
  const auto at = [](float* p, int64_t off) { return p != nullptr ? p + off : nullptr; };
  if (from.w == to.w) {
    sgd_update(to.w + r0 * f, at(to.vw, r0 * f), g.data(), m, opt, first);
  } else {
    sgd_update_to(from.w + r0 * f, at(from.vw, r0 * f), to.w + r0 * f, at(to.vw, r0 * f), g.data(),
                  m, opt, first);
  }
  const SgdOptions bias_opt{.lr = opt.lr, .momentum = opt.momentum};  // no penalty on b
  for (int64_t j = r0; j < r0 + rows; ++j) {
    float gbias = 0.0f;
    for (int64_t s = 0; s < u; ++s) gbias += dout(s, j);
    const float gi = penalised_gradient(from.b[j], gbias, 0.0f, 0.0f);
    const float v =
        momentum ? momentum_velocity(first ? 0.0f : from.vb[j], gi, opt.momentum, first) : gi;
    if (momentum) to.vb[j] = v;
    to.b[j] = sgd_apply(from.b[j], v, -bias_opt.lr);
  }
}

}  // namespace

void row_blocked_sgd_step(const RowBlockedLayer& from, const RowBlockedLayer& to, CMatMap dout,
                          CMatMap feats, MatMap dfeats, const SgdOptions& opt, bool first) {
  const int64_t n = dout.cols(), f = feats.cols(), u = feats.rows();
  const auto parts = ranges(n);
  std::vector<RowMat> partial(parts.size(), RowMat::Zero(u, f));
  BlasSingleThread single;
  parallel_for(0, static_cast<int64_t>(parts.size()), [&](int64_t k) {
    RowMat g(kBlockRows, f);  // gradient of one block, allocated once per worker
    RowMat& df = partial[static_cast<size_t>(k)];
    const auto [lo, hi] = parts[static_cast<size_t>(k)];
    for (int64_t r0 = lo; r0 < hi; r0 += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, hi - r0);
      df.noalias() +=
          dout.middleCols(r0, rows) * CMatMap(from.w + r0 * f, rows, f);  // with the old W
      step_block(from, to, dout, feats, g, r0, rows, opt, first);
    }
  });
  dfeats.setZero();
  for (const RowMat& p : partial) dfeats += p;
}

void row_blocked_forward(MatMap out, CMatMap feats, const float* w, const float* b,
                         WeightSums* sums) {
  const int64_t n = out.cols(), f = feats.cols();
  const auto parts = ranges(n);
  std::vector<WeightSums> partial(parts.size());
  BlasSingleThread single;
  parallel_for(0, static_cast<int64_t>(parts.size()), [&](int64_t k) {
    WeightSums& acc = partial[static_cast<size_t>(k)];
    const auto [lo, hi] = parts[static_cast<size_t>(k)];
    for (int64_t r0 = lo; r0 < hi; r0 += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, hi - r0);
      const CMatMap wb(w + r0 * f, rows, f);
      auto ob = out.middleCols(r0, rows);
      ob.noalias() = feats * wb.transpose();
      ob.rowwise() += CVecMap(b + r0, rows).transpose();
      if (sums) {
        // float within a block (vectorised), double across blocks
        acc.sum_sq += static_cast<double>(wb.squaredNorm());
        acc.sum_abs += static_cast<double>(wb.cwiseAbs().sum());
      }
    }
  });
  if (sums) {
    *sums = {};
    for (const WeightSums& p : partial) {
      sums->sum_sq += p.sum_sq;
      sums->sum_abs += p.sum_abs;
    }
  }
}

}  // namespace nc::train
