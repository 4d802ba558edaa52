#include "train/column_blocked_step.hpp"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>
#include <vector>

#include "core/blas_threads.hpp"
#include "core/parallel.hpp"
#include "nn/wide_linear_kernels.hpp"

namespace nc::train {
namespace {

// Columns of X per block: 128 columns x 360 rows of float = 180 KB, in L2 with W's block.
constexpr int64_t kBlockCols = 128;

struct WideParts {
  std::vector<std::pair<int64_t, int64_t>> ranges;  // column ranges, one per worker
};

WideParts wide_parts(int64_t n, int64_t block) {
  const int64_t blocks = (n + block - 1) / block;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), blocks));
  WideParts p;
  for (int64_t k = 0; k < workers; ++k)
    p.ranges.emplace_back(blocks * k / workers * block,
                          std::min(n, blocks * (k + 1) / workers * block));
  return p;
}

// The hand kernels' block width, one of two sizes (results depend on the blocks, so a
// continuous rule would let two machines, or a hybrid CPU's two kinds of core, differ): 384
// columns where the L2 cache holds X_train's and X_test's block with room to spare (at least
// 1 MiB of L2 and at most 512 rows: 384 x 512 x 4 bytes = 768 KB), else 128. Measured on the
// tutorial's shapes: 2 MB L2 (Xeon, AVX-512) best at 384, 10-15% faster than 128; 512 KB L2
// (EPYC) best at 128.
int64_t hand_block_cols(int64_t rows) {
  const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return l2 >= (1L << 20) && rows <= 512 ? 384 : 128;
}

// One worker's pass. With dpre == nullptr it only does the forward products.
void wide_pass(float* w, float* backup, int64_t h, int64_t n, CMatMap x_tr, CMatMap x_te,
               const CMatMap* dpre, RowMat& pre_tr, RowMat& pre_te, WeightSums& sums, int64_t c0,
               int64_t c1, float lr, float l1, float l2, int64_t /*block: kBlockCols*/) {
  RowMat g(h, kBlockCols);
  RowMat wblk(h, kBlockCols);
  pre_tr.setZero();
  pre_te.setZero();
  for (int64_t b0 = c0; b0 < c1; b0 += kBlockCols) {
    const int64_t cols = std::min(kBlockCols, c1 - b0);
    Eigen::Map<RowMat, 0, Eigen::OuterStride<>> wb(w + b0, h, cols, Eigen::OuterStride<>(n));
    if (dpre != nullptr) {
      auto gb = g.leftCols(cols);
      gb.noalias() = dpre->transpose() * x_tr.middleCols(b0, cols);  // (H, cols)
      for (int64_t r = 0; r < h; ++r) {
        float* wr = w + r * n + b0;
        const float* gr = gb.data() + r * kBlockCols;
        if (backup != nullptr)
          std::memcpy(backup + r * n + b0, wr, sizeof(float) * static_cast<size_t>(cols));
        sgd_update_block<false, false>(wr, nullptr, gr, cols, {.lr = lr, .l1 = l1, .l2 = l2});
      }
    }
    // the new block, contiguous, for the two forward products
    auto wc = wblk.leftCols(cols);
    wc = wb;
    pre_tr.noalias() += x_tr.middleCols(b0, cols) * wc.transpose();
    pre_te.noalias() += x_te.middleCols(b0, cols) * wc.transpose();
    sums.sum_sq += static_cast<double>(wc.squaredNorm());
    sums.sum_abs += static_cast<double>(wc.cwiseAbs().sum());
  }
}

