#pragma once
// Full-batch SGD with momentum for the encoder, as the tutorial's encoder train(): each
// iteration records the train loss of the forward pass it steps on, steps, and records the
// test loss (same images, held-out responses, penalty included) with the updated weights.
// Train and test share their inputs, so the test loss after step t comes from the forward
// pass that step t+1 needs anyway: one forward pass per iteration, plus one at the end.
#include "models/encoder.hpp"
#include "nn/sgd.hpp"
#include "sim/stimuli.hpp"
#include "train/history.hpp"

namespace nc::train {

// How a step is computed. Both give the same iterates in exact arithmetic.
enum class EncoderAlgorithm {
  fused,  // identical images computed once; one cache-blocked pass over out_layer.weight
  plain,  // layer by layer with the library kernels: the reference in tests
};

struct EncoderTrainOptions {
  EncoderAlgorithm algorithm = EncoderAlgorithm::fused;
  int64_t iters = 200;
  float lr = 2.0f;
  float momentum = 0.9f;
  float l1 = 1e-6f;
  float l2 = 5e-4f;
};

struct EncoderData {
  sim::ImageStack images;  // (n, 1, H, W)
  RowMat resp_train;       // (n, N)
  RowMat resp_test;        // (n, N)
};

struct EncoderTrainState {
  int64_t iteration = 0;  // completed iterations
  SgdState sgd;
  History history;
};

Outcome train_encoder(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                      EncoderTrainState& state, const ProgressFn& progress = {},
                      const AfterStepFn& after_step = {});

// The fused form (see encoder_fused.hpp) and the plain one.
Outcome train_encoder_plain(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                            EncoderTrainState& state, const ProgressFn& progress = {},
                            const AfterStepFn& after_step = {});

}  // namespace nc::train
