#pragma once
// The figures of the tutorial's encoding section (3), drawn from an encode run's results:
//   encoder_tuning.png       train (yellow) and test (magenta) tuning curves of 15 random neurons
//   encoder_training.png     training loss over iterations, test loss at the progress iterations
//   encoder_predictions.png  train, test and predicted responses of 10 random neurons
//   conv_filters.png         the conv channels, trained (and as initialised), blue-white-red
//   encoder_fit.png          per-neuron test correlation against its noise ceiling, and the
//                            distribution of the normalised correlation
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/metrics.hpp"
#include "core/tensor.hpp"
#include "models/encoder.hpp"
#include "train/history.hpp"

namespace nc::report {

struct EncodeFigureData {
  const std::vector<float>& stimuli;  // (n_stimuli) degrees, the file's
  const RowMat& resp_train;           // (n_stimuli, n_neurons)
  const RowMat& resp_test;            // (n_stimuli, n_neurons)
  const RowMat& prediction;           // (n_stimuli, n_neurons)
  const analysis::EncodingFit& fit;
  const train::History& history;
  const models::Encoder& net;           // trained
  const std::vector<float>& conv_init;  // (C, 1, K, K) conv.weight before training; may be empty
  uint64_t seed = 1;                    // picks the random neurons
};

// Writes the figures into `dir` (each atomically) and returns their file names, in reading order.
std::vector<std::string> write_encode_figures(const std::string& dir, const EncodeFigureData& d);

}  // namespace nc::report
