#pragma once
// The figures of the tutorial's decoding sections (1 and 2), drawn from a decode run's results:
//   data_matrix.png      responses of every neuron to the first 100 stimuli (pink, 1st/99th
//                        percentile limits, colour bar) and tuning curves of 3 random neurons
//   training_loss.png    regression: training (and test) loss over iterations
//   decoded_classes.png  classification: train/test loss and decoded bin against true angle
//   weights.png          W_in and W_out, neurons in file order
//   weights_sorted.png   the same with neurons sorted by preferred orientation
//   hidden_units.png     sorted W_in, the hidden activity h, h tuning curves
//   decoded_vs_true.png  decoded against true orientation, identity line, test MSE
//   decoding_error.png   decoded - true against true orientation
//   confusion.png        classification: confusion matrix (rows = true class)
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/tuning.hpp"
#include "core/tensor.hpp"
#include "models/decoder.hpp"
#include "train/history.hpp"

namespace nc::report {

struct DecodeFigureData {
  CMatMap resp;                       // (n_stimuli, n_neurons), rows in file order
  const std::vector<float>& stimuli;  // (n_stimuli) degrees
  const analysis::PreferredOrientation& pref;
  const models::Decoder& net;  // trained
  const RowMat& hidden;        // (n_stimuli, H) relu(W_in r + b), rows in angle order
  const train::History& history;
  const std::vector<float>& test_angle;  // (n_test) degrees
  const std::vector<double>&
      test_decoded;                        // (n_test) decoded angle (class centre for a classifier)
  const std::vector<int32_t>& test_class;  // (n_test) classification only, else empty
  const std::vector<int32_t>& test_predicted;  // (n_test) classification only, else empty
  int classes = 0;                             // C (classification), 0 for regression
  double test_mse = 0;
  double fraction_correct = -1;
  uint64_t seed = 1;  // picks the random neurons whose tuning curves are drawn
};

// Writes the figures into `dir` (each atomically) and returns their file names, in reading order.
std::vector<std::string> write_decode_figures(const std::string& dir, const DecodeFigureData& d);

}  // namespace nc::report
