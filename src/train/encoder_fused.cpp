#include "train/encoder_fused.hpp"

#include <cmath>
#include <cstring>
#include <string>

#include "core/blas_threads.hpp"

#include "nn/conv2d.hpp"
#include "nn/fused_linear_sgd.hpp"

namespace nc::train {

ImageGroups group_identical_rows(const float* images, int64_t n, int64_t pixels) {
  ImageGroups g;
  g.group.resize(static_cast<size_t>(n));
  const size_t bytes = sizeof(float) * static_cast<size_t>(pixels);
  for (int64_t i = 0; i < n; ++i) {
    int64_t found = -1;
    for (size_t u = 0; u < g.first.size() && found < 0; ++u)
      if (std::memcmp(images + i * pixels, images + g.first[u] * pixels, bytes) == 0) found = static_cast<int64_t>(u);
    if (found < 0) {
      found = static_cast<int64_t>(g.first.size());
      g.first.push_back(i);
    }
    g.group[static_cast<size_t>(i)] = found;
  }
  return g;
}

Outcome train_encoder_fused(models::Encoder& e, const EncoderData& data, const EncoderTrainOptions& opt,
                            EncoderTrainState& state, const ProgressFn& progress,
                            const AfterStepFn& after_step) {
  auto& p = e.params;
  const int64_t n = data.images.n, pixels = data.images.height * data.images.width;
  const ImageGroups groups = group_identical_rows(data.images.pixels.data(), n, pixels);
  const auto u = static_cast<int64_t>(groups.first.size());
  std::vector<float> xu(static_cast<size_t>(u * pixels));  // (U,1,H,W) the distinct images
  for (int64_t k = 0; k < u; ++k)
    std::memcpy(xu.data() + k * pixels, data.images.pixels.data() + groups.first[static_cast<size_t>(k)] * pixels,
                sizeof(float) * static_cast<size_t>(pixels));
  const int64_t f = e.shape.features(), neurons = e.shape.n_neurons;
  const Conv2dShape conv_shape = e.shape.conv(static_cast<int>(u));

  RowMat feats(u, f), dfeats(u, f), out(u, neurons), dout(u, neurons);
  const size_t cw = p.view("conv.weight").offset, cb = p.view("conv.bias").offset;
  const size_t ow = p.view("out_layer.weight").offset, ob = p.view("out_layer.bias").offset;
  const size_t conv_end = ow;  // conv.weight and conv.bias come first
  const bool momentum = opt.momentum != 0.0f;
  if (momentum && state.sgd.velocity.empty()) state.sgd.velocity.assign(p.values.size(), 0.0f);
  float* vel = momentum ? state.sgd.velocity.data() : nullptr;
  AlignedFloats backup(p.values.size());  // parameters before the latest step
  bool stepped = false;

  WeightSums sums;
  const auto forward = [&]() {
    conv2d_forward(feats.data(), xu.data(), p.values.data() + cw, p.values.data() + cb, conv_shape);
    linear_forward_blocked(MatMap(out.data(), u, neurons), CMatMap(feats.data(), u, f),
                           p.values.data() + ow, p.values.data() + ob, &sums);
  };
  const auto loss = [&](const RowMat& target) {
    double s = 0;
    for (int64_t i = 0; i < n; ++i)
      s += static_cast<double>((out.row(groups.group[static_cast<size_t>(i)]) - target.row(i)).squaredNorm());
    return s / (static_cast<double>(n) * static_cast<double>(neurons)) + double(opt.l2) * sums.sum_sq +
           double(opt.l1) * sums.sum_abs;
  };
  Outcome result;
  const auto diverge = [&](int64_t it, const char* which, double v) {
    if (stepped) p.values = backup;
    result = diverged_outcome(it, which, v);
  };

  // The large products run in this trainer's own workers (nn/fused_linear_sgd.hpp); the small
  // ones left are cheaper on the calling thread than on OpenBLAS's, which would wake and yield.
  const BlasSingleThread single_threaded_blas;
  forward();
  const float scale = 2.0f / static_cast<float>(n * neurons);
  for (int64_t it = state.iteration + 1; it <= opt.iters; ++it) {
    const double train_loss = loss(data.resp_train);
    if (!std::isfinite(train_loss)) {
      diverge(it, "train", train_loss);
      return result;
    }
    // d(MSE)/d(out) of each row, summed over rows that share an image
    dout.setZero();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t g = groups.group[static_cast<size_t>(i)];
      dout.row(g) += scale * (out.row(g) - data.resp_train.row(i));
    }
    const bool first = state.sgd.steps == 0;
    std::memcpy(backup.data(), p.values.data(), sizeof(float) * conv_end);
    linear_sgd_fused_step(p.values.data() + ow, p.values.data() + ob, momentum ? vel + ow : nullptr,
                          momentum ? vel + ob : nullptr, backup.data() + ow, backup.data() + ob,
                          CMatMap(dout.data(), u, neurons), CMatMap(feats.data(), u, f),
                          MatMap(dfeats.data(), u, f),
                          {.lr = opt.lr, .momentum = opt.momentum, .l1 = opt.l1, .l2 = opt.l2, .first_step = first});
    // The conv layer: its gradient from dFeatures, then the same SGD rule on its few values.
    std::fill(p.grads.begin(), p.grads.begin() + static_cast<std::ptrdiff_t>(conv_end), 0.0f);
    conv2d_gradient(p.grads.data() + cw, p.grads.data() + cb, dfeats.data(), xu.data(), conv_shape);
    for (size_t i = 0; i < conv_end; ++i) {
      float v = p.grads[i];
      if (momentum) {
        v = first ? v : opt.momentum * vel[i] + v;
        vel[i] = v;
      }
      p.values[i] += -opt.lr * v;
    }
    ++state.sgd.steps;
    stepped = true;

    forward();  // serves this step's test loss and the next step's train loss
    const double test_loss = loss(data.resp_test);
    if (!std::isfinite(test_loss)) {
      diverge(it, "test", test_loss);
      return result;
    }
    if (finish_iteration(state.history, state.iteration, it, train_loss, test_loss, opt.iters, kEncoderProgress,
                         progress, after_step, result)) {
      return result;
    }
  }
  return result;
}

}  // namespace nc::train
