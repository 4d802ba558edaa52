#pragma once
// The encoder's training step, computed with less work and memory traffic, same iterates in
// exact arithmetic as the plain one:
// - Identical input images are computed once. The tutorial's 60 gratings hold 30 distinct
//   images (grating(θ) = grating(θ+180)); the output gradients of identical rows are summed
//   before the weight and input gradients, which halves the three large products.
// - out_layer.weight (N x C*H*W, 108 MB at full size) is read in cache-sized row blocks: one
//   pass computes dFeatures, dW, the penalty gradient and the momentum update
//   (train/row_blocked_step.hpp), and one pass computes the next forward product together with the
//   penalty sums that the loss needs.
// - The forward pass after step t gives both step t's test loss and step t+1's train loss.
#include "train/encoder_trainer.hpp"

namespace nc::train {

// Rows of `images` (n, pixels) grouped by identical content: group[i] is the index of row i's
// image among the distinct ones, listed in order of first appearance in `first`.
struct ImageGroups {
  std::vector<int64_t> group;  // (n)
  std::vector<int64_t> first;  // (U) row index of each distinct image
};
ImageGroups group_identical_rows(const float* images, int64_t n, int64_t pixels);

}  // namespace nc::train
