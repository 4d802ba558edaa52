#include "nn/wide_linear_kernels.hpp"

#include <cmath>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define NC_WIDE_KERNELS 1
#else
#define NC_WIDE_KERNELS 0
#endif

namespace nc {

int64_t wide_padded_units(int64_t h) { return (h + 7) / 8 * 8; }

void wide_transpose_block(float* wt, const float* w, int64_t ldw, int64_t h, int64_t k0, int64_t cols) {
  const int64_t hp = wide_padded_units(h);
  for (int64_t k = 0; k < cols; ++k) {
    float* row = wt + k * hp;
    for (int64_t j = 0; j < h; ++j) row[j] = w[j * ldw + k0 + k];
    for (int64_t j = h; j < hp; ++j) row[j] = 0.0f;
  }
}

namespace {

// One weight's update, as nn/fused_linear_sgd.cpp's update_block writes it (no contraction:
// this project compiles with -ffp-contract=off, ISO C++).
inline float update_one(float w, float g, float neg_lr, float l1, float l2) {
  const float s = static_cast<float>(w > 0.0f) - static_cast<float>(w < 0.0f);
  const float gi = (g + l2 * (2.0f * w)) + l1 * s;
  return w + neg_lr * gi;
}

// Columns the vector kernel does not cover: the same sums and update, one column at a time.
void gradient_step_scalar(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx, int64_t rows,
                          const float* dpre, int64_t h, int64_t k0, int64_t cols, float lr, float l1, float l2,
                          WideSums& sums) {
  for (int64_t j = 0; j < h; ++j) {
    for (int64_t k = k0; k < k0 + cols; ++k) {
      float g = 0.0f;
      for (int64_t i = 0; i < rows; ++i) g = std::fma(dpre[i * h + j], x[i * ldx + k], g);
      float& wv = w[j * ldw + k];
      if (backup != nullptr) backup[j * ldw + k] = wv;
      wv = update_one(wv, g, -lr, l1, l2);
      sums.sum_sq += static_cast<double>(wv) * wv;
      sums.sum_abs += std::abs(static_cast<double>(wv));
    }
  }
}

[[maybe_unused]] void forward_scalar(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows, const float* wt, int64_t hp,
                    int64_t k0, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < cols; ++k) {
      const float xv = x[i * ldx + k0 + k];
      for (int64_t j = 0; j < hp; ++j) pre[i * ldp + j] = std::fma(xv, wt[k * hp + j], pre[i * ldp + j]);
    }
}

#if NC_WIDE_KERNELS

// Tile sizes. With AVX-512VL the compiler has 32 vector registers for these 256-bit loops;
// with AVX2 alone, 16: the tiles shrink so that nothing spills.
#if defined(__AVX512VL__)
constexpr int kGradUnits = 5;  // dW tile: 5 units x 32 columns = 20 accumulators
constexpr int kFwdRows = 8;    // forward tile: 8 rows x 24 units = 24 accumulators
#else
constexpr int kGradUnits = 2;
constexpr int kFwdRows = 4;
#endif
constexpr int kGradCols = 32;  // 4 vectors of 8 columns

inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

// U units (rows j0.. of W) x 32 columns from k: dW in registers over all rows of X, then the
// update. x points at X[0, k], w at W[j0, k], dp at dpre[0, j0].
template <int U>
void gradient_tile(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx, int64_t rows,
                   const float* dp, int64_t h, float lr, float l1, float l2, WideSums& sums) {
  __m256 acc[U][4];
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) acc[u][q] = _mm256_setzero_ps();
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * ldx;
    const __m256 x0 = _mm256_loadu_ps(xr), x1 = _mm256_loadu_ps(xr + 8), x2 = _mm256_loadu_ps(xr + 16),
                 x3 = _mm256_loadu_ps(xr + 24);
    const float* dr = dp + i * h;
#pragma GCC unroll 32
    for (int u = 0; u < U; ++u) {
      const __m256 d = _mm256_broadcast_ss(dr + u);
      acc[u][0] = _mm256_fmadd_ps(d, x0, acc[u][0]);
      acc[u][1] = _mm256_fmadd_ps(d, x1, acc[u][1]);
      acc[u][2] = _mm256_fmadd_ps(d, x2, acc[u][2]);
      acc[u][3] = _mm256_fmadd_ps(d, x3, acc[u][3]);
    }
  }
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f), neg_lr = _mm256_set1_ps(-lr),
               vl1 = _mm256_set1_ps(l1), vl2 = _mm256_set1_ps(l2);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 sq = zero, ab = zero;
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u) {
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) {
      float* wp = w + u * ldw + 8 * q;
      const __m256 wv = _mm256_loadu_ps(wp);
      if (backup != nullptr) _mm256_storeu_ps(backup + u * ldw + 8 * q, wv);
      const __m256 s = _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(wv, zero, _CMP_GT_OQ), one),
                                     _mm256_and_ps(_mm256_cmp_ps(wv, zero, _CMP_LT_OQ), one));
      const __m256 gi = _mm256_add_ps(_mm256_add_ps(acc[u][q], _mm256_mul_ps(vl2, _mm256_add_ps(wv, wv))),
                                      _mm256_mul_ps(vl1, s));
      const __m256 nw = _mm256_add_ps(wv, _mm256_mul_ps(neg_lr, gi));
      _mm256_storeu_ps(wp, nw);
      sq = _mm256_fmadd_ps(nw, nw, sq);
      ab = _mm256_add_ps(ab, _mm256_and_ps(nw, abs_mask));
    }
  }
  sums.sum_sq += static_cast<double>(hsum(sq));
  sums.sum_abs += static_cast<double>(hsum(ab));
}

