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
  std::string format = "npz";  // or "npy": `out` is a folder of resp.npy (etc.) and stimuli.npy
};

// Simulates and writes the file (or, with format npy, the folder); returns what it wrote, e.g.
// "300 neurons x 360 stimulus bins". In npy format resp is written a block of neurons at a
// time (sim::simulate_in_blocks), never held whole.
std::string write_simulated(const SimulateOptions& opt);

void run_simulate(const SimulateOptions& opt, std::ostream& log);

}  // namespace nc::runs
