#include "analysis/discrimination.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.hpp"
#include "models/linear_decoder.hpp"

namespace nc::analysis {
namespace {

double np_remainder(double a, double period) {  // numpy's remainder for period > 0
  double r = std::fmod(a, period);
  if (r != 0 && r < 0) r += period;
  return r;
}

double logistic(double d, double beta) {
  return 1.0 / (1.0 + std::exp(-d / beta));
}

double sum_sq(const std::vector<double>& d, const std::vector<double>& p, double beta) {
  double s = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    const double r = logistic(d[i], beta) - p[i];
    s += r * r;
  }
  return s;
}

}  // namespace

double signed_difference(double theta, double ref, double period) {
  double d = np_remainder(theta - ref, period);
  if (d > period / 2) d -= period;
  return d;
}

void psychometric_counts(Psychometric& p, const RowMatD& outputs,
                         const std::vector<float>& test_angles, double period) {
  const int n_bins = 2 * kMaxOffsetDeg + 1;
  p.d_grid.resize(n_bins);
  for (int i = 0; i < n_bins; ++i) p.d_grid[static_cast<size_t>(i)] = i - kMaxOffsetDeg;
  p.counts.assign(n_bins, 0);
  p.positives.assign(n_bins, 0);
  p.n_edge = 0;
  const int64_t n_ref = outputs.rows();
  for (int64_t j = 0; j < n_ref; ++j) {
    const double ref = static_cast<double>(j) * period / static_cast<double>(n_ref);
    for (size_t t = 0; t < test_angles.size(); ++t) {
      const double delta = signed_difference(np_remainder(test_angles[t], period), ref, period);
      // Bin d holds d - 0.5 < Δ < d + 0.5; d ± 0.5 are exact in double, so the comparisons
      // are the reference's own.
      auto d = static_cast<int64_t>(std::floor(delta + 0.5));
      if (delta <= static_cast<double>(d) - 0.5) --d;
      if (delta >= static_cast<double>(d) + 0.5) ++d;
      if (delta == static_cast<double>(d) - 0.5 || delta == static_cast<double>(d) + 0.5) {
        if (std::abs(delta) <= kMaxOffsetDeg + 0.5) ++p.n_edge;  // on an edge: in no bin
        continue;
      }
      if (d < -kMaxOffsetDeg || d > kMaxOffsetDeg) continue;
      const auto i = static_cast<size_t>(d + kMaxOffsetDeg);
      ++p.counts[i];
      p.positives[i] += outputs(j, static_cast<int64_t>(t)) > 0;
    }
  }
  p.p_full.resize(n_bins);
  for (size_t i = 0; i < p.p_full.size(); ++i)
    p.p_full[i] = p.counts[i] > 0
                      ? static_cast<double>(p.positives[i]) / static_cast<double>(p.counts[i])
                      : std::numeric_limits<double>::quiet_NaN();
}

void psychometric_fit(Psychometric& p) {
  const size_t n = p.d_grid.size();
  p.d_used.clear();
  p.p_raw.clear();
  for (size_t i = 0; i < n; ++i) {
    if (p.counts[i] == 0 || p.counts[n - 1 - i] == 0)
      continue;  // an empty bin goes with its mirror
    p.d_used.push_back(p.d_grid[i]);
    p.p_raw.push_back(p.p_full[i]);
  }
  if (p.d_used.empty())
    throw InputError("discriminate: no test trial lies within ±" + std::to_string(kMaxOffsetDeg) +
                     " degrees of any reference angle; the psychometric curve is empty");
  const size_t m = p.p_raw.size();
  p.p_sym.resize(m);
  for (size_t i = 0; i < m; ++i) p.p_sym[i] = (p.p_raw[i] + 1.0 - p.p_raw[m - 1 - i]) / 2.0;
  const std::vector<double> d(p.d_used.begin(), p.d_used.end());
  p.beta = fit_logistic_beta(d, p.p_sym);
  p.threshold = p.beta * std::log(3.0);
  p.fitted.resize(n);
  for (size_t i = 0; i < n; ++i) p.fitted[i] = logistic(static_cast<double>(p.d_grid[i]), p.beta);
}

Psychometric psychometric_curve(const RowMatD& outputs, const std::vector<float>& test_angles,
                                double period) {
  Psychometric p;
  psychometric_counts(p, outputs, test_angles, period);
  psychometric_fit(p);
  return p;
}

double fit_logistic_beta(const std::vector<double>& d, const std::vector<double>& p, double beta0) {
  double beta = beta0, lambda = 1e-3;
  double s = sum_sq(d, p, beta);
  for (int it = 0; it < 500; ++it) {
    double jtj = 0, jtr = 0;  // J = ∂f/∂β = -f(1-f)·d/β²
    for (size_t i = 0; i < d.size(); ++i) {
      const double f = logistic(d[i], beta);
      const double j = -f * (1.0 - f) * d[i] / (beta * beta);
      jtj += j * j;
      jtr += j * (f - p[i]);
    }
    if (jtj == 0 || !std::isfinite(jtj)) break;
    bool improved = false;
    double step = 0;
    for (int tries = 0; tries < 60 && !improved; ++tries) {
      step = -jtr / (jtj * (1.0 + lambda));
      const double s_new = sum_sq(d, p, beta + step);
      if (std::isfinite(s_new) && s_new <= s) {
        beta += step;
        s = s_new;
        lambda = std::max(lambda * 0.1, 1e-12);
        improved = true;
      } else {
        lambda *= 10.0;
      }
    }
    if (!improved || std::abs(step) <= 1e-13 * std::abs(beta)) break;
  }
  return beta;
}

RowMatD discrimination_targets(const std::vector<float>& angles, double period) {
  const double sigma = 0.1 * 360.0 / period, delta = std::numbers::pi / 32.0;
  RowMatD y(static_cast<int64_t>(angles.size()), kDiscriminationRefs);
  for (size_t i = 0; i < angles.size(); ++i) {
    const double theta = np_remainder(angles[i], period);
    for (int j = 0; j < kDiscriminationRefs; ++j) {
      const double phi =
          2.0 * std::numbers::pi * (theta - j * period / kDiscriminationRefs) / period;
      y(static_cast<int64_t>(i), j) =
          std::exp(std::cos(phi - delta) / sigma) - std::exp(std::cos(phi + delta) / sigma);
    }
  }
  models::zscore_rows(y);
  return y;
}

std::vector<int64_t> neuron_curve_sizes(int64_t n_neurons) {
  std::vector<int64_t> sizes;
  for (int k = 0; k <= 20; ++k) {
    const auto s =
        static_cast<int64_t>(std::floor(static_cast<double>(n_neurons) / std::pow(2.0, k / 2.0)));
    if (s >= 1) sizes.push_back(s);
  }
  return sizes;
}

}  // namespace nc::analysis
