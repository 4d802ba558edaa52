#include <iostream>

#include "cli/commands.hpp"
#include "runs/tutorial_run.hpp"

namespace nc::cli {

Command add_tutorial_command(CLI::App& app) {
  auto o = std::make_shared<runs::TutorialOptions>();
  auto* c = app.add_subcommand(
      "tutorial", "run the tutorial's sections 1-3 and write an HTML report of every figure");
  c->add_option("--data-dir", o->data_dir,
                "folder with W3D4_stringer_oribinned1.npz and W3D4_stringer_oribinned6_split.npz "
                "(see fetch-data); "
                "default: the simulated population");
  c->add_option("--out", o->out, "output folder (index.html and one subfolder per section)")
      ->capture_default_str();
  c->add_option("--seed", o->seed, "seed of the splits and initial weights")->capture_default_str();
  // A small run for tests and CI: 300 simulated neurons, few iterations.
  c->add_flag("--quick", o->quick, "")->group("");
  return {c, [o] {
            const auto res = runs::run_tutorial(*o, std::cout);
            return res.diverged ? 3 : 0;
          }};
}

}  // namespace nc::cli
