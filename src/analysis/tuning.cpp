#include "analysis/tuning.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "core/parallel.hpp"
#include "data/dataset.hpp"

namespace nc::analysis {
namespace {

// Index into [0, n) under scipy's 'reflect' extension (period 2n, half-sample symmetric).
int64_t reflect_index(int64_t i, int64_t n) {
  const int64_t period = 2 * n;
  int64_t m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

// The normalised Gaussian of radius int(truncate*sigma + 0.5), as scipy's gaussian_filter1d.
std::vector<double> gaussian_weights(double sigma, double truncate) {
  const auto radius = static_cast<int64_t>(truncate * sigma + 0.5);
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  double total = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    const double v = std::exp(-0.5 / (sigma * sigma) * static_cast<double>(k * k));
    w[static_cast<size_t>(k + radius)] = v;
    total += v;
  }
  for (double& v : w) v /= total;
  return w;
}

// taps[t] = row r + t - radius of x (n rows), mirrored at the ends.
void point_taps(const double* x, int64_t n, int64_t stride, int64_t r,
                std::vector<const double*>& taps) {
  const auto radius = static_cast<int64_t>(taps.size() / 2);
  for (int64_t k = -radius; k <= radius; ++k)
    taps[static_cast<size_t>(k + radius)] = x + reflect_index(r + k, n) * stride;
}

// Eight doubles as one value (GCC's vector extension: one AVX-512 register, or two AVX2 ones),
// so the accumulators below live in registers across the taps.
using Vec8d = double __attribute__((vector_size(64)));
using Vec8l = int64_t __attribute__((vector_size(64)));
Vec8d load8(const double* p) {
  Vec8d d;
  std::memcpy(&d, p, sizeof d);
  return d;
}
void store8(double* p, Vec8d v) {
  std::memcpy(p, &v, sizeof v);
}

// The sum over t of w[t] * taps[t][c0 + lane], in double, in tap order, for a strip of 8*K
// columns held in K registers across the taps. Every caller sums in this order, so the
// smoothed values have the same bits whichever path makes them.
template <int K>
void strip_sums(const std::vector<const double*>& taps, const std::vector<double>& w, int64_t c0,
                Vec8d (&acc)[K]) {
  for (int k = 0; k < K; ++k) acc[k] = Vec8d{};
  for (size_t t = 0; t < taps.size(); ++t) {
    const double* x = taps[t] + c0;
    const double wt = w[t];
    for (int k = 0; k < K; ++k) acc[k] += wt * load8(x + 8 * k);
  }
}
// The same for column j alone; taps[0 .. w.size()).
double column_sum(const double* const* taps, const std::vector<double>& w, int64_t j) {
  double acc = 0.0;
  for (size_t t = 0; t < w.size(); ++t) acc += w[t] * taps[t][j];
  return acc;
}

// Strips of 64 columns: eight independent sums keep both FMA pipes busy.
constexpr int kStrip = 8;

// out[0:cols] = the smoothed row of the taps (strip_sums, then column_sum for the tail).
void weighted_rows(const std::vector<const double*>& taps, const std::vector<double>& w,
                   int64_t cols, double* out) {
  int64_t c0 = 0;
  for (; c0 + 8 * kStrip <= cols; c0 += 8 * kStrip) {
    Vec8d acc[kStrip];
    strip_sums(taps, w, c0, acc);
    for (int k = 0; k < kStrip; ++k) store8(out + c0 + 8 * k, acc[k]);
  }
  for (int64_t j = c0; j < cols; ++j) out[j] = column_sum(taps.data(), w, j);
}

// Rows r .. r + Q - 1 of the smoothed block at once, compared with the running maximum
// top[0:cols] (row 0 sets it): where a row is larger, top takes it and best[j] its index, so
// best ends at the first row of each column's maximum. 8 columns at a time, each input row is
// loaded once for every output row its taps reach (p[u] is input row r - radius + u, so output
// row r + q takes tap t from p[q + t]); the rows are then compared in order in registers, and
// no smoothed row is stored. Each output's sum runs over its taps in order (strip_sums's
// order), so the bits do not depend on Q. Q = kRows cuts the loads per FMA to 1/kRows (one row
// at a time, the taps' reads from L2 bound the smoothing); Q = 1 serves the last rows and short
// filters. Needs w.size() >= Q - 1.
constexpr int kRows = 8;
template <int Q>
void argmax_rows(const std::vector<const double*>& p, const std::vector<double>& w, const Vec8d* wt,
                 int64_t cols, int64_t r, double* top, int64_t* best) {
  const int taps = static_cast<int>(w.size());
  int64_t c0 = 0;
  for (; c0 + 8 <= cols; c0 += 8) {
    Vec8d acc[Q] = {};
    // The first Q - 1 input rows reach only the first outputs, the last ones only the last.
#pragma GCC unroll 8
    for (int u = 0; u < Q - 1; ++u) {
      const Vec8d x = load8(p[static_cast<size_t>(u)] + c0);
#pragma GCC unroll 8
      for (int q = 0; q <= u; ++q) acc[q] += wt[u - q] * x;
    }
    for (int u = Q - 1; u < taps; ++u) {
      const Vec8d x = load8(p[static_cast<size_t>(u)] + c0);
#pragma GCC unroll 8
      for (int q = 0; q < Q; ++q) acc[q] += wt[u - q] * x;
    }
#pragma GCC unroll 8
    for (int v = 0; v < Q - 1; ++v) {
      const Vec8d x = load8(p[static_cast<size_t>(taps + v)] + c0);
#pragma GCC unroll 8
      for (int q = v + 1; q < Q; ++q) acc[q] += wt[taps + v - q] * x;
    }
    Vec8d tv = load8(top + c0);
    Vec8l bv;
    std::memcpy(&bv, best + c0, sizeof bv);
#pragma GCC unroll 8
    for (int q = 0; q < Q; ++q) {
      if (r + q == 0) {
        tv = acc[q];
        bv = Vec8l{};
        continue;
      }
      const Vec8l up = acc[q] > tv;  // false for NaN either side, as the scalar test
      tv = up ? acc[q] : tv;
      bv = up ? Vec8l{} + (r + q) : bv;
    }
    store8(top + c0, tv);
    std::memcpy(best + c0, &bv, sizeof bv);
  }
  for (int q = 0; q < Q; ++q) {  // the last columns, row by row
    for (int64_t j = c0; j < cols; ++j) {
      const double v = column_sum(p.data() + q, w, j);
      if (r + q == 0 || v > top[j]) {
        top[j] = v;
        best[j] = r + q;
      }
    }
  }
}

// One thread's buffers for smoothed_argmax, reused from block to block: fresh pages cost
// more than the arithmetic on some machines.
struct ArgmaxBuffers {
  std::vector<double> wide, top;
  std::vector<int64_t> best;
  // The weights, each in all 8 lanes, so that the FMAs read them from L1 rather than
  // broadcasting a scalar for each (about 10% of the smoothing's time).
  std::vector<Vec8d> w8;
  std::vector<const float*> rows;
  std::vector<const double*> taps;
};

// For `cols` columns of the rows given in angle order (s.rows[r] points at row r's first
// column): each column's first row of the maximum of its smoothed curve, into s.best. Each
// float row is widened (exactly) once into a ring of the rows the taps can reach, so the taps
// read doubles from cache; the smoothed rows are compared in registers as they are made, kRows
// at a time (argmax_rows), the last few one by one. The bits are
// gaussian_filter_rows's.
void smoothed_argmax(const std::vector<double>& w, int64_t cols, ArgmaxBuffers& s) {
  const auto n = static_cast<int64_t>(s.rows.size());
  const auto radius = static_cast<int64_t>(w.size() / 2);
  const bool blocked = static_cast<int64_t>(w.size()) >= kRows - 1;
  // Row i lies in slot i % ring. The rows the taps of rows r .. r + kRows - 1 reach (reflected
  // at the ends) lie in [r - radius, r + kRows - 1 + radius], so no slot is needed twice at once.
  const int64_t ring = std::min<int64_t>(n, 2 * radius + kRows);
  // Slots one cache line more than a row apart: rows 8 KB apart (1,024 columns) all fall in
  // one L1 set, and every tap's load went to L2. With both changes here, one 4,000 x 4,096
  // block took 13-16 ms instead of 19-21 (AMD EPYC, AVX-512, two threads).
  const int64_t slot = cols + 8;
  s.wide.resize(static_cast<size_t>(ring * slot));
  s.top.resize(static_cast<size_t>(cols));
  s.best.resize(static_cast<size_t>(cols));
  s.w8.resize(w.size());
  for (size_t t = 0; t < w.size(); ++t) s.w8[t] = Vec8d{} + w[t];
  int64_t widened = 0;
  auto widen_to = [&](int64_t last) {
    for (; widened <= std::min(last, n - 1); ++widened) {
      const float* src = s.rows[static_cast<size_t>(widened)];
      double* dst = s.wide.data() + (widened % ring) * slot;
      for (int64_t j = 0; j < cols; ++j) dst[j] = src[j];
    }
  };
  auto point = [&](int64_t u) { return s.wide.data() + (reflect_index(u, n) % ring) * slot; };
  int64_t r = 0;
  if (blocked) {
    s.taps.resize(w.size() + kRows - 1);
    for (; r + kRows <= n; r += kRows) {
      widen_to(r + kRows - 1 + radius);
      for (size_t u = 0; u < s.taps.size(); ++u)
        s.taps[u] = point(r - radius + static_cast<int64_t>(u));
      argmax_rows<kRows>(s.taps, w, s.w8.data(), cols, r, s.top.data(), s.best.data());
    }
  }
  s.taps.resize(w.size());
  for (; r < n; ++r) {
    widen_to(r + radius);
    for (size_t u = 0; u < s.taps.size(); ++u)
      s.taps[u] = point(r - radius + static_cast<int64_t>(u));
    argmax_rows<1>(s.taps, w, s.w8.data(), cols, r, s.top.data(), s.best.data());
  }
}

// The neuron order of a preferred orientation: a stable argsort of its degrees.
void sort_neurons(PreferredOrientation& p) {
  p.order.resize(p.degrees.size());
  std::iota(p.order.begin(), p.order.end(), 0);
  std::stable_sort(p.order.begin(), p.order.end(), [&](int64_t a, int64_t b) {
    return p.degrees[static_cast<size_t>(a)] < p.degrees[static_cast<size_t>(b)];
  });
}

// Rows sorted by angle (stable).
std::vector<int64_t> angle_order(const std::vector<float>& stimuli) {
  std::vector<int64_t> order(stimuli.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return stimuli[static_cast<size_t>(a)] < stimuli[static_cast<size_t>(b)];
  });
  return order;
}

// Columns are smoothed in chunks of kArgmaxCols: a chunk's accumulator rows stay in L1/L2.
constexpr int64_t kArgmaxCols = 1024;

}  // namespace

