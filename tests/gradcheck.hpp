#pragma once
// Finite-difference gradient checks for the nn kernels (mlpack's CheckGradient idea).
//
// The kernels are float32; the check is done in double around them. A scalar loss L(x) is
// evaluated by running the float kernel on float inputs with one element perturbed and
// reducing its output in double; the numeric derivative is the central difference
// (L(x+h) - L(x-h)) / (x+h - x-h), with the denominator taken from the float values actually
// stored, so rounding the perturbed input to float does not bias the slope.
//
// For kernels with array outputs the loss is a random linear functional L = sum(R ⊙ out):
// dL/dout = R, so every output element contributes to the checked gradient, and the analytic
// side is the backward kernel fed dout = R.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <sstream>
#include <vector>

#include "core/rng.hpp"

namespace nc {

struct GradcheckOptions {
  // Absolute step for |x| <= 1, relative beyond. Evaluating the loss in float32 leaves a
  // rounding noise of about 1e-7 * |terms| * sqrt(count) in L; dividing by 2h = 2e-2 keeps it
  // near 1e-5 of the gradient scale, while the truncation error of the central difference,
  // O(h^2 f'''), stays near 1e-4 for the smooth kernels here (and is 0 for the linear ones).
  double step = 1e-2;
  // Relative criterion |a - n| / max(|a| + |n|, floor * scale) <= tolerance. Both error
  // sources above sit one to two decades below 1e-2, so float kernels meet it reliably while
  // any indexing or sign error (relative error O(1)) fails it.
  double tolerance = 1e-2;
  // Elements whose gradient is small next to the largest one (scale = max |a|, |n| over the
  // array) are judged on absolute error instead: the float noise in L is absolute, about
  // 1e-5 * scale in the slope, so an element at 1/400 of the scale already shows a relative
  // error near 2e-3 (seen in the conv weight check). Flooring at 1% of the scale keeps such
  // elements to |a - n| <= 1e-4 * scale, still far below what a wrong index or sign gives.
  double floor = 1e-2;
};

// Numeric gradient of loss() with respect to x[0..n) by central differences; x is perturbed
// in place and restored exactly.
inline std::vector<double> gradcheck_numeric(float* x, size_t n,
                                             const std::function<double()>& loss, double step) {
  std::vector<double> g(n);
  for (size_t i = 0; i < n; ++i) {
    const float x0 = x[i];
    const double h = step * std::max(1.0, std::fabs(double(x0)));
    const float xp = static_cast<float>(double(x0) + h);
    const float xm = static_cast<float>(double(x0) - h);
    x[i] = xp;
    const double lp = loss();
    x[i] = xm;
    const double lm = loss();
    x[i] = x0;
    g[i] = (lp - lm) / (double(xp) - double(xm));
  }
  return g;
}

// Compares analytic[0..n) with the numeric gradient of loss() with respect to x[0..n).
// Use as EXPECT_TRUE(gradcheck("what", x, analytic, n, loss)).
inline ::testing::AssertionResult gradcheck(const char* what, float* x, const float* analytic,
                                            size_t n, const std::function<double()>& loss,
                                            const GradcheckOptions& opt = {}) {
  const std::vector<double> num = gradcheck_numeric(x, n, loss, opt.step);
  double scale = 0.0;
  for (size_t i = 0; i < n; ++i)
    scale = std::max({scale, std::fabs(double(analytic[i])), std::fabs(num[i])});
  const double tiny = std::max(opt.floor * scale, 1e-30);
  double worst = 0.0;
  size_t worst_i = 0;
  for (size_t i = 0; i < n; ++i) {
    const double a = analytic[i];
    const double e = std::fabs(a - num[i]) / std::max(std::fabs(a) + std::fabs(num[i]), tiny);
    if (!(e <= worst)) {  // also catches NaN
      worst = e;
      worst_i = i;
    }
  }
  if (n > 0 && !(worst <= opt.tolerance)) {
    std::ostringstream msg;
    msg << what << ": element " << worst_i << " analytic " << analytic[worst_i] << " numeric "
        << num[worst_i] << " relative error " << worst << " > " << opt.tolerance;
    return ::testing::AssertionFailure() << msg.str();
  }
  return ::testing::AssertionSuccess() << what << ": max relative error " << worst;
}

// n values ~ U(lo, hi)
inline std::vector<float> gradcheck_random(Rng& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

// n values ~ ±U(lo, hi): bounded away from 0, for kernels with a kink there (relu, |w|)
inline std::vector<float> gradcheck_random_away_from_zero(Rng& rng, size_t n, float lo = 0.1f,
                                                          float hi = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = (rng.uniform() < 0.5 ? -1.0f : 1.0f) * rng.uniform(lo, hi);
  return v;
}

// sum(r ⊙ y) in double: the random linear functional used as the scalar loss
inline double gradcheck_dot(const std::vector<float>& r, const float* y) {
  double s = 0.0;
  for (size_t i = 0; i < r.size(); ++i) s += double(r[i]) * double(y[i]);
  return s;
}

}  // namespace nc
