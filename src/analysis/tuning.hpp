#pragma once
// Tuning-curve analysis: smoothing, preferred orientation and the neuron order that sorts
// W_in (DESIGN.md "Preferred orientation").
#include <cstdint>
#include <vector>

#include "core/block_reader.hpp"
#include "core/tensor.hpp"

namespace nc::analysis {

// scipy.ndimage.gaussian_filter1d(x, sigma, axis=0) with its defaults (mode 'reflect',
// truncate 4.0): each column of x (rows x cols) is correlated with a normalised Gaussian of
// radius int(truncate*sigma + 0.5); samples past the ends are mirrored about the edge
// (d c b a | a b c d | d c b a), repeatedly when the column is shorter than the radius.
// Computed in double.
RowMatD gaussian_filter_rows(const RowMatD& x, double sigma, double truncate = 4.0);
// The same into y (resized; a pass over many blocks reuses its memory).
void gaussian_filter_rows(const RowMatD& x, double sigma, RowMatD& y, double truncate = 4.0);

struct PreferredOrientation {
  std::vector<float> degrees;      // (n_neurons) stimuli[argmax of the smoothed curve]
  std::vector<int64_t> order;      // stable argsort of degrees: the W_in column order
  std::vector<int64_t> row_order;  // rows of resp sorted by angle (stable)
};

// resp is (n_stimuli, n_neurons), stimuli (n_stimuli) in degrees. Rows are sorted by angle,
// smoothed along rows with sigma rows, and the argmax (first on ties) gives each neuron's
// preferred orientation.
// The matrix is read a block of neurons at a time through `resp` (core/block_reader.hpp), so a
// mapped recording is read from its file, never whole.
PreferredOrientation preferred_orientation(const BlockReader& resp,
                                           const std::vector<float>& stimuli, double sigma = 5.0);
inline PreferredOrientation preferred_orientation(CMatMap resp, const std::vector<float>& stimuli,
                                                  double sigma = 5.0) {
  return preferred_orientation(memory_block_reader(resp), stimuli, sigma);
}
inline PreferredOrientation preferred_orientation(const RowMat& resp,
                                                  const std::vector<float>& stimuli,
                                                  double sigma = 5.0) {
  return preferred_orientation(cmap(resp), stimuli, sigma);
}

// The same preferred orientations made from a pass that reads the data for other work (the
// dual decoder's Gram pass, nn/gram.hpp's split_gram), so the analysis reads the data no more:
// each block of neurons arrives as the rows of two lists a and b, which together must hold
// every row once. Each block's smoothing and argmax run on the threads as they arrive; the
// result has the bits of preferred_orientation above.
class PreferredOrientationPass {
 public:
  // For stimuli (n_stimuli) in degrees and n_neurons columns; usable() is false when a and b
  // do not hold every row once (then nothing is computed and result() stays empty).
  PreferredOrientationPass(const std::vector<float>& stimuli, const std::vector<int64_t>& a,
                           const std::vector<int64_t>& b, int64_t n_neurons, double sigma = 5.0);
  bool usable() const { return usable_; }
  // Columns [c0, c0 + cols): xa (n_a x cols) and xb (n_b x cols), rows ld floats apart, in the
  // lists' order.
  void add(int64_t c0, int64_t cols, const float* xa, const float* xb, int64_t ld);
  // Whether every column has been added (once).
  bool complete() const { return usable_ && seen_ == static_cast<int64_t>(p_.degrees.size()); }
  // The preferred orientations (complete() only), moved out.
  PreferredOrientation take();

 private:
  PreferredOrientation p_;
  std::vector<float> stimuli_;
  std::vector<double> w_;
  std::vector<int64_t> source_;  // (n_stimuli) angle-order row -> its place in a then b
  int64_t n_a_ = 0, seen_ = 0;
  bool usable_ = false;
};

}  // namespace nc::analysis
