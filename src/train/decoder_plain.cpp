// The decoders' plain form, layer by layer with the library kernels: the reference the dual and
// fused forms are tested against.
#include "train/decoder_trainer.hpp"

namespace nc::train {
namespace {

class PlainDecoderStep : public TrainerStep {
 public:
  PlainDecoderStep(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                   TrainState& state)
      : d_(d), data_(data), opt_(opt), state_(state) {
    train_ws_.resize(data.x_train.rows(), d.shape);
    test_ws_.resize(data.x_test.rows(), d.shape);
  }
  double train_loss() override {
    models::decoder_forward(d_, cmap(data_.x_train), train_ws_);
    return models::decoder_loss(d_, data_.y_train, train_ws_, opt_.penalty);
  }
  void step() override {
    d_.params.zero_grad();
    models::decoder_backward(d_, cmap(data_.x_train), data_.y_train, train_ws_, opt_.penalty);
    before_.take(d_.params, state_.sgd);
    sgd_step(d_.params.values, d_.params.grads, state_.sgd, {.lr = opt_.lr});
  }
  double test_loss() override {
    models::decoder_forward(d_, cmap(data_.x_test), test_ws_);
    return models::decoder_loss(d_, data_.y_test, test_ws_, opt_.penalty);
  }
  void rollback() override { before_.restore(d_.params, state_.sgd); }

 private:
  models::Decoder& d_;
  const DecoderData& data_;
  const DecoderTrainOptions& opt_;
  TrainState& state_;
  models::DecoderWorkspace train_ws_, test_ws_;
  ParamSnapshot before_;
};

}  // namespace

std::unique_ptr<TrainerStep> make_decoder_plain_step(models::Decoder& d, const DecoderData& data,
                                                     const DecoderTrainOptions& opt,
                                                     DecoderTrainState& state) {
  return std::make_unique<PlainDecoderStep>(d, data, opt, state);
}

}  // namespace nc::train
