// The decoders' full form with L1 (the dual form does not apply): every iteration makes one
// pass over the data, column block by column block, that steps W_in and computes the next
// pre-activations of the train and test rows (train/column_blocked_step.hpp). The test loss
// after step t and the train loss of step t+1 come from that one pass.
#include <algorithm>

#include "core/blas_threads.hpp"
#include "nn/activations.hpp"
#include "train/column_blocked_step.hpp"
#include "train/decoder_trainer.hpp"

namespace nc::train {
namespace {

// hidden = relu(pre + b_in), then the out layer (and log-softmax) into ws.out
void finish_forward(const models::Decoder& d, const RowMat& pre, models::DecoderWorkspace& ws) {
  ws.hidden = pre;
  ws.hidden.rowwise() += models::decoder_values(d).in_b.transpose();
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  models::decoder_forward_head(d, ws);
}

class FusedDecoderStep : public TrainerStep {
 public:
  FusedDecoderStep(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                   TrainState& state)
      : d_(d),
        data_(data),
        opt_(opt),
        state_(state),
        w_(models::decoder_values(d).in_w),
        pre_tr_(data.x_train.rows(), d.shape.n_hidden),
        pre_te_(data.x_test.rows(), d.shape.n_hidden),
        backup_w_(static_cast<size_t>(w_.size())) {
    tr_.resize(data.x_train.rows(), d.shape);
    te_.resize(data.x_test.rows(), d.shape);
    column_blocked_forward(w_.data(), w_.rows(), w_.cols(), cmap(data.x_train), cmap(data.x_test),
                           map(pre_tr_), map(pre_te_), &sums_);
    backup_head_.resize(models::decoder_head_values(d).size());
  }
  double train_loss() override {
    finish_forward(d_, pre_tr_, tr_);
    return models::decoder_data_loss(d_, data_.y_train, tr_) + penalty();
  }
  void step() override {
    models::decoder_head_gradient(d_, data_.y_train, tr_);
    const std::span<float> head = models::decoder_head_values(d_),
                           head_grads = models::decoder_head_grads(d_);
    std::copy(head.begin(), head.end(), backup_head_.begin());
    sgd_step(head, head_grads, state_.sgd, {.lr = opt_.lr});
    column_blocked_sgd_step(w_.data(), backup_w_.data(), w_.rows(), w_.cols(), cmap(data_.x_train),
                            cmap(data_.x_test), cmap(tr_.dhidden), map(pre_tr_), map(pre_te_),
                            {.lr = opt_.lr, .l1 = opt_.penalty.l1, .l2 = opt_.penalty.l2}, &sums_);
  }
  double test_loss() override {
    finish_forward(d_, pre_te_, te_);
    return models::decoder_data_loss(d_, data_.y_test, te_) + penalty();
  }
  void rollback() override {
    std::copy(backup_w_.begin(), backup_w_.end(), w_.data());
    const std::span<float> head = models::decoder_head_values(d_);
    std::copy(backup_head_.begin(), backup_head_.end(), head.begin());
  }

 private:
  double penalty() const {
    const double l1 = opt_.penalty.l1, l2 = opt_.penalty.l2;
    return l2 * sums_.sum_sq + l1 * sums_.sum_abs;
  }

  models::Decoder& d_;
  const DecoderData& data_;
  const DecoderTrainOptions& opt_;
  TrainState& state_;
  MatMap w_;                // in_layer.weight (H,N)
  RowMat pre_tr_, pre_te_;  // (n_train,H), (n_test,H) X Wᵀ, without the bias
  models::DecoderWorkspace tr_, te_;
  WeightSums sums_;
  AlignedFloats backup_w_, backup_head_;
  // The large products run in this trainer's own workers (column_blocked_step.hpp); the small
  // ones left are cheaper on the calling thread than on OpenBLAS's, which would wake and yield.
  BlasSingleThread single_threaded_blas_;
};

}  // namespace

std::unique_ptr<TrainerStep> make_decoder_fused_step(models::Decoder& d, const DecoderData& data,
                                                     const DecoderTrainOptions& opt,
                                                     DecoderTrainState& state) {
  return std::make_unique<FusedDecoderStep>(d, data, opt, state);
}

}  // namespace nc::train
