#pragma once
// `neurocodec decode` as a composition of named steps: load (or simulate) the data and split it,
// fit a decoder (runs/fit.hpp), analyse it, and write model.npz, analysis.npz, the figures and
// metrics.json (last) into the output folder.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/decoder.hpp"
#include "runs/fit.hpp"

namespace nc::runs {

struct DecodeOptions {
  std::string data;  // resp/stimuli .npz; empty = built-in simulated population
  models::DecoderKind model = models::DecoderKind::classification;
  // ridge or vonmises: a closed-form linear decoder (fit_linear) instead of the MLP `model`.
  std::optional<models::LinearKind> linear;
  double period = 360.0;          // of the stimulus variable, degrees; 0 = not circular
  double lambda = 1.0;            // linear decoders: alpha = lambda * n_train
  std::optional<int64_t> hidden;  // default: 10 (regression) / 20 (classification, circular)
  int classes = 20;
  std::optional<int64_t> iters;  // default: 50 / 1000
  std::optional<double> lr;      // default: 1e-4 / 0.1
  double l1 = 0.0;
  double l2 = 0.0;
  double train_fraction = 0.6;
  uint64_t seed = 1;
  std::string split;  // npz with train_idx/test_idx; exclusive with train_fraction
  bool train_fraction_given = false;
  std::string init;  // state_dict npz to start from
  double bin_width = 1.0;
  std::string out = "neurocodec_decode";
  bool quiet = false;
  bool plots = true;             // write the figures (src/report) into `out`
  int64_t checkpoint_every = 0;  // write out/checkpoint.npz every N iterations (0: never)
  std::string resume;            // folder holding a checkpoint.npz to continue from
  int folds = 0;                 // > 0: K-fold cross-validation (select/cv_run.hpp)
  int repeats = 1;               // cross-validation repeats, each with new folds

  int64_t hidden_or_default() const;
  int64_t iters_or_default() const;
  double lr_or_default() const;
};

// Checks option values (rates finite and >= 0, iters >= 1, ...); throws InputError naming the
// option.
void validate(const DecodeOptions& opt);

// The decoders by their `--model` names, for the CLI and sweep plans.
inline constexpr const char* kModelNames[] = {"classification", "regression", "circular", "ridge",
                                              "vonmises"};
// Sets opt.model / opt.linear from a name of kModelNames; false for any other name.
bool set_model(DecodeOptions& opt, const std::string& name);

struct DecodeResult {
  DecoderFit fit;          // the trained decoder, its history and test predictions (MLPs)
  LinearFit linear;        // the fitted linear decoder and its test predictions (ridge, vonmises)
  nlohmann::json metrics;  // what metrics.json holds
  int interrupted_by = 0;  // signal that stopped the run (checkpoint written), or 0
};

// The fit's configuration from the command's options (defaults resolved).
DecoderConfig decoder_config(const DecodeOptions& opt);

// The data a decode run works on: the file (or the simulated population, when opt.data is
// empty), re-binned by opt.bin_width. `source` becomes "simulated" or the file.
data::Dataset load_decode_dataset(const DecodeOptions& opt, std::string& source, std::ostream& log);

// The options a run computes from, as metrics.json records them (defaults resolved).
nlohmann::json decode_options_record(const DecodeOptions& opt);

// The metrics of one fit as metrics.json reports them: errors, fraction correct and confusion
// (classifier), loss curves, seconds, divergence; the errors follow the period (circular for
// P > 0, absolute and R² for P = 0). Cross-validation and sweeps report the same.
nlohmann::json decode_fit_metrics(const DecoderFit& fit, double period);
// The same for a closed-form linear decoder: seconds and the errors (no loss curves).
nlohmann::json linear_fit_metrics(const LinearFit& fit, double period);

// Runs the whole command. Progress lines go to `log`.
DecodeResult run_decode(const DecodeOptions& opt, std::ostream& log);

}  // namespace nc::runs
