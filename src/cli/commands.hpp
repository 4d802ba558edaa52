#pragma once
// Each subcommand lives in its own file: it declares its options on the CLI11 app and returns
// what to run when it is the one chosen. Runners return the exit code (0 success, 3 diverged);
// errors are thrown and turned into one line by main.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

namespace nc::cli {

struct Command {
  CLI::App* app = nullptr;   // the subcommand
  std::function<int()> run;  // called after parsing when this subcommand was given
  // Completes the parsed options and validates them without running anything (used by the
  // option-parsing fuzz target); throws InputError as run would. Empty when nothing to check.
  std::function<void()> check = {};
};

// The options every training command shares: --out, --quiet, --checkpoint-every, --resume,
// --no-plots, into the fields of the same names (runs::DecodeOptions, runs::EncodeOptions).
// `o` must outlive the parse (it lives in the command's shared state).
template <class RunOptions>
void add_run_options(CLI::App* c, RunOptions& o) {
  c->add_option("--out", o.out, "output folder")->capture_default_str();
  c->add_flag("--quiet", o.quiet, "no progress output");
  c->add_option("--checkpoint-every", o.checkpoint_every,
                "write --out/checkpoint.npz every N iterations (0: never)")
      ->capture_default_str();
  c->add_option("--resume", o.resume,
                "continue the run whose checkpoint.npz is in this folder (same options)");
  c->add_flag_callback(
      "--no-plots", [&o] { o.plots = false; }, "do not write the figures (PNG) into --out");
}

Command add_simulate_command(CLI::App& app);
Command add_decode_command(CLI::App& app);
Command add_encode_command(CLI::App& app);
Command add_tutorial_command(CLI::App& app);
Command add_fetch_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_discriminate_command(CLI::App& app);

}  // namespace nc::cli
