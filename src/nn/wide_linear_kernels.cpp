#include "nn/wide_linear_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "nn/update_rule.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define NC_WIDE_KERNELS 1
#else
#define NC_WIDE_KERNELS 0
#endif

namespace nc {

int64_t wide_padded_units(int64_t h) {
  return (h + 7) / 8 * 8;
}

void wide_transpose_block(float* wt, const float* w, int64_t ldw, int64_t h, int64_t k0,
                          int64_t cols) {
  const int64_t hp = wide_padded_units(h);
  for (int64_t k = 0; k < cols; ++k) {
    float* row = wt + k * hp;
    for (int64_t j = 0; j < h; ++j) row[j] = w[j * ldw + k0 + k];
    for (int64_t j = h; j < hp; ++j) row[j] = 0.0f;
  }
}

namespace {

// One weight's update without momentum: nn/update_rule.hpp's rule, the reference that the
// vector paths below spell out in intrinsics (same FMAs in the same order). This file is
// compiled with -ffp-contract=off (CMakeLists.txt), so fusion happens only where written:
// scalar and vector columns agree bit for bit (tests/test_wide_linear_kernels.cpp).
inline float update_one(float w, float g, float neg_lr, float l1, float l2) {
  return sgd_apply(w, penalised_gradient(w, g, l1, l2), neg_lr);
}

// Columns the vector kernel does not cover: the same sums and update, one column at a time.
void gradient_step_scalar(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx,
                          int64_t rows, const float* dpre, int64_t h, int64_t k0, int64_t cols,
                          float lr, float l1, float l2, WeightSums& sums) {
  for (int64_t j = 0; j < h; ++j) {
    for (int64_t k = k0; k < k0 + cols; ++k) {
      float g = 0.0f;
      for (int64_t i = 0; i < rows; ++i) g = std::fma(dpre[i * h + j], x[i * ldx + (k - k0)], g);
      float& wv = w[j * ldw + k];
      if (backup != nullptr) backup[j * ldw + k] = wv;
      wv = update_one(wv, g, -lr, l1, l2);
      sums.sum_sq += static_cast<double>(wv) * wv;
      sums.sum_abs += std::abs(static_cast<double>(wv));
    }
  }
}

[[maybe_unused]] void forward_scalar(float* pre, int64_t ldp, const float* x, int64_t ldx,
                                     int64_t rows, const float* wt, int64_t hp, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < cols; ++k) {
      const float xv = x[i * ldx + k];
      for (int64_t j = 0; j < hp; ++j)
        pre[i * ldp + j] = std::fma(xv, wt[k * hp + j], pre[i * ldp + j]);
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

// The vector operations the gradient tile needs, for 256- and (below) 512-bit vectors, so that
// one template serves both widths.
struct Ymm {
  using T = __m256;
  static constexpr int width = 8;
  static T zero() { return _mm256_setzero_ps(); }
  static T set1(float v) { return _mm256_set1_ps(v); }
  static T broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T abs(T v) { return _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  static T sign(T w) {  // (w > 0) - (w < 0), as update_one
    const T zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    return _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_GT_OQ), one),
                         _mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_LT_OQ), one));
  }
  static float sum(T v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
  }
};

#if defined(__AVX512F__)
struct Zmm {
  using T = __m512;
  static constexpr int width = 16;
  static T zero() { return _mm512_setzero_ps(); }
  static T set1(float v) { return _mm512_set1_ps(v); }
  static T broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T abs(T v) { return _mm512_abs_ps(v); }
  static T sign(T w) {
    const T zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    return _mm512_sub_ps(_mm512_maskz_mov_ps(_mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ), one),
                         _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ), one));
  }
  static float sum(T v) { return _mm512_reduce_add_ps(v); }
};
#endif

