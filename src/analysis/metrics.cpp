#include "analysis/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nc::analysis {

double wrap_degrees(double e) {
  double w = std::fmod(e, 360.0);
  if (w <= -180.0) w += 360.0;
  if (w > 180.0) w -= 360.0;
  return w;
}

double wrap_period(double e, double period) {
  if (period <= 0.0) return e;
  double w = std::fmod(e, period);
  if (w <= -0.5 * period) w += period;
  if (w > 0.5 * period) w -= period;
  return w;
}

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
  const double hi = v[h];
  if (v.size() % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
  return 0.5 * (lo + hi);
}

DecodingErrors decoding_errors(const std::vector<double>& decoded, const std::vector<float>& truth,
                               double period) {
  DecodingErrors r;
  const size_t n = decoded.size();
  std::vector<double> abs_err(n), circ_err(n);
  double sq = 0, truth_mean = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = decoded[i] - static_cast<double>(truth[i]);
    sq += e * e;
    abs_err[i] = std::abs(e);
    circ_err[i] = std::abs(wrap_period(e, period));
    truth_mean += static_cast<double>(truth[i]);
  }
  const double dn = static_cast<double>(std::max<size_t>(n, 1));
  truth_mean /= dn;
  double ss_tot = 0;
  for (size_t i = 0; i < n; ++i) ss_tot += (truth[i] - truth_mean) * (truth[i] - truth_mean);
  r.r2 = ss_tot > 0 ? 1.0 - sq / ss_tot : std::numeric_limits<double>::quiet_NaN();
  r.test_mse = sq / dn;
  r.mean_abs_error_deg = [&] {
    double s = 0;
    for (double v : abs_err) s += v;
    return s / dn;
  }();
  r.mean_circular_error_deg = [&] {
    double s = 0;
    for (double v : circ_err) s += v;
    return s / dn;
  }();
  r.median_abs_error_deg = median(abs_err);
  r.median_circular_error_deg = median(circ_err);
  return r;
}

double fraction_correct(const std::vector<int32_t>& predicted, const std::vector<int32_t>& truth) {
  if (predicted.empty()) return 0.0;
  int64_t ok = 0;
  for (size_t i = 0; i < predicted.size(); ++i) ok += predicted[i] == truth[i];
  return static_cast<double>(ok) / static_cast<double>(predicted.size());
}

std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int32_t>& predicted,
                                                   const std::vector<int32_t>& truth,
                                                   int n_classes) {
  std::vector<std::vector<int64_t>> c(static_cast<size_t>(n_classes),
                                      std::vector<int64_t>(static_cast<size_t>(n_classes), 0));
  for (size_t i = 0; i < predicted.size(); ++i)
    ++c[static_cast<size_t>(truth[i])][static_cast<size_t>(predicted[i])];
  return c;
}

namespace {
// Pearson correlation of two columns; NaN when either has zero variance.
double pearson(const RowMat& a, const RowMat& b, int64_t ja, int64_t jb) {
  const int64_t n = a.rows();
  double ma = 0, mb = 0;
  for (int64_t i = 0; i < n; ++i) {
    ma += a(i, ja);
    mb += b(i, jb);
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double da = a(i, ja) - ma, db = b(i, jb) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}
}  // namespace

EncodingFit encoding_fit(const RowMat& pred, const RowMat& train, const RowMat& test) {
  const int64_t m = pred.cols();
  EncodingFit f;
  f.test_corr.resize(static_cast<size_t>(m));
  f.split_half_corr.resize(static_cast<size_t>(m));
  f.noise_ceiling.resize(static_cast<size_t>(m));
  f.normalized_corr.resize(static_cast<size_t>(m));
  f.included.resize(static_cast<size_t>(m));
  std::vector<double> tc, nc_, nn;
  for (int64_t j = 0; j < m; ++j) {
    const auto k = static_cast<size_t>(j);
    f.test_corr[k] = pearson(pred, test, j, j);
    f.split_half_corr[k] = pearson(train, test, j, j);
    f.noise_ceiling[k] = std::isnan(f.split_half_corr[k])
                             ? std::numeric_limits<double>::quiet_NaN()
                             : std::sqrt(std::max(f.split_half_corr[k], 0.0));
    f.normalized_corr[k] = f.test_corr[k] / f.noise_ceiling[k];
    const bool ok = std::isfinite(f.test_corr[k]) && std::isfinite(f.noise_ceiling[k]) &&
                    f.noise_ceiling[k] >= 0.1;
    f.included[k] = ok;
    if (!ok) {
      ++f.n_excluded;
      continue;
    }
    tc.push_back(f.test_corr[k]);
    nc_.push_back(f.noise_ceiling[k]);
    nn.push_back(f.normalized_corr[k]);
  }
  f.median_test_corr = median(tc);
  f.median_noise_ceiling = median(nc_);
  f.median_normalized_corr = median(nn);
  return f;
}

}  // namespace nc::analysis
