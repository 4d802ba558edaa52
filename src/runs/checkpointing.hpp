#pragma once
// Checkpoints of a decode or encode run: --resume checks that the options match and loads the
// state; --checkpoint-every N and SIGINT/SIGTERM write <out>/checkpoint.npz (train/checkpoint.hpp).
// The checkpointer plugs into a fit through its hooks (runs/fit.hpp): hooks() binds it to the
// fit's own training state.
//
// Test hook: NEUROCODEC_TEST_INTERRUPT_AT=N makes the run behave as if SIGINT arrived right
// after iteration N, so a test can stop a run at a chosen iteration without timing.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "runs/fit_hooks.hpp"
#include "train/train_state.hpp"

namespace nc::runs {

class RunCheckpointer {
 public:
  // `resume_dir`: the folder of a checkpoint to continue from ("" for a fresh run).
  RunCheckpointer(const std::string& command, nlohmann::json options, const std::string& out_dir,
                  int64_t every, int64_t n_iter, std::string resume_dir);

  // Fills before_training (resume), after_step (periodic checkpoints, signals) and
  // on_interrupted (the final checkpoint) of `hooks`; progress lines go to `log`.
  void add_to(FitHooks& hooks, std::ostream& log, bool quiet);
  // The signal that stopped the run (its checkpoint written), or 0.
  int stopped_by() const { return stopped_by_; }

 private:
  void resume(std::ostream& log, bool quiet);
  void save() const;

  nlohmann::json run_info_;
  std::string path_, out_dir_, resume_dir_;
  int64_t every_, n_iter_, interrupt_at_ = 0;
  std::optional<train::TrainingStateRefs> state_;
  int stopped_by_ = 0;
};

// How a command prints a progress line: "iteration i/n | <train> <value> | <test> <value>".
struct ProgressStyle {
  const char* train_label;  // e.g. "loss:"
  const char* test_label;   // e.g. "test_loss:"
  const char* format;       // e.g. "%.3f"
};

// The hooks a decode or encode command gives its fit: the --init weights (when a path is
// given), checkpoints, resume and signals, and progress lines on `log` unless quiet.
FitHooks command_hooks(const std::string& init, bool quiet, const ProgressStyle& style,
                       RunCheckpointer& checkpoints, std::ostream& log);

}  // namespace nc::runs
