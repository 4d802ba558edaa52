#pragma once
// The state a training run advances and a checkpoint holds: completed iterations, the
// optimizer's state, the loss history, and the decoder's dual form when it is used.
#include <cstdint>

#include "core/tensor.hpp"
#include "nn/parameters.hpp"
#include "nn/sgd.hpp"
#include "train/history.hpp"

namespace nc::train {

struct TrainState {
  int64_t iteration = 0;  // completed iterations
  SgdState sgd;
  History history;
};

// The decoder's dual form (train/decoder_dual.hpp): W_in = c*W0 + B*X_train. Part of a
// checkpoint, so that a resumed run continues the same arithmetic, bit for bit.
struct DecoderDualState {
  bool active = false;
  double c = 1.0;
  RowMatD b;  // (H, n_train)
  RowMat w0;  // (H, N) in_layer.weight when the dual form started
  // After the run ends (finish): X W_inᵀ of the train rows then the test rows, without
  // in_layer.bias, from K and the W0 projections (c P0 + K Bᵀ) rather than a pass over X, so
  // that the hidden activity of every row costs no second read of a file bigger than memory.
  // Not part of a checkpoint: it is made again when a resumed run ends.
  RowMatD final_pre;  // (n_train + n_test, H)
};

struct DecoderTrainState : TrainState {
  DecoderDualState dual;
};
using EncoderTrainState = TrainState;

// The whole state of a run by reference to its own objects: what a checkpoint saves and a
// resume restores (runs/checkpointing.hpp).
struct TrainingStateRefs {
  ParameterSet& params;
  TrainState& state;
  DecoderDualState* dual = nullptr;  // decoders only
};

}  // namespace nc::train
