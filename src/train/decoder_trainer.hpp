#pragma once
// Full-batch gradient descent for the decoders, as the tutorial's train(): each iteration runs
// the train set forward, records its loss, steps SGD, then records the test loss with the
// updated weights (penalty included).
#include "models/decoder.hpp"
#include "nn/sgd.hpp"
#include "train/history.hpp"

namespace nc::train {

struct DecoderTrainOptions {
  int64_t iters = 1000;
  float lr = 0.1f;
  models::Penalty penalty;
};

struct DecoderData {
  RowMat x_train;  // (n_train, N)
  models::DecoderTargets y_train;
  RowMat x_test;   // (n_test, N)
  models::DecoderTargets y_test;
};

// The state a checkpoint holds and a resumed run continues from.
struct DecoderTrainState {
  int64_t iteration = 0;  // completed iterations
  SgdState sgd;
  History history;
};

// Runs iterations state.iteration+1 .. opt.iters. On a non-finite loss it stops, restores the
// parameters from before the step that produced it, and reports the iteration.
Outcome train_decoder(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                      DecoderTrainState& state, const ProgressFn& progress = {},
                      const AfterStepFn& after_step = {});

}  // namespace nc::train