// U units (rows j0.. of W) x 4 vectors of columns from k: dW in registers over all rows of X,
// then the update, element by element as update_one (no contraction). x points at X[0, k], w at
// W[j0, k], dp at dpre[0, j0]. Every element sees the same operations in the same order whatever
// the vector width; only the order of the weight sums depends on it.
template <class V, int U>
void gradient_tile(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx, int64_t rows,
                   const float* dp, int64_t h, float lr, float l1, float l2, WeightSums& sums) {
  constexpr int n = V::width;
  typename V::T acc[U][4];
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) acc[u][q] = V::zero();
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * ldx;
    const typename V::T x0 = V::load(xr), x1 = V::load(xr + n), x2 = V::load(xr + 2 * n),
                        x3 = V::load(xr + 3 * n);
    const float* dr = dp + i * h;
#pragma GCC unroll 32
    for (int u = 0; u < U; ++u) {
      const typename V::T d = V::broadcast(dr + u);
      acc[u][0] = V::fmadd(d, x0, acc[u][0]);
      acc[u][1] = V::fmadd(d, x1, acc[u][1]);
      acc[u][2] = V::fmadd(d, x2, acc[u][2]);
      acc[u][3] = V::fmadd(d, x3, acc[u][3]);
    }
  }
  const typename V::T neg_lr = V::set1(-lr), vl1 = V::set1(l1), vl2 = V::set1(l2);
  typename V::T sq = V::zero(), ab = V::zero();
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u) {
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) {
      float* wp = w + u * ldw + n * q;
      const typename V::T wv = V::load(wp);
      if (backup != nullptr) V::store(backup + u * ldw + n * q, wv);
      const typename V::T gi = V::fmadd(vl1, V::sign(wv), V::fmadd(vl2, V::add(wv, wv), acc[u][q]));
      const typename V::T nw = V::fmadd(neg_lr, gi, wv);  // update_one's FMA
      V::store(wp, nw);
      sq = V::fmadd(nw, nw, sq);
      ab = V::add(ab, V::abs(nw));
    }
  }
  sums.sum_sq += static_cast<double>(V::sum(sq));
  sums.sum_abs += static_cast<double>(V::sum(ab));
}

// Σ w², Σ |w| of a U x 4-vector tile in gradient_tile's order, so that a forward-only pass
// reports the same sums as the step that wrote these weights (a resumed run stays bit-identical).
template <class V, int U>
void sums_tile(const float* w, int64_t ldw, WeightSums& sums) {
  typename V::T sq = V::zero(), ab = V::zero();
#pragma GCC unroll 32
  for (int u = 0; u < U; ++u) {
#pragma GCC unroll 32
    for (int q = 0; q < 4; ++q) {
      const typename V::T nw = V::load(w + u * ldw + V::width * q);
      sq = V::fmadd(nw, nw, sq);
      ab = V::add(ab, V::abs(nw));
    }
  }
  sums.sum_sq += static_cast<double>(V::sum(sq));
  sums.sum_abs += static_cast<double>(V::sum(ab));
}

