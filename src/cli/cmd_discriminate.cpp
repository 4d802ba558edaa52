#include <iostream>

#include "cli/commands.hpp"
#include "runs/discriminate_run.hpp"

namespace nc::cli {

Command add_discriminate_command(CLI::App& app) {
  auto opt = std::make_shared<runs::DiscriminateOptions>();
  auto& o = *opt;
  auto* c =
      app.add_subcommand("discriminate", "the paper's linear orientation discrimination threshold");
  c->add_option(
      "--data", o.data,
      "npz of single trials: resp (trials x neurons), stimuli (degrees); default: simulated");
  c->add_option("--out", o.out, "output folder")->capture_default_str();
  c->add_option("--period", o.config.period, "period of the stimulus in degrees (180: orientation)")
      ->capture_default_str();
  c->add_option("--lambda", o.config.lambda, "ridge penalty: alpha = lambda * n_train")
      ->capture_default_str();
  c->add_flag("--neurons-curve", o.config.neurons_curve,
              "thresholds of nested random subsets of neurons");
  c->add_option("--seed", o.config.seed, "seed of the subsets' neuron permutation")
      ->capture_default_str();
  c->add_flag("--quiet", o.quiet, "no progress output");
  c->add_flag_callback(
      "--no-plots", [opt] { opt->plots = false; }, "do not write the figures");
  return {c,
          [opt] {
            runs::run_discriminate(*opt, std::cout);
            return 0;
          },
          [opt] { runs::validate(*opt); }};
}

}  // namespace nc::cli
