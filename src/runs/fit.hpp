#pragma once
// Fits as plain library calls: arrays and a config in, a result struct out, no file I/O. The
// CLI's decode/encode runs, sweeps and the Python package all call these, so they give the same
// bits for the same inputs and thread count.
//
//   fit_decoder   a decoder on a dataset's train rows, evaluated on its test rows
//   fit_linear    a closed-form linear decoder (ridge, von Mises) the same way
//   fit_encoder   the convolutional encoder on a split-format dataset
//   analyse_decoder  what the decode run reports beyond the fit (preferred orientations, hidden
//                    activity of every stimulus)
#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "models/decoder.hpp"
#include "models/encoder.hpp"
#include "models/linear_decoder.hpp"
#include "runs/fit_hooks.hpp"
#include "train/decoder_trainer.hpp"
#include "train/encoder_trainer.hpp"

namespace nc::runs {

struct DecoderConfig {
  models::DecoderKind model = models::DecoderKind::classification;
  int64_t hidden = 20;
  int classes = 20;       // classification only
  double period = 360.0;  // of the stimulus variable, degrees; 0 = not circular (regression only)
  train::DecoderTrainOptions train;
  uint64_t seed = 1;  // initial weights from Rng(derive_seed(seed, stream_id("init")))
};

struct DecoderFit {
  models::Decoder net;  // trained (or the last finite state when diverged)
  train::History history;
  train::Outcome outcome;
  double seconds = 0;                   // the training loop's wall time
  std::vector<float> test_angle;        // (n_test) degrees
  std::vector<int32_t> test_class;      // (n_test) classification only
  std::vector<double> test_decoded;     // (n_test) decoded angle (class centre for a classifier,
                                        // atan2 of the outputs for the circular decoder)
  std::vector<int32_t> test_predicted;  // (n_test) classification only
  analysis::DecodingErrors errors;
  double fraction_correct = -1;  // classification only
  // (n_stimuli, H) relu(W_in r + b) of every row of the dataset, in file order, when the fit
  // had it without reading the data again: the dual form, whose split lists every row once,
  // makes it from the Gram blocks and W0 projections (DecoderDualState::final_pre). Else empty.
  RowMat hidden;
};

// Trains on split.train_idx rows of ds and decodes its split.test_idx rows. `init_rng`, when
// given, draws the initial weights instead of the config's seed (decode's single run draws its
// split and then its weights from one generator, as it always has).
DecoderFit fit_decoder(const data::Dataset& ds, const data::Split& split, const DecoderConfig& cfg,
                       const FitHooks& hooks = {}, Rng* init_rng = nullptr);

struct DecoderAnalysis {
  analysis::PreferredOrientation pref;  // per neuron, and the stimulus order by angle
  RowMat hidden;                        // (n_stimuli, H) relu(W_in r + b), rows in angle order
};
// For P = 0 (no angle) there is no preferred orientation: pref stays empty and `hidden` holds
// the rows in file order. What the fit already made is not made again: `hidden_rows`
// (n_stimuli, H), every row's hidden activity (DecoderFit::hidden), and `pref`, preferred
// orientations that rode on the fit's pass over the data (FitHooks::data_pass), used when
// complete.
DecoderAnalysis analyse_decoder(const models::Decoder& net, const data::Dataset& ds,
                                double period = 360.0, const RowMat* hidden_rows = nullptr,
                                analysis::PreferredOrientationPass* pref = nullptr);

struct LinearConfig {
  models::LinearKind model = models::LinearKind::ridge;
  double lambda = 1.0;    // alpha = lambda * n_train
  double period = 360.0;  // degrees; 0 = not circular (ridge only)
  // Optional: the Gram matrix (nn/gram.hpp) of the dataset's rows, shared by folds and jobs;
  // the dual form then takes its train block from it.
  const RowMat* gram = nullptr;
};

struct LinearFit {
  models::LinearDecoder net;
  double seconds = 0;                // the fit's wall time (targets, Gram, solve, weights)
  std::vector<float> test_angle;     // (n_test) degrees (or values for P = 0)
  std::vector<double> test_decoded;  // (n_test)
  RowMatD test_outputs;              // (n_test, T) raw outputs
  analysis::DecodingErrors errors;
};

// Fits on split.train_idx rows of ds and decodes its split.test_idx rows.
LinearFit fit_linear(const data::Dataset& ds, const data::Split& split, const LinearConfig& cfg);

struct EncoderConfig {
  models::EncoderShape shape;  // n_neurons is taken from the data
  train::EncoderTrainOptions train;
  models::EncoderFilters filters = models::EncoderFilters::seed;
  uint64_t seed = 1;  // initial weights from Rng(seed)
};

struct EncoderFit {
  models::Encoder net;
  train::History history;
  train::Outcome outcome;
  double seconds = 0;
  sim::ImageStack images;        // (n, 1, H, W) the gratings it was fitted to
  std::vector<float> conv_init;  // (C,1,K,K) conv.weight before training
  RowMat prediction;             // (n_stimuli, n_neurons)
  analysis::EncodingFit fit;     // per neuron, against resp_train / resp_test
};

EncoderFit fit_encoder(const data::SplitDataset& ds, const EncoderConfig& cfg,
                       const FitHooks& hooks = {});
// The same on given images (n, 1, H, W), one per row of ds, instead of the gratings drawn for
// ds.stimuli (which are then not read); the shape's height and width are the images'.
EncoderFit fit_encoder(const data::SplitDataset& ds, sim::ImageStack images,
                       const EncoderConfig& cfg, const FitHooks& hooks = {});

}  // namespace nc::runs
