#include "train/decoder_trainer.hpp"

#include "train/decoder_dual.hpp"

#include <cmath>
#include <string>

namespace nc::train {
namespace {
}  // namespace

Outcome train_decoder(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                      DecoderTrainState& state, const ProgressFn& progress,
                      const AfterStepFn& after_step) {
  DecoderAlgorithm a = opt.algorithm;
  if (a == DecoderAlgorithm::automatic) a = opt.penalty.l1 == 0.0f ? DecoderAlgorithm::dual : DecoderAlgorithm::fused;
  if (state.dual.active) a = DecoderAlgorithm::dual;  // a resumed dual run stays dual
  switch (a) {
    case DecoderAlgorithm::dual: return train_decoder_dual(d, data, opt, state, progress, after_step);
    case DecoderAlgorithm::fused: return train_decoder_fused(d, data, opt, state, progress, after_step);
    default: return train_decoder_plain(d, data, opt, state, progress, after_step);
  }
}

Outcome train_decoder_plain(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                           DecoderTrainState& state, const ProgressFn& progress,
                           const AfterStepFn& after_step) {
  models::DecoderWorkspace train_ws, test_ws;
  train_ws.resize(data.x_train.rows(), d.shape);
  test_ws.resize(data.x_test.rows(), d.shape);
  const SgdOptions sgd{.lr = opt.lr, .momentum = 0.0f};
  AlignedFloats before(d.params.values.size());  // parameters before the current step
  Outcome out;
  const int64_t first = state.iteration + 1;
  for (int64_t it = first; it <= opt.iters; ++it) {
    models::decoder_forward(d, cmap(data.x_train), train_ws);
    const double train_loss = models::decoder_loss(d, data.y_train, train_ws, opt.penalty);
    if (!std::isfinite(train_loss)) {
      // The previous step produced these parameters: go back to before it.
      if (it > first) d.params.values = before;
      return diverged_outcome(it, "train", train_loss);
    }
    d.params.zero_grad();
    models::decoder_backward(d, cmap(data.x_train), data.y_train, train_ws, opt.penalty);
    before = d.params.values;
    sgd_step(d.params.values, d.params.grads, state.sgd, sgd);

    models::decoder_forward(d, cmap(data.x_test), test_ws);
    const double test_loss = models::decoder_loss(d, data.y_test, test_ws, opt.penalty);
    if (!std::isfinite(test_loss)) {
      d.params.values = before;
      return diverged_outcome(it, "test", test_loss);
    }
    if (finish_iteration(state.history, state.iteration, it, train_loss, test_loss, opt.iters, kDecoderProgress,
                         progress, after_step, out)) {
      return out;
    }
  }
  return out;
}

}  // namespace nc::train