// The same pass with the hand-written kernels: per block, the gradient step on W's columns,
// then a transposed copy of the new block for the forward products. pre is accumulated with
// the units padded to a multiple of 8, the kernels' vector width. (Packing X's block first, as
// BLAS does, was measured slower: the pass is bound by streaming X from memory, and the copy
// adds a pass over it.)
void wide_pass_hand(float* w, float* backup, int64_t h, int64_t n, CMatMap x_tr, CMatMap x_te,
                    const CMatMap* dpre, RowMat& pre_tr, RowMat& pre_te, WeightSums& sums,
                    int64_t c0, int64_t c1, float lr, float l1, float l2, int64_t block) {
  const int64_t hp = wide_padded_units(h), n_tr = x_tr.rows(), n_te = x_te.rows();
  std::vector<float> wt(static_cast<size_t>(block * hp));  // (cols, hp) the block of Wᵀ
  RowMat p_tr = RowMat::Zero(n_tr, hp), p_te = RowMat::Zero(n_te, hp);
  WeightSums s;
  for (int64_t b0 = c0; b0 < c1; b0 += block) {
    const int64_t cols = std::min(block, c1 - b0);
    if (dpre != nullptr) {
      wide_gradient_step(w, n, backup, x_tr.data() + b0, n, n_tr, dpre->data(), h, b0, cols, lr, l1,
                         l2, s);
    } else {
      wide_weight_sums(w, n, h, b0, cols, s);
    }
    wide_transpose_block(wt.data(), w, n, h, b0, cols);
    wide_forward(p_tr.data(), hp, x_tr.data() + b0, n, n_tr, wt.data(), hp, cols);
    wide_forward(p_te.data(), hp, x_te.data() + b0, n, n_te, wt.data(), hp, cols);
  }
  pre_tr = p_tr.leftCols(h);
  pre_te = p_te.leftCols(h);
  sums.sum_sq = s.sum_sq;
  sums.sum_abs = s.sum_abs;
}

void wide_run(float* w, float* backup, int64_t h, int64_t n, CMatMap x_tr, CMatMap x_te,
              const CMatMap* dpre, MatMap pre_train, MatMap pre_test, WeightSums* sums, float lr,
              float l1, float l2, WideKernels kernels) {
  // The data loaders reject empty splits; a forward pass may take all rows as one side.
  assert(x_tr.rows() > 0 && (x_te.rows() > 0 || dpre == nullptr));
  const bool hand = kernels != WideKernels::library && wide_kernels_available();
  const auto pass = hand ? wide_pass_hand : wide_pass;
  const int64_t block = hand ? hand_block_cols(x_tr.rows() + x_te.rows()) : kBlockCols;
  const WideParts parts = wide_parts(n, block);
  const size_t k = parts.ranges.size();
  std::vector<RowMat> ptr(k, RowMat(x_tr.rows(), h)), pte(k, RowMat(x_te.rows(), h));
  std::vector<WeightSums> ps(k);
  BlasSingleThread single;
  parallel_for(0, static_cast<int64_t>(k), [&](int64_t i) {
    const auto u = static_cast<size_t>(i);
    pass(w, backup, h, n, x_tr, x_te, dpre, ptr[u], pte[u], ps[u], parts.ranges[u].first,
         parts.ranges[u].second, lr, l1, l2, block);
  });
  // partial sums in a fixed order: identical results for a given thread count
  pre_train = ptr[0];
  pre_test = pte[0];
  WeightSums total = ps[0];
  for (size_t i = 1; i < k; ++i) {
    pre_train += ptr[i];
    pre_test += pte[i];
    total.sum_sq += ps[i].sum_sq;
    total.sum_abs += ps[i].sum_abs;
  }
  if (sums) *sums = total;
}

}  // namespace

std::string wide_kernel_path(int64_t rows) {
  const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  const std::string cache = " (L2 " + std::to_string(l2 / 1024) + " KiB)";
  if (!wide_kernels_available())
    return "library (OpenBLAS), " + std::to_string(kBlockCols) + "-column blocks" + cache;
  return std::string("hand kernels, ") + (wide_kernels_512() ? "512" : "256") + "-bit vectors, " +
         std::to_string(hand_block_cols(rows)) + "-column blocks" + cache;
}

void column_blocked_sgd_step(float* w, float* backup, int64_t h, int64_t n, CMatMap x_train,
                             CMatMap x_test, CMatMap dpre, MatMap pre_train, MatMap pre_test,
                             const SgdOptions& opt, WeightSums* sums, WideKernels kernels) {
  assert(opt.momentum == 0.0f);
  wide_run(w, backup, h, n, x_train, x_test, &dpre, pre_train, pre_test, sums, opt.lr, opt.l1,
           opt.l2, kernels);
}

void column_blocked_forward(const float* w, int64_t h, int64_t n, CMatMap x_train, CMatMap x_test,
                            MatMap pre_train, MatMap pre_test, WeightSums* sums,
                            WideKernels kernels) {
  wide_run(const_cast<float*>(w), nullptr, h, n, x_train, x_test, nullptr, pre_train, pre_test,
           sums, 0, 0, 0, kernels);
}

}  // namespace nc::train