RowMatD gaussian_filter_rows(const RowMatD& x, double sigma, double truncate) {
  RowMatD y;
  gaussian_filter_rows(x, sigma, y, truncate);
  return y;
}

void gaussian_filter_rows(const RowMatD& x, double sigma, RowMatD& y, double truncate) {
  const std::vector<double> w = gaussian_weights(sigma, truncate);
  const int64_t n = x.rows(), cols = x.cols();
  y.resize(n, cols);
  std::vector<const double*> taps(w.size());
  for (int64_t r = 0; r < n; ++r) {
    point_taps(x.data(), n, cols, r, taps);
    weighted_rows(taps, w, cols, y.row(r).data());
  }
}

PreferredOrientation preferred_orientation(const BlockReader& resp,
                                           const std::vector<float>& stimuli, double sigma) {
  const int64_t n = resp.rows, m = resp.cols;
  PreferredOrientation p;
  p.row_order = angle_order(stimuli);
  // In blocks of neurons (each column is smoothed on its own), interleaved over the threads,
  // each with its own buffers.
  const std::vector<double> w = gaussian_weights(sigma, 4.0);
  const int64_t n_blocks = (m + kArgmaxCols - 1) / kArgmaxCols;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), n_blocks));
  p.degrees.resize(static_cast<size_t>(m));
  parallel_for(0, workers, [&](int64_t worker) {
    RowMat block;  // (n, cols) rows in angle order
    ArgmaxBuffers s;
    s.rows.resize(static_cast<size_t>(n));
    for (int64_t b = worker; b < n_blocks; b += workers) {
      const int64_t j0 = b * kArgmaxCols, cols = std::min(kArgmaxCols, m - j0);
      resp.gather(p.row_order, j0, cols, block);
      for (int64_t r = 0; r < n; ++r) s.rows[static_cast<size_t>(r)] = block.data() + r * cols;
      smoothed_argmax(w, cols, s);
      for (int64_t j = 0; j < cols; ++j)
        p.degrees[static_cast<size_t>(j0 + j)] = stimuli[static_cast<size_t>(
            p.row_order[static_cast<size_t>(s.best[static_cast<size_t>(j)])])];
    }
  });
  sort_neurons(p);
  return p;
}