// R rows x V vectors of 8 units, over the block's columns. x points at X[i0, k0], wt at the
// tile's first unit, pre at pre[i0, first unit].
template <int R, int V>
void forward_tile(float* pre, int64_t ldp, const float* x, int64_t ldx, const float* wt, int64_t hp,
                  int64_t cols) {
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
void forward_units(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows,
                   const float* wt, int64_t hp, int64_t cols, int64_t v0) {
  constexpr int R = kFwdRows * 3 / V;  // the same number of accumulators for every V
  int64_t i = 0;
  for (; i + R <= rows; i += R)
    forward_tile<R, V>(pre + i * ldp + 8 * v0, ldp, x + i * ldx, ldx, wt + 8 * v0, hp, cols);
  for (; i < rows; ++i)
    forward_tile<1, V>(pre + i * ldp + 8 * v0, ldp, x + i * ldx, ldx, wt + 8 * v0, hp, cols);
}

#if defined(__AVX512F__)
// The same kernels on 512-bit vectors, where the machine has them. Every element is computed
// by the same operations in the same order as in the 256-bit kernels (dW over rows in turn,
// pre over columns in turn), so W and pre do not depend on the vector width; only the order of
// the weight sums does (wide_weight_sums follows the same dispatch).
constexpr int kGradCols512 = 64;  // 4 vectors of 16 columns

// R rows x (Z 16-unit vectors + Y 8-unit vectors), over the block's columns.
template <int R, int Z, int Y>
void forward_tile512(float* pre, int64_t ldp, const float* x, int64_t ldx, const float* wt,
                     int64_t hp, int64_t cols) {
  __m512 az[R][Z > 0 ? Z : 1];
  __m256 ay[R][Y > 0 ? Y : 1];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 32
    for (int q = 0; q < Z; ++q) az[r][q] = _mm512_setzero_ps();
#pragma GCC unroll 32
    for (int q = 0; q < Y; ++q) ay[r][q] = _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < cols; ++k) {
    __m512 wz[Z > 0 ? Z : 1];
    __m256 wy[Y > 0 ? Y : 1];
#pragma GCC unroll 32
    for (int q = 0; q < Z; ++q) wz[q] = _mm512_loadu_ps(wt + k * hp + 16 * q);
#pragma GCC unroll 32
    for (int q = 0; q < Y; ++q) wy[q] = _mm256_loadu_ps(wt + k * hp + 16 * Z + 8 * q);
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      // one broadcast load per row; the 256-bit products use its lower half
      const __m512 xb = _mm512_set1_ps(x[r * ldx + k]);
#pragma GCC unroll 32
      for (int q = 0; q < Z; ++q) az[r][q] = _mm512_fmadd_ps(xb, wz[q], az[r][q]);
#pragma GCC unroll 32
      for (int q = 0; q < Y; ++q)
        ay[r][q] = _mm256_fmadd_ps(_mm512_castps512_ps256(xb), wy[q], ay[r][q]);
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 32
    for (int q = 0; q < Z; ++q) {
      float* p = pre + r * ldp + 16 * q;
      _mm512_storeu_ps(p, _mm512_add_ps(_mm512_loadu_ps(p), az[r][q]));
    }
#pragma GCC unroll 32
    for (int q = 0; q < Y; ++q) {
      float* p = pre + r * ldp + 16 * Z + 8 * q;
      _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), ay[r][q]));
    }
  }
}

// All rows for the units [16 v0 .. 16 v0 + 16 Z + 8 Y).
template <int Z, int Y>
void forward_units512(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows,
                      const float* wt, int64_t hp, int64_t cols, int64_t u0) {
  constexpr int R = 24 / (Z + Y);  // 24 accumulators whatever the split
  int64_t i = 0;
  for (; i + R <= rows; i += R)
    forward_tile512<R, Z, Y>(pre + i * ldp + u0, ldp, x + i * ldx, ldx, wt + u0, hp, cols);
  for (; i < rows; ++i)
    forward_tile512<1, Z, Y>(pre + i * ldp + u0, ldp, x + i * ldx, ldx, wt + u0, hp, cols);
}
#endif  // __AVX512F__

// The unit tiles of a column strip: tiles of U units, then one tile of the units left over.
// tile(std::integral_constant<int, units>, first unit) runs one.
template <int U, class F>
void unit_tiles(int64_t h, F&& tile) {
  int64_t j = 0;
  for (; j + U <= h; j += U) tile(std::integral_constant<int, U>{}, j);
  const int64_t left = h - j;
  if constexpr (U > 4)
    if (left == 4) tile(std::integral_constant<int, 4>{}, j);
  if constexpr (U > 3)
    if (left == 3) tile(std::integral_constant<int, 3>{}, j);
  if constexpr (U > 2)
    if (left == 2) tile(std::integral_constant<int, 2>{}, j);
  if constexpr (U > 1)
    if (left == 1) tile(std::integral_constant<int, 1>{}, j);
}

