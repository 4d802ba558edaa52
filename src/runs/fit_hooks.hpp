#pragma once
// What a caller may plug into a fit (runs/fit.hpp): its own initial weights, a resumed state,
// progress lines, checkpoints and interrupts, a shared Gram matrix. Apart from the fits, so that
// code that only makes hooks (runs/checkpointing.hpp) depends on no trainer.
#include <functional>

#include "core/tensor.hpp"
#include "nn/gram.hpp"
#include "nn/parameters.hpp"
#include "train/history.hpp"
#include "train/train_state.hpp"

namespace nc::runs {

// What a caller may plug into a fit; every member is optional.
struct FitHooks {
  // Sets the initial weights instead of the fit's seeded initialisation (e.g. from --init).
  std::function<void(ParameterSet&)> init;
  // Called with the training state before the first iteration (e.g. to resume a checkpoint).
  std::function<void(const train::TrainingStateRefs&)> before_training;
  train::ProgressFn progress;
  train::AfterStepFn after_step;
  // Called when after_step stopped the run, with the state to save (e.g. a checkpoint).
  std::function<void(const train::TrainingStateRefs&)> on_interrupted;
  // X Xᵀ of all rows of the dataset's resp (nn/gram.hpp gram_matrix), from a caller that fits
  // many splits of one dataset (folds, sweep jobs) and computes it once: the dual form then
  // takes its K blocks from it. Not owned; unused by the plain and fused forms.
  const RowMat* gram = nullptr;
  // Called with each block of neurons the dual form reads in its pass over the data (the Gram
  // blocks and W0 projections), for work that can ride on that pass instead of reading the data
  // again: decode's preferred orientations (analysis::PreferredOrientationPass). Never called
  // by the plain and fused forms, which read no blocks.
  SplitBlockFn data_pass;
};

}  // namespace nc::runs