PreferredOrientationPass::PreferredOrientationPass(const std::vector<float>& stimuli,
                                                   const std::vector<int64_t>& a,
                                                   const std::vector<int64_t>& b, int64_t n_neurons,
                                                   double sigma)
    : stimuli_(stimuli), w_(gaussian_weights(sigma, 4.0)), n_a_(static_cast<int64_t>(a.size())) {
  const auto n = static_cast<int64_t>(stimuli.size());
  const std::vector<int64_t> place = data::places_in_lists(a, b, n);  // row -> place in a, b
  if (place.empty()) return;
  p_.row_order = angle_order(stimuli);
  source_.resize(static_cast<size_t>(n));
  for (int64_t q = 0; q < n; ++q)
    source_[static_cast<size_t>(q)] =
        place[static_cast<size_t>(p_.row_order[static_cast<size_t>(q)])];
  p_.degrees.resize(static_cast<size_t>(n_neurons));
  usable_ = true;
}

void PreferredOrientationPass::add(int64_t c0, int64_t cols, const float* xa, const float* xb,
                                   int64_t ld) {
  if (!usable_) return;
  const int64_t n_chunks = (cols + kArgmaxCols - 1) / kArgmaxCols;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), n_chunks));
  parallel_for(0, workers, [&](int64_t worker) {
    ArgmaxBuffers s;
    s.rows.resize(source_.size());
    for (int64_t k = worker; k < n_chunks; k += workers) {
      const int64_t j0 = k * kArgmaxCols, n = std::min(kArgmaxCols, cols - j0);
      for (size_t q = 0; q < source_.size(); ++q) {
        const int64_t i = source_[q];
        s.rows[q] = (i < n_a_ ? xa + i * ld : xb + (i - n_a_) * ld) + j0;
      }
      smoothed_argmax(w_, n, s);
      for (int64_t j = 0; j < n; ++j)
        p_.degrees[static_cast<size_t>(c0 + j0 + j)] = stimuli_[static_cast<size_t>(
            p_.row_order[static_cast<size_t>(s.best[static_cast<size_t>(j)])])];
    }
  });
  seen_ += cols;
}

PreferredOrientation PreferredOrientationPass::take() {
  sort_neurons(p_);
  return std::move(p_);
}

}  // namespace nc::analysis
