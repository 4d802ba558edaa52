#include "nn/fused_linear_sgd.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/blas_threads.hpp"
#include "core/parallel.hpp"

namespace nc {
namespace {

// Rows of W per block: 64 x 1152 floats = 288 KB, which stays in L2 with its gradient block.
constexpr int64_t kBlockRows = 64;

// Worker ranges: contiguous, cut at block boundaries.
std::vector<std::pair<int64_t, int64_t>> ranges(int64_t n) {
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), (n + kBlockRows - 1) / kBlockRows));
  const int64_t blocks = (n + kBlockRows - 1) / kBlockRows;
  std::vector<std::pair<int64_t, int64_t>> r;
  for (int64_t k = 0; k < workers; ++k) {
    const int64_t lo = blocks * k / workers * kBlockRows, hi = std::min(n, blocks * (k + 1) / workers * kBlockRows);
    r.emplace_back(lo, hi);
  }
  return r;
}

// The element-wise tail of a step: penalty_gradient's expressions, then sgd_step's, written
// branch-free with restrict pointers so the compiler vectorises it. Adding a zero penalty term
// leaves every value as the plain path has it.
template <bool kMomentum, bool kFirst>
void update_block(float* __restrict w, float* __restrict v, const float* __restrict g, int64_t m,
                  float neg_lr, float mu, float l1, float l2) {
  for (int64_t i = 0; i < m; ++i) {
    const float wi = w[i];
    const float s = static_cast<float>(wi > 0.0f) - static_cast<float>(wi < 0.0f);
    const float gi = (g[i] + l2 * (2.0f * wi)) + l1 * s;
    if constexpr (kMomentum) {
      const float vi = kFirst ? gi : mu * v[i] + gi;
      v[i] = vi;
      w[i] = wi + neg_lr * vi;
    } else {
      w[i] = wi + neg_lr * gi;
    }
  }
}

}  // namespace

void linear_sgd_fused_step(float* w, float* b, float* vw, float* vb, float* backup_w, float* backup_b,
                           CMatMap dout, CMatMap feats, MatMap dfeats, const FusedSgdOptions& opt) {
  const int64_t n = dout.cols(), f = feats.cols(), u = feats.rows();
  const auto parts = ranges(n);
  std::vector<RowMat> partial(parts.size(), RowMat::Zero(u, f));
  BlasSingleThread single;
  const float neg_lr = -opt.lr, mu = opt.momentum, two_l2 = 2.0f * opt.l2, l1 = opt.l1;
  const bool momentum = mu != 0.0f;
  (void)two_l2;
  parallel_for(0, static_cast<int64_t>(parts.size()), [&](int64_t k) {
    RowMat g(kBlockRows, f);  // gradient of one block, allocated once per worker
    RowMat& df = partial[static_cast<size_t>(k)];
    for (int64_t r0 = parts[static_cast<size_t>(k)].first; r0 < parts[static_cast<size_t>(k)].second; r0 += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, parts[static_cast<size_t>(k)].second - r0);
      MatMap wb(w + r0 * f, rows, f);
      const auto db = dout.middleCols(r0, rows);  // (U, rows)
      df.noalias() += db * wb;                    // with the old W
      auto gb = g.topRows(rows);
      gb.noalias() = db.transpose() * feats;       // (rows, F)
      float* wp = w + r0 * f;
      float* gp = g.data();
      float* vp = vw ? vw + r0 * f : nullptr;
      if (backup_w) std::memcpy(backup_w + r0 * f, wp, sizeof(float) * static_cast<size_t>(rows * f));
      const int64_t m = rows * f;
      if (!momentum) update_block<false, false>(wp, nullptr, gp, m, neg_lr, mu, l1, opt.l2);
      else if (opt.first_step) update_block<true, true>(wp, vp, gp, m, neg_lr, mu, l1, opt.l2);
      else update_block<true, false>(wp, vp, gp, m, neg_lr, mu, l1, opt.l2);
      for (int64_t j = r0; j < r0 + rows; ++j) {
        float gbias = 0.0f;
        for (int64_t s = 0; s < u; ++s) gbias += dout(s, j);
        if (backup_b) backup_b[j] = b[j];
        if (momentum) {
          const float v = opt.first_step ? gbias : mu * vb[j] + gbias;
          vb[j] = v;
          b[j] += neg_lr * v;
        } else {
          b[j] += neg_lr * gbias;
        }
      }
    }
  });
  dfeats.setZero();
  for (const RowMat& p : partial) dfeats += p;
}

void linear_forward_blocked(MatMap out, CMatMap feats, const float* w, const float* b, WeightSums* sums) {
  const int64_t n = out.cols(), f = feats.cols();
  const auto parts = ranges(n);
  std::vector<WeightSums> partial(parts.size());
  BlasSingleThread single;
  parallel_for(0, static_cast<int64_t>(parts.size()), [&](int64_t k) {
    WeightSums& acc = partial[static_cast<size_t>(k)];
    for (int64_t r0 = parts[static_cast<size_t>(k)].first; r0 < parts[static_cast<size_t>(k)].second; r0 += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, parts[static_cast<size_t>(k)].second - r0);
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

}  // namespace nc