// The accumulators of one tile: acc[v][g] = Σ_k x[k * ldx + v * width + lane] b[g * ldb + k],
// in registers over the whole depth, one FMA per term in k order (the scalar loops' order).
// NV vectors of lanes (rows of a panel, or columns of X) x G units (rows of b).
// Always inlined: a call would keep acc in memory, not registers (measured: 2x slower).
template <class V, int NV, int G>
[[gnu::always_inline]] inline void chain_tile(typename V::T (&acc)[NV][G], const float* x,
                                              int64_t ldx, int64_t depth, const float* b,
                                              int64_t ldb) {
  constexpr int n = V::width;
#pragma GCC unroll 32
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) acc[v][g] = V::zero();
  for (int64_t k = 0; k < depth; ++k) {
    typename V::T kv[NV];
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) kv[v] = V::load(x + k * ldx + v * n);
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) {
      const typename V::T bv = V::broadcast(b + g * ldb + k);
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[v][g] = V::fmadd(kv[v], bv, acc[v][g]);
    }
  }
}

// Rows [0, NV width) of one panel x G units (rows j0.. of B, out at column j0): K Bᵀ, written
// out lane by lane (the rows of out), rows_left of them at most.
template <class V, int NV, int G>
void panel_tile(float* out, int64_t ldo, int64_t rows_left, const float* panel, int64_t depth,
                const float* b, int64_t ldb) {
  constexpr int n = V::width;
  typename V::T acc[NV][G];
  chain_tile<V, NV, G>(acc, panel, kPanelRows, depth, b, ldb);
  alignas(64) float lane[n];
#pragma GCC unroll 32
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) {
      V::store(lane, acc[v][g]);
      for (int l = 0; l < n && v * n + l < rows_left; ++l) out[(v * n + l) * ldo + g] = lane[l];
    }
}

// Columns [c, c + NV width) of X's rows x G units: out[g, c + lane] = Σ_k b[g, k] x[k, c + lane],
// stored a vector at a time (out's rows are b's units).
template <class V, int NV, int G>
void combination_tile(float* out, int64_t ldo, const float* x, int64_t ldx, int64_t depth,
                      const float* b, int64_t ldb) {
  typename V::T acc[NV][G];
  chain_tile<V, NV, G>(acc, x, ldx, depth, b, ldb);
#pragma GCC unroll 32
  for (int v = 0; v < NV; ++v)
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) V::store(out + g * ldo + v * V::width, acc[v][g]);
}

// Columns [c, end) in tiles of NV vectors (all of b's units for each); returns where it stopped.
template <class V, int NV>
int64_t combination_tiles(float* out, int64_t ldo, const float* x, int64_t ldx, int64_t depth,
                          int64_t c, int64_t end, const float* b, int64_t ldb, int64_t h) {
  for (; c + NV * V::width <= end; c += NV * V::width)
    unit_tiles<5>(h, [&](auto g, int64_t j) {
      combination_tile<V, NV, decltype(g)::value>(out + j * ldo + c, ldo, x + c, ldx, depth,
                                                  b + j * ldb, ldb);
    });
  return c;
}

#endif  // NC_WIDE_KERNELS

// One entry of wide_panel_product or wide_row_combination, Σ_k x[k * ldx] b[k]: the reference
// order the vector tiles follow (chain_tile), one sequential FMA chain from 0.
float chain_scalar(const float* x, int64_t ldx, const float* b, int64_t depth) {
  float s = 0.0f;
  for (int64_t k = 0; k < depth; ++k) s = std::fma(x[k * ldx], b[k], s);
  return s;
}

void panel_scalar(float* out, int64_t ldo, int64_t rows_left, const float* panel, int64_t depth,
                  const float* b, int64_t ldb, int64_t h) {
  for (int64_t r = 0; r < std::min(rows_left, kPanelRows); ++r)
    for (int64_t j = 0; j < h; ++j)
      out[r * ldo + j] = chain_scalar(panel + r, kPanelRows, b + j * ldb, depth);
}

}  // namespace

