#pragma once
// Datasets in the tutorial's two file formats, re-binning, train/test splits and classes
// (DESIGN.md "Data"). Angles are in degrees and must lie in [0, 360) for a circular variable of
// period P > 0 (then taken mod P); with P = 0 (a non-circular variable) any finite value.
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "data/responses.hpp"

namespace nc::data {

// `resp` (n_stimuli x n_neurons) with the angle of each row in `stimuli`. resp may be
// memory-mapped from the file (data/responses.hpp); copies of a Dataset share it.
struct Dataset {
  Responses resp;              // (n_stimuli, n_neurons)
  std::vector<float> stimuli;  // (n_stimuli) degrees
  int64_t n_stimuli() const { return resp.rows(); }
  int64_t n_neurons() const { return resp.cols(); }
};

// The split format: responses to the same stimuli from two disjoint halves of the trials.
struct SplitDataset {
  RowMat resp_train;           // (n_stimuli, n_neurons)
  RowMat resp_test;            // (n_stimuli, n_neurons)
  std::vector<float> stimuli;  // (n_stimuli) degrees
  int64_t n_stimuli() const { return resp_train.rows(); }
  int64_t n_neurons() const { return resp_train.cols(); }
};

// Loads `resp` + `stimuli` from a .npz, or from a folder holding resp.npy and stimuli.npy. A
// float32 C-order resp in a .npy or a stored .npz member is memory-mapped, not read
// (io/mapped_file.hpp); anything else is read and converted. A split-format file is refused
// with an error that points to `encode`. Throws InputError naming the file and key on any
// problem (shape, dtype, NaN/Inf, angle range, empty arrays).
// `period` (degrees; 0 = non-circular): see the top of this file.
Dataset load_dataset(const std::string& path, double period = 360.0);
// Loads `resp_train` + `resp_test` + `stimuli` from a .npz, or from a folder holding
// resp_train.npy, resp_test.npy and stimuli.npy (read into memory: the encoder trains on all of
// them at every iteration).
SplitDataset load_split_dataset(const std::string& path);

// Validates shapes and values of an in-memory dataset (as the loaders do for files); `what`
// names the source in messages.
void validate(const Dataset& d, const std::string& what, double period = 360.0);
// Takes every angle mod `period` (for P = 180, orientations); P = 0 or 360 changes nothing.
void wrap_stimuli(Dataset& d, double period);
void validate(const SplitDataset& d, const std::string& what);

// Re-binning with the seed's semantics: for width > 1, bins = arange(0, 360 + width, width),
// idx = np.digitize(angle, bins), and each non-empty bin (in increasing idx) becomes one row:
// the mean of its rows and the mean of its angles. width <= 1 returns the data unchanged.
Dataset bin_dataset(const Dataset& d, double width);

// np.digitize(x, edges) for increasing edges: the i such that edges[i-1] <= x < edges[i].
int64_t digitize(double x, const std::vector<double>& edges);

// Class of each angle: digitize(angle, linspace(0, P, C+1)) - 1, so [0, P) -> 0..C-1.
std::vector<int32_t> stimulus_classes(const std::vector<float>& angles, int n_classes,
                                      double period = 360.0);
// Centre of class c's bin in degrees: (c + 0.5) * P / C.
double class_centre(int c, int n_classes, double period = 360.0);

struct Split {
  std::vector<int64_t> train_idx;
  std::vector<int64_t> test_idx;
};

// For row lists a and b over n rows: place[row] = the row's position in a then b (a's first),
// or empty when a and b together do not hold each of the n rows exactly once. Work that
// arrives in a pass over a then b (the dual form's) maps back to file rows through it.
std::vector<int64_t> places_in_lists(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                     int64_t n);

// n_train = floor(fraction * n) rows from a permutation drawn from `rng`, the rest for test.
Split split_random(int64_t n, double train_fraction, Rng& rng);
// Reads int arrays `train_idx`, `test_idx` from an npz; checks range [0, n), disjointness and
// non-emptiness.
Split load_split(const std::string& path, int64_t n);
void validate_split(const Split& s, int64_t n, const std::string& what);

// Rows of m (and entries of v) selected by idx, in idx order.
RowMat take_rows(CMatMap m, const std::vector<int64_t>& idx);
inline RowMat take_rows(const RowMat& m, const std::vector<int64_t>& idx) {
  return take_rows(cmap(m), idx);
}
// A mapped matrix's rows are read from its file (Responses::gather), not faulted in.
inline RowMat take_rows(const Responses& m, const std::vector<int64_t>& idx) {
  RowMat out;
  m.gather(idx, 0, m.cols(), out);
  return out;
}
std::vector<float> take(const std::vector<float>& v, const std::vector<int64_t>& idx);

}  // namespace nc::data
