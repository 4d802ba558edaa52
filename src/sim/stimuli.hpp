#pragma once
// The tutorial's visual stimuli and its convolutional filter bank (DESIGN.md "Encoder quirks").
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace nc::sim {

// Square-wave grating: cos(x cos(a) + y sin(a)) on a (480*res) x (640*res) pixel grid with
// x = sf*col/res, y = sf*row/res, binarised to {0, 1} (an exact zero stays 0), minus 0.5.
// With `patch`, the phase is shifted by 0.1 rad and pixels outside a disc of radius 640/6*res
// centred at (3/4 width, 1/2 height) are set to 0 (0.5 before the shift). Angle in degrees.
// Computed in double and rounded to float, as the tutorial does in numpy.
RowMat grating(double angle_deg, double sf = 1.0 / 28.0, double res = 0.1, bool patch = false);

// Orientations at which the encoder draws its gratings: the tutorial's
// linspace(0, 360, 61)[:-1] - 180 when there are 60 stimuli, else the stimuli themselves.
std::vector<double> encoder_angles(const std::vector<float>& stimuli);

struct ImageStack {
  std::vector<float> pixels;  // (n, 1, height, width), NCHW
  int64_t n = 0, height = 0, width = 0;
};
// One grating per angle at resolution res (0.025 gives the tutorial's 12 x 16 images).
ImageStack grating_stack(const std::vector<double>& angles_deg, double res = 0.025);

// The tutorial's filters(out_channels, K): a centre-surround filter, its negative and
// out_channels-2 Gabors at angles linspace(0, 180, out_channels-1)[:-1], each divided by its
// max |value| and made zero-mean. Returns (out_channels, 1, K, K). Computed in float32 as the
// tutorial's numpy code is. Throws InputError for out_channels < 2 or K < 1.
std::vector<float> filter_bank(int out_channels, int K);

}  // namespace nc::sim