bool wide_kernels_512() {
#if defined(__AVX512F__)
  return wide_kernels_available();
#else
  return false;
#endif
}

bool wide_kernels_available() {
  return NC_WIDE_KERNELS != 0;
}

// The three functions below split the columns the same way: strips of 64 columns (512-bit
// kernels, where compiled in), then of 32 (256-bit), then single columns (scalar).
void wide_gradient_step(float* w, int64_t ldw, float* backup, const float* x, int64_t ldx,
                        int64_t rows, const float* dpre, int64_t h, int64_t k0, int64_t cols,
                        float lr, float l1, float l2, WeightSums& sums) {
  const int64_t end = k0 + cols;
  int64_t k = k0;
#if NC_WIDE_KERNELS
  const auto backup_at = [&](int64_t j) {
    return backup != nullptr ? backup + j * ldw + k : nullptr;
  };
#if defined(__AVX512F__)
  for (; k + kGradCols512 <= end; k += kGradCols512) {
    unit_tiles<kGradUnits>(h, [&](auto u, int64_t j) {
      gradient_tile<Zmm, decltype(u)::value>(w + j * ldw + k, ldw, backup_at(j), x + (k - k0), ldx,
                                             rows, dpre + j, h, lr, l1, l2, sums);
    });
  }
#endif
  for (; k + kGradCols <= end; k += kGradCols) {
    unit_tiles<kGradUnits>(h, [&](auto u, int64_t j) {
      gradient_tile<Ymm, decltype(u)::value>(w + j * ldw + k, ldw, backup_at(j), x + (k - k0), ldx,
                                             rows, dpre + j, h, lr, l1, l2, sums);
    });
  }
#endif
  if (k < end)
    gradient_step_scalar(w, ldw, backup, x + (k - k0), ldx, rows, dpre, h, k, end - k, lr, l1, l2,
                         sums);
}

void wide_weight_sums(const float* w, int64_t ldw, int64_t h, int64_t k0, int64_t cols,
                      WeightSums& sums) {
  const int64_t end = k0 + cols;
  int64_t k = k0;
#if NC_WIDE_KERNELS
#if defined(__AVX512F__)
  for (; k + kGradCols512 <= end; k += kGradCols512) {
    unit_tiles<kGradUnits>(h, [&](auto u, int64_t j) {
      sums_tile<Zmm, decltype(u)::value>(w + j * ldw + k, ldw, sums);
    });
  }
#endif
  for (; k + kGradCols <= end; k += kGradCols) {
    unit_tiles<kGradUnits>(h, [&](auto u, int64_t j) {
      sums_tile<Ymm, decltype(u)::value>(w + j * ldw + k, ldw, sums);
    });
  }
#endif
  for (int64_t j = 0; j < h; ++j) {
    for (int64_t kk = k; kk < end; ++kk) {
      const float wv = w[j * ldw + kk];
      sums.sum_sq += static_cast<double>(wv) * wv;
      sums.sum_abs += std::abs(static_cast<double>(wv));
    }
  }
}

void wide_forward(float* pre, int64_t ldp, const float* x, int64_t ldx, int64_t rows,
                  const float* wt, int64_t hp, int64_t cols) {
#if NC_WIDE_KERNELS && defined(__AVX512F__)
  // units in groups of 32 (two 512-bit vectors), then what is left: 24, 16 or 8
  int64_t u = 0;
  for (; u + 32 <= hp; u += 32) forward_units512<2, 0>(pre, ldp, x, ldx, rows, wt, hp, cols, u);
  if (hp - u == 24) forward_units512<1, 1>(pre, ldp, x, ldx, rows, wt, hp, cols, u);
  if (hp - u == 16) forward_units512<1, 0>(pre, ldp, x, ldx, rows, wt, hp, cols, u);
  if (hp - u == 8) forward_units512<0, 1>(pre, ldp, x, ldx, rows, wt, hp, cols, u);
#elif NC_WIDE_KERNELS
  const int64_t vectors = hp / 8;
  int64_t v = 0;
  for (; v + 3 <= vectors; v += 3) forward_units<3>(pre, ldp, x, ldx, rows, wt, hp, cols, v);
  if (vectors - v == 2) forward_units<2>(pre, ldp, x, ldx, rows, wt, hp, cols, v);
  if (vectors - v == 1) forward_units<1>(pre, ldp, x, ldx, rows, wt, hp, cols, v);
#else
  forward_scalar(pre, ldp, x, ldx, rows, wt, hp, cols);
#endif
}

