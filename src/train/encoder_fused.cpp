#include "train/encoder_fused.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/blas_threads.hpp"
#include "nn/conv2d.hpp"
#include "train/row_blocked_step.hpp"

namespace nc::train {

ImageGroups group_identical_rows(const float* images, int64_t n, int64_t pixels) {
  ImageGroups g;
  g.group.resize(static_cast<size_t>(n));
  const size_t bytes = sizeof(float) * static_cast<size_t>(pixels);
  for (int64_t i = 0; i < n; ++i) {
    int64_t found = -1;
    for (size_t u = 0; u < g.first.size() && found < 0; ++u)
      if (std::memcmp(images + i * pixels, images + g.first[u] * pixels, bytes) == 0)
        found = static_cast<int64_t>(u);
    if (found < 0) {
      found = static_cast<int64_t>(g.first.size());
      g.first.push_back(i);
    }
    g.group[static_cast<size_t>(i)] = found;
  }
  return g;
}

namespace {

class FusedEncoderStep : public TrainerStep {
 public:
  FusedEncoderStep(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                   TrainState& state);
  double train_loss() override { return loss(data_.resp_train); }
  void step() override;
  double test_loss() override { return loss(data_.resp_test); }
  void rollback() override;

 private:
  void forward();
  double loss(const RowMat& target) const;
  // The layer's parameters and momentum (vw/vb null without momentum), and the same pointers
  // into the backup buffers.
  RowBlockedLayer layer(AlignedFloats& values, std::vector<float>& velocity) const;

  models::Encoder& e_;
  const EncoderData& data_;
  const EncoderTrainOptions& opt_;
  TrainState& state_;
  ImageGroups groups_;
  std::vector<float> xu_;  // (U,1,H,W) the distinct images
  Conv2dShape conv_shape_;
  RowMat feats_, dfeats_, out_, dout_;  // (U,F), (U,F), (U,N), (U,N)
  WeightSums sums_;
  // A step writes the new parameters and velocities here, then swaps them with the current
  // ones: after the swap these hold the state before the step, which a rollback swaps back.
  AlignedFloats spare_;
  std::vector<float> spare_velocity_;
  // The large products run in this trainer's own workers (row_blocked_step.hpp); the small
  // ones left are cheaper on the calling thread than on OpenBLAS's, which would wake and yield.
  BlasSingleThread single_threaded_blas_;
};

FusedEncoderStep::FusedEncoderStep(models::Encoder& e, const EncoderData& data,
                                   const EncoderTrainOptions& opt, TrainState& state)
    : e_(e), data_(data), opt_(opt), state_(state) {
  const int64_t n = data.images.n, pixels = data.images.height * data.images.width;
  groups_ = group_identical_rows(data.images.pixels.data(), n, pixels);
  const auto u = static_cast<int64_t>(groups_.first.size());
  xu_.resize(static_cast<size_t>(u * pixels));
  for (int64_t k = 0; k < u; ++k)
    std::memcpy(xu_.data() + k * pixels,
                data.images.pixels.data() + groups_.first[static_cast<size_t>(k)] * pixels,
                sizeof(float) * static_cast<size_t>(pixels));
  conv_shape_ = e.shape.conv(static_cast<int>(u));
  const int64_t f = e.shape.features(), neurons = e.shape.n_neurons;
  feats_.resize(u, f);
  dfeats_.resize(u, f);
  out_.resize(u, neurons);
  dout_.resize(u, neurons);
  spare_.resize(e.params.values.size());
  forward();
}

void FusedEncoderStep::forward() {
  const models::EncoderParams v = models::encoder_values(e_);
  conv2d_forward(feats_.data(), xu_.data(), v.conv_w, v.conv_b, conv_shape_);
  row_blocked_forward(map(out_), cmap(feats_), v.out_w.data(), v.out_b.data(), &sums_);
}

double FusedEncoderStep::loss(const RowMat& target) const {
  const int64_t n = data_.images.n, neurons = e_.shape.n_neurons;
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += static_cast<double>(
        (out_.row(groups_.group[static_cast<size_t>(i)]) - target.row(i)).squaredNorm());
  return s / (static_cast<double>(n) * static_cast<double>(neurons)) +
         double(opt_.l2) * sums_.sum_sq + double(opt_.l1) * sums_.sum_abs;
}

RowBlockedLayer FusedEncoderStep::layer(AlignedFloats& values, std::vector<float>& velocity) const {
  const size_t ow = e_.params.view(models::kEncOutWeight).offset,
               ob = e_.params.view(models::kEncOutBias).offset;
  float* vel = velocity.empty() ? nullptr : velocity.data();
  return {values.data() + ow, values.data() + ob, vel ? vel + ow : nullptr,
          vel ? vel + ob : nullptr};
}

void FusedEncoderStep::step() {
  // d(MSE)/d(out) of each row, summed over rows that share an image
  const int64_t n = data_.images.n;
  const float scale = 2.0f / static_cast<float>(n * e_.shape.n_neurons);
  dout_.setZero();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = groups_.group[static_cast<size_t>(i)];
    dout_.row(g) += scale * (out_.row(g) - data_.resp_train.row(i));
  }
  // PyTorch's first momentum step: the velocity starts as the gradient (no velocity yet).
  std::vector<float>& velocity = state_.sgd.velocity;
  const bool momentum = opt_.momentum != 0.0f, first = velocity.empty();
  if (momentum) spare_velocity_.resize(e_.params.values.size());
  const SgdOptions sgd{.lr = opt_.lr, .momentum = opt_.momentum, .l1 = opt_.l1, .l2 = opt_.l2};
  row_blocked_sgd_step(layer(e_.params.values, velocity), layer(spare_, spare_velocity_),
                       cmap(dout_), cmap(feats_), map(dfeats_), sgd, first);
  // The conv layer: its gradient from dFeatures, then the same rule on its few values, into the
  // spare buffers as well (conv.weight and conv.bias come first in both).
  const std::span<float> conv_grads = models::encoder_conv_grads(e_);
  std::fill(conv_grads.begin(), conv_grads.end(), 0.0f);
  const models::EncoderParams g = models::encoder_grads(e_);
  conv2d_gradient(g.conv_w, g.conv_b, dfeats_.data(), xu_.data(), conv_shape_);
  const std::span<float> conv = models::encoder_conv_values(e_);
  std::copy(conv.begin(), conv.end(), spare_.begin());
  if (momentum && !first)
    std::copy(velocity.begin(), velocity.begin() + conv.size(), spare_velocity_.begin());
  sgd_update(spare_.data(), momentum ? spare_velocity_.data() : nullptr, conv_grads.data(),
             static_cast<int64_t>(conv.size()), {.lr = opt_.lr, .momentum = opt_.momentum}, first);
  std::swap(e_.params.values, spare_);
  std::swap(velocity, spare_velocity_);
  forward();  // serves this step's test loss and the next step's train loss
}

void FusedEncoderStep::rollback() {
  std::swap(e_.params.values, spare_);
  std::swap(state_.sgd.velocity, spare_velocity_);
  forward();
}

}  // namespace

std::unique_ptr<TrainerStep> make_encoder_fused_step(models::Encoder& e, const EncoderData& data,
                                                     const EncoderTrainOptions& opt,
                                                     EncoderTrainState& state) {
  return std::make_unique<FusedEncoderStep>(e, data, opt, state);
}

}  // namespace nc::train
