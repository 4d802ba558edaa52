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
  const auto radius = static_cast<int64_t>(truncate * sigma + 0.5);
  std::vector<double> w(static_cast<size_t>(2 * radius + 1));
  double total = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    const double v = std::exp(-0.5 / (sigma * sigma) * static_cast<double>(k * k));
    w[static_cast<size_t>(k + radius)] = v;
    total += v;
  }
  for (double& v : w) v /= total;
  const int64_t n = x.rows();
  RowMatD y = RowMatD::Zero(n, x.cols());
  for (int64_t r = 0; r < n; ++r)
    for (int64_t k = -radius; k <= radius; ++k)
      y.row(r) += w[static_cast<size_t>(k + radius)] * x.row(reflect_index(r + k, n));
  return y;
}

PreferredOrientation preferred_orientation(CMatMap resp, const std::vector<float>& stimuli,
                                           double sigma) {
  const int64_t n = resp.rows(), m = resp.cols();
  PreferredOrientation p;
  p.row_order.resize(static_cast<size_t>(n));
  std::iota(p.row_order.begin(), p.row_order.end(), 0);
  std::stable_sort(p.row_order.begin(), p.row_order.end(), [&](int64_t a, int64_t b) {
    return stimuli[static_cast<size_t>(a)] < stimuli[static_cast<size_t>(b)];
  });
  // In blocks of neurons (each column is smoothed on its own), side by side on the threads:
  // the double copies cost a block per thread, not the whole matrix again.
  constexpr int64_t kBlock = 512;
  p.degrees.resize(static_cast<size_t>(m));
  parallel_for(0, (m + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t j0 = b * kBlock, cols = std::min(kBlock, m - j0);
    RowMatD sorted(n, cols);
    for (int64_t r = 0; r < n; ++r)
      sorted.row(r) =
          resp.row(p.row_order[static_cast<size_t>(r)]).segment(j0, cols).cast<double>();
    const RowMatD smooth = gaussian_filter_rows(sorted, sigma);
    for (int64_t j = 0; j < cols; ++j) {
      int64_t best = 0;
      for (int64_t r = 1; r < n; ++r)
        if (smooth(r, j) > smooth(best, j)) best = r;
      p.degrees[static_cast<size_t>(j0 + j)] =
          stimuli[static_cast<size_t>(p.row_order[static_cast<size_t>(best)])];
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