void wide_make_panels(float* panels, const float* k, int64_t ldk, int64_t rows, int64_t depth) {
  const int64_t n_panels = (rows + kPanelRows - 1) / kPanelRows;
  for (int64_t p = 0; p < n_panels; ++p) {
    float* panel = panels + p * depth * kPanelRows;
    const int64_t r1 = std::min(kPanelRows, rows - p * kPanelRows);
    if (r1 < kPanelRows) std::fill_n(panel, depth * kPanelRows, 0.0f);
    // row by row: K read in order, the panel (depth x 64 floats) written within L2
    for (int64_t r = 0; r < r1; ++r) {
      const float* row = k + (p * kPanelRows + r) * ldk;
      for (int64_t kk = 0; kk < depth; ++kk) panel[kk * kPanelRows + r] = row[kk];
    }
  }
}

void wide_panel_product(float* out, int64_t ldo, const float* panels, int64_t rows, int64_t depth,
                        int64_t p0, int64_t p1, const float* b, int64_t ldb, int64_t h,
                        bool vectors) {
  for (int64_t p = p0; p < p1; ++p) {
    const float* panel = panels + p * depth * kPanelRows;
    float* o = out + p * kPanelRows * ldo;
    const int64_t left = rows - p * kPanelRows;
#if NC_WIDE_KERNELS
    if (vectors) {
#if defined(__AVX512F__)
      // 4 vectors (the panel's 64 rows) x 5 units: 20 accumulators
      unit_tiles<5>(h, [&](auto g, int64_t j) {
        panel_tile<Zmm, 4, decltype(g)::value>(o + j, ldo, left, panel, depth, b + j * ldb, ldb);
      });
#else
      // 2 vectors (16 rows) x 5 units: 10 accumulators of the 16 registers
      for (int64_t r0 = 0; r0 < std::min(left, kPanelRows); r0 += 16)
        unit_tiles<5>(h, [&](auto g, int64_t j) {
          panel_tile<Ymm, 2, decltype(g)::value>(o + r0 * ldo + j, ldo, left - r0, panel + r0,
                                                 depth, b + j * ldb, ldb);
        });
#endif
      continue;
    }
#endif
    panel_scalar(o, ldo, left, panel, depth, b, ldb, h);
  }
}

void wide_row_combination(float* out, int64_t ldo, const float* x, int64_t ldx, int64_t depth,
                          int64_t c0, int64_t c1, const float* b, int64_t ldb, int64_t h,
                          bool vectors) {
  int64_t c = c0;
#if NC_WIDE_KERNELS
  if (vectors) {
#if defined(__AVX512F__)
    c = combination_tiles<Zmm, 4>(out, ldo, x, ldx, depth, c, c1, b, ldb, h);
    c = combination_tiles<Zmm, 1>(out, ldo, x, ldx, depth, c, c1, b, ldb, h);
#endif
    c = combination_tiles<Ymm, 2>(out, ldo, x, ldx, depth, c, c1, b, ldb, h);
    c = combination_tiles<Ymm, 1>(out, ldo, x, ldx, depth, c, c1, b, ldb, h);
  }
#endif
  for (int64_t j = 0; j < h; ++j)
    for (int64_t cc = c; cc < c1; ++cc)
      out[j * ldo + cc] = chain_scalar(x + cc, ldx, b + j * ldb, depth);
}

}  // namespace nc
