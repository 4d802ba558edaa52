#pragma once
// Full-batch gradient descent for the decoders, as the tutorial's train(): each iteration runs
// the train set forward, records its loss, steps SGD, then records the test loss with the
// updated weights (penalty included).
#include "models/decoder.hpp"
#include "nn/sgd.hpp"
#include "train/history.hpp"

namespace nc::train {

// How the in_layer weights are carried. Both give the same iterates in exact arithmetic.
enum class DecoderAlgorithm {
  automatic,  // dual when there is no L1 term, else fused
  plain,      // layer by layer with the library kernels: the reference in tests
  fused,      // W_in updated in one cache-blocked pass over X per iteration (nn/fused_linear_sgd.hpp)
  dual,       // W_in = c*W_in(0) + B*X_train, B (H x n_train): see decoder_dual.hpp
};

struct DecoderTrainOptions {
  int64_t iters = 1000;
  float lr = 0.1f;
  models::Penalty penalty;
  DecoderAlgorithm algorithm = DecoderAlgorithm::automatic;
};

struct DecoderData {
  RowMat x_train;  // (n_train, N)
  models::DecoderTargets y_train;
  RowMat x_test;   // (n_test, N)
  models::DecoderTargets y_test;
};

// The dual form's own state (decoder_dual.hpp): W_in = c*W0 + B*X_train. Part of a checkpoint,
// so that a resumed run continues the same arithmetic, bit for bit.
struct DecoderDualState {
  bool active = false;
  double c = 1.0;
  RowMatD b;  // (H, n_train)
  RowMat w0;  // (H, N) in_layer.weight when the dual form started
};

// The state a checkpoint holds and a resumed run continues from.
struct DecoderTrainState {
  int64_t iteration = 0;  // completed iterations
  SgdState sgd;
  History history;
  DecoderDualState dual;
};

// Runs iterations state.iteration+1 .. opt.iters, with the algorithm opt.algorithm picks. On a non-finite loss it stops, restores the
// parameters from before the step that produced it, and reports the iteration.
Outcome train_decoder(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                      DecoderTrainState& state, const ProgressFn& progress = {},
                      const AfterStepFn& after_step = {});

// The plain form, layer by layer (the reference for the others).
Outcome train_decoder_plain(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                           DecoderTrainState& state, const ProgressFn& progress = {},
                           const AfterStepFn& after_step = {});

// The fused form: W_in carried in full, one pass over the data per iteration.
Outcome train_decoder_fused(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                            DecoderTrainState& state, const ProgressFn& progress = {},
                            const AfterStepFn& after_step = {});

}  // namespace nc::train
