#pragma once
// `neurocodec discriminate`: load single trials (or simulate them), compute the paper's linear
// discrimination threshold (runs/discriminate.hpp) and write metrics.json, discrimination.npz,
// psychometric.png and threshold_vs_neurons.png into the output folder, each atomically,
// metrics.json last. A run that fails on bad input leaves no folder it created.
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "runs/discriminate.hpp"

namespace nc::runs {

struct DiscriminateOptions {
  std::string data;  // resp/stimuli .npz of single trials; empty = built-in simulated trials
  std::string out = "neurocodec_discriminate";
  DiscriminateConfig config;
  bool quiet = false;
  bool plots = true;
};

// Checks option values; throws InputError naming the option.
void validate(const DiscriminateOptions& opt);

struct DiscriminateRun {
  DiscriminateResult result;
  nlohmann::json metrics;  // what metrics.json holds
};

DiscriminateRun run_discriminate(const DiscriminateOptions& opt, std::ostream& log);

}  // namespace nc::runs
