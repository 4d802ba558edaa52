#pragma once
// The colour maps the tutorial's figures use, as matplotlib defines them, so a figure reads the
// same as in the notebook: `pink` for data, `bwr` (blue-white-red) for weights, `viridis`
// (matplotlib's default) for everything else drawn with imshow.
#include <array>
#include <cstddef>

namespace nc::report {

struct Rgb {
  double r = 0, g = 0, b = 0;  // each in [0, 1]
};

enum class ColorMap { pink, bwr, viridis };

// Colour at t in [0, 1] (clamped).
Rgb colormap_rgb(ColorMap map, double t);

// Named colours of the tutorial's plots (matplotlib's single-letter colours and its default
// line cycle, tab10).
namespace colors {
inline constexpr Rgb black{0, 0, 0};
inline constexpr Rgb grey{0.7, 0.7, 0.7};     // "0.7": bin edges, identity line
inline constexpr Rgb yellow{0.75, 0.75, 0};   // 'y': train responses
inline constexpr Rgb magenta{0.75, 0, 0.75};  // 'm': test responses
inline constexpr Rgb green{0, 0.5, 0};        // 'g': predictions
inline constexpr Rgb red{0.84, 0.15, 0.16};
inline constexpr std::array<Rgb, 10> tab10{{
    {0.122, 0.467, 0.706},
    {1.000, 0.498, 0.055},
    {0.173, 0.627, 0.173},
    {0.839, 0.153, 0.157},
    {0.580, 0.404, 0.741},
    {0.549, 0.337, 0.294},
    {0.890, 0.467, 0.761},
    {0.498, 0.498, 0.498},
    {0.737, 0.741, 0.133},
    {0.090, 0.745, 0.812},
}};
inline Rgb cycle(std::size_t i) {
  return tab10[i % tab10.size()];
}
}  // namespace colors

}  // namespace nc::report
