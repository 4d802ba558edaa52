#include "train/encoder_trainer.hpp"

#include "train/encoder_fused.hpp"

#include <cmath>
#include <string>

namespace nc::train {
namespace {
}  // namespace

Outcome train_encoder(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                      EncoderTrainState& state, const ProgressFn& progress,
                      const AfterStepFn& after_step) {
  return opt.algorithm == EncoderAlgorithm::fused
             ? train_encoder_fused(e, data, opt, state, progress, after_step)
             : train_encoder_plain(e, data, opt, state, progress, after_step);
}

Outcome train_encoder_plain(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                            EncoderTrainState& state, const ProgressFn& progress,
                            const AfterStepFn& after_step) {
  const int64_t batch = data.images.n;
  const float* x = data.images.pixels.data();
  models::EncoderWorkspace ws;
  ws.resize(batch, e.shape);
  const SgdOptions sgd{.lr = opt.lr, .momentum = opt.momentum};
  // Parameters and velocity before the latest step, restored when a loss turns non-finite.
  AlignedFloats before;
  std::vector<float> before_velocity;
  Outcome out;
  const auto diverge = [&](int64_t it, const char* which, double v) {
    if (!before.empty()) {
      e.params.values = before;
      state.sgd.velocity = before_velocity;
    }
    out = diverged_outcome(it, which, v);
  };
  models::encoder_forward(e, x, batch, ws);
  for (int64_t it = state.iteration + 1; it <= opt.iters; ++it) {
    const double train_loss = models::encoder_loss(e, cmap(data.resp_train), ws, opt.l1, opt.l2);
    if (!std::isfinite(train_loss)) {
      diverge(it, "train", train_loss);
      return out;
    }
    e.params.zero_grad();
    models::encoder_backward(e, x, batch, cmap(data.resp_train), ws, opt.l1, opt.l2);
    before = e.params.values;
    before_velocity = state.sgd.velocity;
    sgd_step(e.params.values, e.params.grads, state.sgd, sgd);
    // The forward pass with the updated weights serves this step's test loss and the next
    // step's train loss.
    models::encoder_forward(e, x, batch, ws);
    const double test_loss = models::encoder_loss(e, cmap(data.resp_test), ws, opt.l1, opt.l2);
    if (!std::isfinite(test_loss)) {
      diverge(it, "test", test_loss);
      return out;
    }
    if (finish_iteration(state.history, state.iteration, it, train_loss, test_loss, opt.iters, kEncoderProgress,
                         progress, after_step, out)) {
      return out;
    }
  }
  return out;
}

}  // namespace nc::train
