#include "report/colormap.hpp"

#include <algorithm>
#include <cmath>

namespace nc::report {
namespace {

// matplotlib's `hot` (_hot_data): piecewise linear, red from 0.0416.
Rgb hot(double t) {
  const double r = t < 0.365079 ? 0.0416 + (1.0 - 0.0416) * t / 0.365079 : 1.0;
  const double g = t < 0.365079 ? 0.0 : t < 0.746032 ? (t - 0.365079) / (0.746032 - 0.365079) : 1.0;
  const double b = t < 0.746032 ? 0.0 : (t - 0.746032) / (1.0 - 0.746032);
  return {r, g, b};
}

// matplotlib's `viridis` at nine evenly spaced points; interpolated linearly in between, which
// stays within a few levels of the 256-entry table.
constexpr std::array<Rgb, 9> viridis_nodes{{
    {0.267, 0.005, 0.329},
    {0.282, 0.157, 0.471},
    {0.243, 0.286, 0.537},
    {0.192, 0.408, 0.557},
    {0.149, 0.510, 0.557},
    {0.122, 0.620, 0.537},
    {0.208, 0.718, 0.475},
    {0.431, 0.808, 0.345},
    {0.992, 0.906, 0.145},
}};

}  // namespace

Rgb colormap_rgb(ColorMap map, double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  switch (map) {
    case ColorMap::pink: {
      // matplotlib: "pink" is sqrt((2 * gray + hot) / 3).
      const Rgb h = hot(t);
      return {std::sqrt((2 * t + h.r) / 3), std::sqrt((2 * t + h.g) / 3),
              std::sqrt((2 * t + h.b) / 3)};
    }
    case ColorMap::bwr:
      // (0, 0, 1) -> (1, 1, 1) -> (1, 0, 0)
      return t < 0.5 ? Rgb{2 * t, 2 * t, 1.0} : Rgb{1.0, 2 * (1 - t), 2 * (1 - t)};
    case ColorMap::viridis: {
      const double x = t * (viridis_nodes.size() - 1);
      const size_t i = std::min<size_t>(static_cast<size_t>(x), viridis_nodes.size() - 2);
      const double f = x - static_cast<double>(i);
      const Rgb& a = viridis_nodes[i];
      const Rgb& b = viridis_nodes[i + 1];
      return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
    }
  }
  return {};
}

}  // namespace nc::report
