#include "sim/stimuli.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace nc::sim {
namespace {
// numpy's len(arange(0, stop)) for a float stop.
int64_t arange_len(double stop) {
  return stop <= 0 ? 0 : static_cast<int64_t>(std::ceil(stop));
}
}  // namespace

RowMat grating(double angle_deg, double sf, double res, bool patch) {
  const double wpix = 640, hpix = 480;
  const int64_t w = arange_len(wpix * res), h = arange_len(hpix * res);
  double a = angle_deg * std::numbers::pi / 180.0;
  if (patch) a += 0.1;  // phase shift so the grating sits better within the patch
  const double ca = std::cos(a), sa = std::sin(a);
  RowMat img(h, w);
  const double xcent = static_cast<double>(w) * 0.75, ycent = static_cast<double>(h) / 2.0;
  const double radius = wpix / 3.0 / 2.0 * res;
  for (int64_t r = 0; r < h; ++r) {
    const double y = sf * static_cast<double>(r) / res;
    for (int64_t c = 0; c < w; ++c) {
      const double x = sf * static_cast<double>(c) / res;
      const double v = std::cos(x * ca + y * sa);
      double pix = v > 0 ? 1.0 : 0.0;
      if (patch) {
        const double dx = static_cast<double>(c) - xcent, dy = static_cast<double>(r) - ycent;
        if (!(std::sqrt(dx * dx + dy * dy) < radius)) pix = 0.5;
      }
      img(r, c) = static_cast<float>(pix - 0.5);
    }
  }
  return img;
}

std::vector<double> encoder_angles(const std::vector<float>& stimuli) {
  std::vector<double> a;
  if (stimuli.size() == 60) {
    for (int i = 0; i < 60; ++i) a.push_back(i * (360.0 / 60.0) - 180.0);  // linspace step 6
  } else {
    a.assign(stimuli.begin(), stimuli.end());
  }
  return a;
}

ImageStack grating_stack(const std::vector<double>& angles_deg, double res) {
  ImageStack s;
  s.n = static_cast<int64_t>(angles_deg.size());
  for (size_t i = 0; i < angles_deg.size(); ++i) {
    const RowMat g = grating(angles_deg[i], 1.0 / 28.0, res);
    if (i == 0) {
      s.height = g.rows();
      s.width = g.cols();
      s.pixels.resize(static_cast<size_t>(s.n * s.height * s.width));
    }
    std::copy(g.data(), g.data() + g.size(),
              s.pixels.begin() + static_cast<std::ptrdiff_t>(i * g.size()));
  }
  return s;
}

std::vector<float> filter_bank(int out_channels, int K) {
  if (out_channels < 2)
    throw InputError("--channels: the seed filter bank needs at least 2 channels, got " +
                     std::to_string(out_channels));
  if (K < 1) throw InputError("--kernel: expected a kernel size >= 1, got " + std::to_string(K));
  const auto k = static_cast<size_t>(K);
  // grid = linspace(-K/2, K/2, K) as float32
  std::vector<float> grid(k);
  const double start = -K / 2.0, stop = K / 2.0;
  for (int i = 0; i < K; ++i)
    grid[static_cast<size_t>(i)] = static_cast<float>(
        K == 1 ? start : (i == K - 1 ? stop : start + i * ((stop - start) / (K - 1))));
  // xx[i][j] = grid[i], yy[i][j] = grid[j] (meshgrid indexing='ij'); r in float32
  std::vector<float> r(k * k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < k; ++j)
      r[i * k + j] = std::pow(grid[i] * grid[i] + grid[j] * grid[j], 0.5f);
  const double sigma = 1.1;
  const auto envelope = [&](double s) {
    std::vector<float> e(k * k);
    const auto denom = static_cast<float>(2 * s * s);
    for (size_t i = 0; i < k * k; ++i) e[i] = std::exp(-r[i] / denom);
    return e;
  };
  const std::vector<float> narrow = envelope(sigma), wide = envelope(sigma * 2),
                           gab_env = envelope(sigma * 0.4);
  std::vector<float> bank(static_cast<size_t>(out_channels) * k * k);
  for (size_t i = 0; i < k * k; ++i) {
    const float cs = narrow[i] - 0.5f * wide[i];
    bank[i] = cs;
    bank[k * k + i] = -1.0f * cs;
  }
  const int n_gabor = out_channels - 2;
  const float two_pi = static_cast<float>(2 * std::numbers::pi), lam = 10.0f;
  const auto phi = static_cast<float>(std::numbers::pi / 2);
  for (int g = 0; g < n_gabor; ++g) {
    // thetas = linspace(0, 180, n_gabor + 1)[:-1] in radians
    const double theta = (g * (180.0 / n_gabor)) * std::numbers::pi / 180.0;
    const auto ct = static_cast<float>(std::cos(theta)), st = static_cast<float>(std::sin(theta));
    float* f = bank.data() + (2 + static_cast<size_t>(g)) * k * k;
    for (size_t i = 0; i < k; ++i)
      for (size_t j = 0; j < k; ++j) {
        const float x = grid[i] * ct + grid[j] * st;
        f[i * k + j] = gab_env[i * k + j] * std::cos(two_pi * x / lam + phi);
      }
  }
  for (int c = 0; c < out_channels; ++c) {
    float* f = bank.data() + static_cast<size_t>(c) * k * k;
    float mx = 0;
    for (size_t i = 0; i < k * k; ++i) mx = std::max(mx, std::abs(f[i]));
    for (size_t i = 0; i < k * k; ++i) f[i] /= mx;
    double mean = 0;  // numpy's float32 mean accumulates pairwise; double is within an ulp
    for (size_t i = 0; i < k * k; ++i) mean += f[i];
    const auto m = static_cast<float>(mean / static_cast<double>(k * k));
    for (size_t i = 0; i < k * k; ++i) f[i] -= m;
  }
  return bank;
}

}  // namespace nc::sim