// Σ w², Σ |w| of a U x 32 tile in gradient_tile's order, so that a forward-only pass reports
// the same sums as the step that wrote these weights (a resumed run stays bit-identical).
template <int U>
void sums_tile(const float* w, int64_t ldw, WideSums& sums) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 sq = _mm256_setzero_ps(), ab = _mm256_setzero_ps();
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u) {
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) {
      const __m256 nw = _mm256_loadu_ps(w + u * ldw + 8 * q);
      sq = _mm256_fmadd_ps(nw, nw, sq);
      ab = _mm256_add_ps(ab, _mm256_and_ps(nw, abs_mask));
    }
  }
  sums.sum_sq += static_cast<double>(hsum(sq));
  sums.sum_abs += static_cast<double>(hsum(ab));
}

template <int U>
void gradient_units(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx, int64_t rows,
                    const float* dpre, int64_t h, int64_t j0, int64_t k, float lr, float l1, float l2,
                    WideSums& sums) {
  gradient_tile<U>(w + j0 * ldw + k, ldw, backup != nullptr ? backup + j0 * ldw + k : nullptr, x + k, ldx, rows,
                   dpre + j0, h, lr, l1, l2, sums);
}

// R rows x V vectors of 8 units, over the block's columns. x points at X[i0, k0], wt at the
// tile's first unit, pre at pre[i0, first unit].
template <int R, int V>
void forward_tile(float* pre, int64_t ldp, const float* x, int64_t ldx, const float* wt, int64_t hp, int64_t cols) {
  __m256 acc[R][V];  // in registers: every loop over r and q is unrolled
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
    for (int q = 0; q < V; ++q) acc[r][q] = _mm256_setzero_ps();
  for (int64_t k = 0; k < cols; ++k) {
    __m256 wv[V];
#pragma GCC unroll 32
    for (int q = 0; q < V; ++q) wv[q] = _mm256_loadu_ps(wt + k * hp + 8 * q);
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      const __m256 xb = _mm256_broadcast_ss(x + r * ldx + k);
#pragma GCC unroll 32
      for (int q = 0; q < V; ++q) acc[r][q] = _mm256_fmadd_ps(xb, wv[q], acc[r][q]);
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
    for (int q = 0; q < V; ++q) {
      float* p = pre + r * ldp + 8 * q;
      _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), acc[r][q]));
    }
}

