#pragma once
// `neurocodec simulate`: writes the simulated population in the tutorial's file formats.
#include <iosfwd>
#include <optional>
#include <string>

#include "sim/population.hpp"

namespace nc::runs {

struct SimulateOptions {
  std::string out;             // .npz path
  bool split = false;          // resp_train/resp_test/stimuli instead of resp/stimuli
  bool single_trials = false;  // resp (trials x neurons) and stimuli per trial, not binned
  sim::PopulationOptions population;
  std::optional<double> bin_width;  // default 1 (resp format) or 6 (split format)
  bool compress = false;
};

// Simulates and writes the file; returns what it wrote, e.g. "300 neurons x 360 stimulus bins".
std::string write_simulated(const SimulateOptions& opt);

void run_simulate(const SimulateOptions& opt, std::ostream& log);

}  // namespace nc::runs
