#include "train/encoder_trainer.hpp"

namespace nc::train {
namespace {

// The plain form, layer by layer with the library kernels: the reference for the fused one.
class PlainEncoderStep : public TrainerStep {
 public:
  PlainEncoderStep(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                   TrainState& state)
      : e_(e), data_(data), opt_(opt), state_(state) {
    ws_.resize(data.images.n, e.shape);
    models::encoder_forward(e_, data_.images.pixels.data(), data_.images.n, ws_);
  }
  double train_loss() override {
    return models::encoder_loss(e_, cmap(data_.resp_train), ws_, opt_.l1, opt_.l2);
  }
  void step() override {
    e_.params.zero_grad();
    models::encoder_backward(e_, data_.images.pixels.data(), data_.images.n, cmap(data_.resp_train),
                             ws_, opt_.l1, opt_.l2);
    before_.take(e_.params, state_.sgd);
    sgd_step(e_.params.values, e_.params.grads, state_.sgd,
             {.lr = opt_.lr, .momentum = opt_.momentum});
    // The forward pass with the updated weights serves this step's test loss and the next
    // step's train loss.
    models::encoder_forward(e_, data_.images.pixels.data(), data_.images.n, ws_);
  }
  double test_loss() override {
    return models::encoder_loss(e_, cmap(data_.resp_test), ws_, opt_.l1, opt_.l2);
  }
  void rollback() override { before_.restore(e_.params, state_.sgd); }

 private:
  models::Encoder& e_;
  const EncoderData& data_;
  const EncoderTrainOptions& opt_;
  TrainState& state_;
  models::EncoderWorkspace ws_;
  ParamSnapshot before_;
};

}  // namespace

std::unique_ptr<TrainerStep> make_encoder_plain_step(models::Encoder& e, const EncoderData& data,
                                                     const EncoderTrainOptions& opt,
                                                     EncoderTrainState& state) {
  return std::make_unique<PlainEncoderStep>(e, data, opt, state);
}

Outcome train_encoder(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                      EncoderTrainState& state, const ProgressFn& progress,
                      const AfterStepFn& after_step) {
  const std::unique_ptr<TrainerStep> form = opt.algorithm == EncoderAlgorithm::fused
                                                ? make_encoder_fused_step(e, data, opt, state)
                                                : make_encoder_plain_step(e, data, opt, state);
  return run_training(*form, state, opt.iters, {kEncoderProgress, progress, after_step});
}

}  // namespace nc::train
