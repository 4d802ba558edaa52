#pragma once
// What a training run records and how it ended, shared by the decoder and encoder trainers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nc::train {

struct History {
  std::vector<double> train_loss;  // loss of the forward pass each step used, before the step
  std::vector<double> test_loss;   // held-out loss after the step, penalty included
};

struct Outcome {
  bool diverged = false;
  int64_t diverged_at = 0;   // 1-based iteration whose loss was not finite
  bool interrupted = false;  // stopped by the caller's after_step (checkpoint written by caller)
  std::string message;
  // Where the training call's wall time went: the form's preparation (the dual form's pass
  // over the data for its Gram blocks and projections), the iterations, and finish() (the dual
  // form's pass that forms W_in). Reported as phase_seconds; not part of a checkpoint.
  double prepare_seconds = 0, iterations_seconds = 0, finish_seconds = 0;
};

// Called after each iteration (1-based) that should print a progress line.
using ProgressFn =
    std::function<void(int64_t iteration, int64_t n_iter, double train_loss, double test_loss)>;
// Called after every completed iteration; return true to stop (e.g. on SIGINT).
using AfterStepFn = std::function<bool(int64_t iteration)>;

// Iterations (1-based) that print a line: the decoders print every max(1, N/5) (5 lines, as
// the tutorial's decoder train()), the encoder at 1 and every max(1, N/10).
bool is_progress_iteration(int64_t iteration, int64_t n_iter, int64_t lines, bool first_too);

struct ProgressSchedule {
  int64_t lines = 5;       // a line every max(1, n_iter / lines) iterations
  bool first_too = false;  // and one at iteration 1
};
inline constexpr ProgressSchedule kDecoderProgress{5, false};
inline constexpr ProgressSchedule kEncoderProgress{10, true};

// The outcome of a non-finite loss (`which` is "train" or "test") at iteration `it`.
Outcome diverged_outcome(int64_t it, const char* which, double value);

}  // namespace nc::train
