#include "analysis/tuning.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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

}  // namespace

RowMatD gaussian_filter_rows(const RowMatD& x, double sigma, double truncate) {
  RowMatD y;
  gaussian_filter_rows(x, sigma, y, truncate);
  return y;
}

void gaussian_filter_rows(const RowMatD& x, double sigma, RowMatD& y, double truncate) {
  const auto radius = static_cast<int64_t>(truncate * sigma + 0.5);
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  double total = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    const double v = std::exp(-0.5 / (sigma * sigma) * static_cast<double>(k * k));
    w[static_cast<size_t>(k + radius)] = v;
    total += v;
  }
  for (double& v : w) v /= total;
  const int64_t n = x.rows(), cols = x.cols();
  y.resize(n, cols);
  // Each output row is its taps' weighted sum, in tap order, over a strip of columns held in
  // registers (kStrip doubles), stored once: the loads of x are the only memory traffic.
  constexpr int64_t kStrip = 32;
  std::vector<const double*> taps(w.size());
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t k = -radius; k <= radius; ++k)
      taps[static_cast<size_t>(k + radius)] = x.row(reflect_index(r + k, n)).data();
    double* out = y.row(r).data();
    int64_t c0 = 0;
    for (; c0 + kStrip <= cols;
         c0 += kStrip) {  // a fixed width: the compiler keeps acc in registers
      using Strip = Eigen::Array<double, kStrip, 1>;
      Strip acc = Strip::Zero();
      for (size_t t = 0; t < taps.size(); ++t) acc += w[t] * Eigen::Map<const Strip>(taps[t] + c0);
      Eigen::Map<Strip>(out + c0) = acc;
    }
    for (int64_t j = c0; j < cols; ++j) {  // the last columns, in the same order
      double acc = 0.0;
      for (size_t t = 0; t < taps.size(); ++t) acc += w[t] * taps[t][j];
      out[j] = acc;
    }
  }
}

PreferredOrientation preferred_orientation(const BlockReader& resp,
                                           const std::vector<float>& stimuli, double sigma) {
  const int64_t n = resp.rows, m = resp.cols;
  PreferredOrientation p;
  p.row_order.resize(static_cast<size_t>(n));
  std::iota(p.row_order.begin(), p.row_order.end(), 0);
  std::stable_sort(p.row_order.begin(), p.row_order.end(), [&](int64_t a, int64_t b) {
    return stimuli[static_cast<size_t>(a)] < stimuli[static_cast<size_t>(b)];
  });
  // In blocks of neurons (each column is smoothed on its own), interleaved over the threads,
  // each with its own buffers, reused from block to block: fresh pages cost more than the
  // arithmetic on some machines. The argmax walks rows (the buffers' contiguous direction).
  constexpr int64_t kBlock = 1024;
  const int64_t n_blocks = (m + kBlock - 1) / kBlock;
  const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(thread_count(), n_blocks));
  p.degrees.resize(static_cast<size_t>(m));
  parallel_for(0, workers, [&](int64_t worker) {
    RowMat block;            // (n, cols) rows in angle order
    RowMatD sorted, smooth;  // (n, cols)
    std::vector<int64_t> best;
    std::vector<double> top;
    for (int64_t b = worker; b < n_blocks; b += workers) {
      const int64_t j0 = b * kBlock, cols = std::min(kBlock, m - j0);
      resp.gather(p.row_order, j0, cols, block);
      sorted = block.cast<double>();
      gaussian_filter_rows(sorted, sigma, smooth);
      best.assign(static_cast<size_t>(cols), 0);  // first row of the maximum
      top.assign(smooth.row(0).data(), smooth.row(0).data() + cols);
      for (int64_t r = 1; r < n; ++r) {
        const double* row = smooth.row(r).data();
        for (int64_t j = 0; j < cols; ++j)
          if (row[j] > top[static_cast<size_t>(j)]) {
            top[static_cast<size_t>(j)] = row[j];
            best[static_cast<size_t>(j)] = r;
          }
      }
      for (int64_t j = 0; j < cols; ++j)
        p.degrees[static_cast<size_t>(j0 + j)] = stimuli[static_cast<size_t>(
            p.row_order[static_cast<size_t>(best[static_cast<size_t>(j)])])];
    }
  });
  p.order.resize(static_cast<size_t>(m));
  std::iota(p.order.begin(), p.order.end(), 0);
  std::stable_sort(p.order.begin(), p.order.end(), [&](int64_t a, int64_t b) {
    return p.degrees[static_cast<size_t>(a)] < p.degrees[static_cast<size_t>(b)];
  });
  return p;
}

}  // namespace nc::analysis
