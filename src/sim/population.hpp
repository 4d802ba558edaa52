#pragma once
// A simulated mouse V1 population in the tutorial's file formats: the built-in data set used
// whenever the user gives no file, and a stand-in with known ground truth for tests.
//
// Each neuron has direction tuning made of two von Mises bumps 180 degrees apart with unequal
// heights (so orientation tuning dominates, with a direction preference), a heterogeneous width
// and gain; a share of neurons is untuned. Each trial draws a stimulus angle uniformly on
// [0, 360), a gain shared by all neurons (arousal-like fluctuations) and independent noise per
// neuron. As on the real recordings, single-trial responses are z-scored per neuron, then
// averaged into stimulus bins.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "data/dataset.hpp"

namespace nc::sim {

struct PopulationOptions {
  int64_t neurons = 23589;         // the real recording's neuron count
  int64_t trials = 4320;           // single trials before binning
  uint64_t seed = 1;               // the built-in data set always uses seed 1
  double untuned_fraction = 0.25;  // neurons with no orientation tuning
  double log_gain_mean = -0.35;    // tuned amplitude ~ lognormal(mean, sd) in noise-sd units
  double log_gain_sd = 0.6;
  double kappa_log_mean = 1.0;  // von Mises concentration ~ lognormal: widths vary ~3x
  double kappa_log_sd = 0.5;
  double shared_gain_sd = 0.25;  // sd of the log of the trial's shared gain
  // The angle the population "sees" on a trial differs from the true one by a shared jitter:
  // information-limiting correlations, which keep decoding imperfect however many neurons.
  double angle_jitter_deg = 5.0;
};

// The tutorial's first format: `resp` (n_bins x neurons) and `stimuli` (mean angle per bin),
// with bins of `bin_width` degrees (1 = the tutorial's 360 one-degree bins). Empty bins are
// dropped.
data::Dataset simulate_population(const PopulationOptions& opt, double bin_width = 1.0);

// The single trials behind the binned files, without binning: `resp` (trials x neurons), each
// neuron z-scored across trials exactly as before binning, and `stimuli` the trial angles
// (degrees in [0, 360)). The rows are the same draws simulate_population averages.
data::Dataset simulate_single_trials(const PopulationOptions& opt);

// The same population in blocks of neurons, for writers that never hold the whole matrix:
// `rows(stimuli)` once with the rows' angles, then `block(j0, x)` for consecutive blocks,
// x (rows, m) holding neurons j0 .. j0+m-1 exactly as simulate_population(bin_width) (or,
// without a bin width, simulate_single_trials) gives them: each neuron draws from its own
// stream, so the blocks do not change a value.
void simulate_in_blocks(const PopulationOptions& opt, std::optional<double> bin_width,
                        int64_t block_neurons,
                        const std::function<void(const std::vector<float>&)>& rows,
                        const std::function<void(int64_t, const RowMat&)>& block);

// The split format: trials are divided into two disjoint random halves, each averaged into
// bins of `bin_width` degrees (6 = the tutorial's 60 bins); `stimuli` is the bin centre.
data::SplitDataset simulate_population_split(const PopulationOptions& opt, double bin_width = 6.0);

}  // namespace nc::sim
