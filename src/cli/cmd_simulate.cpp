#include <iostream>

#include "cli/commands.hpp"
#include "runs/simulate_run.hpp"

namespace nc::cli {

Command add_simulate_command(CLI::App& app) {
  struct State {
    runs::SimulateOptions opt;
    double bin = 0;
    CLI::Option* bin_opt = nullptr;
  };
  auto s = std::make_shared<State>();
  auto* c =
      app.add_subcommand("simulate", "write a simulated mouse V1 population (.npz, or .npy files)");
  c->add_option("--out", s->opt.out, "output .npz file (a folder with --format npy)")->required();
  c->add_option("--format", s->opt.format,
                "npz (one archive) or npy (a folder of .npy files, written a block of neurons at "
                "a time: populations larger than memory)")
      ->check(CLI::IsMember({"npz", "npy"}))
      ->capture_default_str();
  c->add_flag("--split", s->opt.split,
              "split format: resp_train, resp_test, stimuli (60 six-degree bins)");
  c->add_flag(
      "--single-trials", s->opt.single_trials,
      "single trials, not binned: resp (trials x neurons, z-scored per neuron), stimuli (degrees)");
  c->add_option("--neurons", s->opt.population.neurons, "number of neurons")->capture_default_str();
  c->add_option("--trials", s->opt.population.trials, "single trials before binning")
      ->capture_default_str();
  s->bin_opt =
      c->add_option("--bin-width", s->bin, "bin width in degrees (default 1, or 6 with --split)");
  c->add_option("--seed", s->opt.population.seed, "seed of the simulated population")
      ->capture_default_str();
  c->add_option("--angle-jitter", s->opt.population.angle_jitter_deg,
                "sd in degrees of the trial's shared angle jitter: the information-limiting noise "
                "that sets how far the discrimination threshold can fall with more neurons")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->add_flag("--compress", s->opt.compress, "write a deflated npz (np.savez_compressed)");
  return {c, [s] {
            if (*s->bin_opt) s->opt.bin_width = s->bin;
            runs::run_simulate(s->opt, std::cout);
            return 0;
          }};
}

}  // namespace nc::cli
