#pragma once
// The one training loop of every trainer form (plain, dual and fused decoders; plain and fused
// encoders). Each iteration, as the tutorial's train():
//   train loss of the current parameters -> step -> test loss of the stepped parameters
// with the finite checks, the rollback on divergence (parameters and optimizer state back to
// before the step that produced the non-finite loss), the history, progress lines and the
// caller's after-step hook (checkpoints, interrupts). A form supplies only its step.
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"
#include "nn/parameters.hpp"
#include "nn/sgd.hpp"
#include "train/history.hpp"
#include "train/train_state.hpp"

namespace nc::train {

class TrainerStep {
 public:
  virtual ~TrainerStep() = default;
  // Loss (penalty included) of the current parameters on the train rows.
  virtual double train_loss() = 0;
  // Backward pass and update; keeps what rollback() needs to undo it.
  virtual void step() = 0;
  // Loss (penalty included) of the parameters step() made, on the test rows.
  virtual double test_loss() = 0;
  // Back to the parameters and optimizer state from before the last step().
  virtual void rollback() = 0;
  // Called once when the loop ends, however it ends (e.g. the dual form materialises W_in).
  virtual void finish() {}
};

struct LoopHooks {
  ProgressSchedule schedule;
  ProgressFn progress;     // may be empty
  AfterStepFn after_step;  // may be empty; true = stop (Outcome::interrupted)
};

// Runs iterations state.iteration+1 .. iters. Counts state.sgd.steps; records both losses.
Outcome run_training(TrainerStep& form, TrainState& state, int64_t iters, const LoopHooks& hooks);

// The parameters and optimizer state before a step, for forms that step a whole ParameterSet.
struct ParamSnapshot {
  AlignedFloats values;
  std::vector<float> velocity;
  void take(const ParameterSet& p, const SgdState& sgd);
  void restore(ParameterSet& p, SgdState& sgd) const;
};

}  // namespace nc::train