// All rows for V vectors of units starting at vector v0.
template <int V>
void forward_units(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows, const float* wt, int64_t hp,
                   int64_t k0, int64_t cols, int64_t v0) {
  constexpr int R = kFwdRows * 3 / V;  // the same number of accumulators for every V
  int64_t i = 0;
  for (; i + R <= rows; i += R)
    forward_tile<R, V>(pre + i * ldp + 8 * v0, ldp, x + i * ldx + k0, ldx, wt + 8 * v0, hp, cols);
  for (; i < rows; ++i)
    forward_tile<1, V>(pre + i * ldp + 8 * v0, ldp, x + i * ldx + k0, ldx, wt + 8 * v0, hp, cols);
}

#endif  // NC_WIDE_KERNELS

}  // namespace

bool wide_kernels_available() { return NC_WIDE_KERNELS != 0; }

void wide_gradient_step(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx, int64_t rows,
                        const float* dpre, int64_t h, int64_t k0, int64_t cols, float lr, float l1, float l2,
                        WideSums& sums) {
#if NC_WIDE_KERNELS
  const int64_t vec_cols = cols / kGradCols * kGradCols;
  for (int64_t k = k0; k < k0 + vec_cols; k += kGradCols) {
    int64_t j = 0;
    for (; j + kGradUnits <= h; j += kGradUnits)
      gradient_units<kGradUnits>(w, ldw, backup, x, ldx, rows, dpre, h, j, k, lr, l1, l2, sums);
    for (; j < h; ++j) gradient_units<1>(w, ldw, backup, x, ldx, rows, dpre, h, j, k, lr, l1, l2, sums);
  }
  k0 += vec_cols;
  cols -= vec_cols;
#endif
  if (cols > 0) gradient_step_scalar(w, ldw, backup, x, ldx, rows, dpre, h, k0, cols, lr, l1, l2, sums);
}

void wide_weight_sums(const float* w, int64_t ldw, int64_t h, int64_t k0, int64_t cols, WideSums& sums) {
#if NC_WIDE_KERNELS
  const int64_t vec_cols = cols / kGradCols * kGradCols;
  for (int64_t k = k0; k < k0 + vec_cols; k += kGradCols) {
    int64_t j = 0;
    for (; j + kGradUnits <= h; j += kGradUnits) sums_tile<kGradUnits>(w + j * ldw + k, ldw, sums);
    for (; j < h; ++j) sums_tile<1>(w + j * ldw + k, ldw, sums);
  }
  k0 += vec_cols;
  cols -= vec_cols;
#endif
  for (int64_t j = 0; j < h; ++j) {
    for (int64_t k = k0; k < k0 + cols; ++k) {
      const float wv = w[j * ldw + k];
      sums.sum_sq += static_cast<double>(wv) * wv;
      sums.sum_abs += std::abs(static_cast<double>(wv));
    }
  }
}

void wide_forward(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows, const float* wt, int64_t hp,
                  int64_t k0, int64_t cols) {
#if NC_WIDE_KERNELS
  const int64_t vectors = hp / 8;
  int64_t v = 0;
  for (; v + 3 <= vectors; v += 3) forward_units<3>(pre, ldp, x, ldx, rows, wt, hp, k0, cols, v);
  if (vectors - v == 2) forward_units<2>(pre, ldp, x, ldx, rows, wt, hp, k0, cols, v);
  if (vectors - v == 1) forward_units<1>(pre, ldp, x, ldx, rows, wt, hp, k0, cols, v);
#else
  forward_scalar(pre, ldp, x, ldx, rows, wt, hp, k0, cols);
#endif
}

}  // namespace nc
