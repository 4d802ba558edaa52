#include "analysis/tuning.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "core/parallel.hpp"

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
template <class T>
void point_taps(const T* x, int64_t n, int64_t stride, int64_t r, std::vector<const T*>& taps) {
  const auto radius = static_cast<int64_t>(taps.size() / 2);
  for (int64_t k = -radius; k <= radius; ++k)
    taps[static_cast<size_t>(k + radius)] = x + reflect_index(r + k, n) * stride;
}
// The same for rows given by pointers (rows[i] is row i).
void point_taps(const std::vector<const float*>& rows, int64_t r, std::vector<const float*>& taps) {
  const auto radius = static_cast<int64_t>(taps.size() / 2);
  const auto n = static_cast<int64_t>(rows.size());
  for (int64_t k = -radius; k <= radius; ++k)
    taps[static_cast<size_t>(k + radius)] = rows[static_cast<size_t>(reflect_index(r + k, n))];
}

// Eight doubles as one value (GCC's vector extension: one AVX-512 register, or two AVX2 ones),
// so the accumulators below live in registers across the taps.
using Vec8d = double __attribute__((vector_size(64)));
using Vec8f = float __attribute__((vector_size(32)));
template <class T>
Vec8d load8(const T* p) {
  if constexpr (std::is_same_v<T, float>) {
    Vec8f f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, Vec8d);  // exact: every float is a double
  } else {
    Vec8d d;
    std::memcpy(&d, p, sizeof d);
    return d;
  }
}

// out[0:cols] = sum over t of w[t] * taps[t][0:cols], in double, in tap order. Float inputs
// are widened exactly, so float and double copies of the same values give the same bits. A
// strip of 32 outputs stays in four registers across the taps and is stored once.
template <class T>
void weighted_rows(const std::vector<const T*>& taps, const std::vector<double>& w, int64_t cols,
                   double* out) {
  int64_t c0 = 0;
  for (; c0 + 32 <= cols; c0 += 32) {
    Vec8d a0 = {}, a1 = {}, a2 = {}, a3 = {};
    for (size_t t = 0; t < taps.size(); ++t) {
      const T* x = taps[t] + c0;
      const double wt = w[t];
      a0 += wt * load8(x);
      a1 += wt * load8(x + 8);
      a2 += wt * load8(x + 16);
      a3 += wt * load8(x + 24);
    }
    std::memcpy(out + c0, &a0, sizeof a0);
    std::memcpy(out + c0 + 8, &a1, sizeof a1);
    std::memcpy(out + c0 + 16, &a2, sizeof a2);
    std::memcpy(out + c0 + 24, &a3, sizeof a3);
  }
  for (int64_t j = c0; j < cols; ++j) {  // the last columns, in the same order
    double acc = 0.0;
    for (size_t t = 0; t < taps.size(); ++t) acc += w[t] * static_cast<double>(taps[t][j]);
    out[j] = acc;
  }
}

// One thread's buffers for smoothed_argmax, reused from block to block: fresh pages cost
// more than the arithmetic on some machines.
struct ArgmaxBuffers {
  std::vector<double> row, top;
  std::vector<int64_t> best;
  std::vector<const float*> rows, taps;
};

// For `cols` columns of the rows given in angle order (s.rows[r] points at row r's first
// column): each column's first row of the maximum of its smoothed curve, into s.best. Each
// smoothed row is made from the float rows (widened exactly: gaussian_filter_rows's bits) into
// one short buffer and compared at once, so neither a double copy nor the smoothed block ever
// goes through memory.
void smoothed_argmax(const std::vector<double>& w, int64_t cols, ArgmaxBuffers& s) {
  const auto n = static_cast<int64_t>(s.rows.size());
  s.row.resize(static_cast<size_t>(cols));
  s.top.resize(static_cast<size_t>(cols));
  s.best.assign(static_cast<size_t>(cols), 0);  // the first row of the maximum
  s.taps.resize(w.size());
  for (int64_t r = 0; r < n; ++r) {
    point_taps(s.rows, r, s.taps);
    weighted_rows(s.taps, w, cols, r == 0 ? s.top.data() : s.row.data());
    if (r == 0) continue;
    for (int64_t j = 0; j < cols; ++j)
      if (s.row[static_cast<size_t>(j)] > s.top[static_cast<size_t>(j)]) {
        s.top[static_cast<size_t>(j)] = s.row[static_cast<size_t>(j)];
        s.best[static_cast<size_t>(j)] = r;
      }
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
  if (static_cast<int64_t>(a.size() + b.size()) != n) return;
  std::vector<int64_t> place(static_cast<size_t>(n), -1);  // row -> its place in a then b
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = i < n_a_ ? a[static_cast<size_t>(i)] : b[static_cast<size_t>(i - n_a_)];
    if (row < 0 || row >= n || place[static_cast<size_t>(row)] >= 0) return;
    place[static_cast<size_t>(row)] = i;
  }
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
