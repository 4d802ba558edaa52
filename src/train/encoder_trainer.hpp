#pragma once
// Full-batch SGD with momentum for the encoder, as the tutorial's encoder train(): each
// iteration records the train loss of the forward pass it steps on, steps, and records the
// test loss (same images, held-out responses, penalty included) with the updated weights.
// Train and test share their inputs, so the test loss after step t comes from the forward
// pass that step t+1 needs anyway: one forward pass per iteration, plus one at the end.
// The loop is train/loop.hpp's; the two forms differ only in how a step is computed.
#include <memory>

#include "models/encoder.hpp"
#include "sim/stimuli.hpp"
#include "train/loop.hpp"
#include "train/train_state.hpp"

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

// Runs iterations state.iteration+1 .. opt.iters. On a non-finite loss it stops and restores
// the parameters and momentum from before the step that produced it.
Outcome train_encoder(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                      EncoderTrainState& state, const ProgressFn& progress = {},
                      const AfterStepFn& after_step = {});

// Each form's step (train/loop.hpp); the fused one is described in encoder_fused.hpp.
std::unique_ptr<TrainerStep> make_encoder_plain_step(models::Encoder& e, const EncoderData& data,
                                                     const EncoderTrainOptions& opt,
                                                     EncoderTrainState& state);
std::unique_ptr<TrainerStep> make_encoder_fused_step(models::Encoder& e, const EncoderData& data,
                                                     const EncoderTrainOptions& opt,
                                                     EncoderTrainState& state);

}  // namespace nc::train
