#pragma once
// `neurocodec encode` as a composition of named steps: load (or simulate) split-format data,
// fit the convolutional encoder to the gratings (runs/fit.hpp), and write model.npz,
// predictions.npz, the figures and metrics.json (last) into the output folder.
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/encoder.hpp"
#include "runs/fit.hpp"

namespace nc::runs {

struct EncodeOptions {
  std::string data;  // split-format .npz; empty = built-in simulated population
  int channels = 6;
  int kernel = 7;
  int64_t iters = 200;
  double lr = 2.0;
  double momentum = 0.9;
  double l2 = 5e-4;
  double l1 = 1e-6;
  models::EncoderFilters filters = models::EncoderFilters::seed;
  uint64_t seed = 1;
  std::string init;
  std::string out = "neurocodec_encode";
  bool quiet = false;
  bool plots = true;             // write the figures (src/report) into `out`
  int64_t checkpoint_every = 0;  // write out/checkpoint.npz every N iterations (0: never)
  std::string resume;            // folder holding a checkpoint.npz to continue from
};

void validate(const EncodeOptions& opt);

struct EncodeResult {
  EncoderFit fit;          // the trained encoder, its history, predictions and fit per neuron
  nlohmann::json metrics;  // what metrics.json holds
  int interrupted_by = 0;  // signal that stopped the run (checkpoint written), or 0
};

// The fit's configuration from the command's options.
EncoderConfig encoder_config(const EncodeOptions& opt);

// The split-format data an encode run works on (the simulated population when opt.data is
// empty); `source` becomes "simulated" or the file.
data::SplitDataset load_encode_dataset(const EncodeOptions& opt, std::string& source,
                                       std::ostream& log);
// The options a run computes from, as metrics.json records them.
nlohmann::json encode_options_record(const EncodeOptions& opt);
// The metrics of one fit as metrics.json reports them (sweeps report the same).
nlohmann::json encode_fit_metrics(const EncoderFit& fit);

EncodeResult run_encode(const EncodeOptions& opt, std::ostream& log);

}  // namespace nc::runs
