// The decoders' full form with L1 (the dual form does not apply): every iteration makes one
// pass over the data, column block by column block, that steps W_in and computes the next
// pre-activations of the train and test rows (nn/fused_linear_sgd.hpp). The test loss after
// step t and the train loss of step t+1 come from that one pass.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "core/blas_threads.hpp"
#include "nn/activations.hpp"
#include "nn/fused_linear_sgd.hpp"
#include "nn/linear.hpp"
#include "train/decoder_trainer.hpp"

namespace nc::train {
namespace {

// hidden = relu(pre + b_in), then the out layer (and log-softmax) into ws.out
void finish_forward(const models::Decoder& d, const RowMat& pre, models::DecoderWorkspace& ws) {
  const auto& p = d.params;
  const auto& bv = p.view("in_layer.bias");
  ws.hidden = pre;
  ws.hidden.rowwise() += CVecMap(p.values.data() + bv.offset, static_cast<int64_t>(bv.size)).transpose();
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  const auto& ov = p.view("out_layer.bias");
  linear_forward(map(ws.out), cmap(ws.hidden), p.value_mat("out_layer.weight"),
                 CVecMap(p.values.data() + ov.offset, static_cast<int64_t>(ov.size)));
  if (d.shape.kind == models::DecoderKind::classification) log_softmax_forward(map(ws.out), cmap(ws.out));
}
}  // namespace

Outcome train_decoder_fused(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                            DecoderTrainState& state, const ProgressFn& progress,
                            const AfterStepFn& after_step) {
  auto& p = d.params;
  const int64_t h = d.shape.n_hidden, n = d.shape.n_inputs;
  const int64_t n_tr = data.x_train.rows(), n_te = data.x_test.rows();
  const CMatMap x_tr = cmap(data.x_train), x_te = cmap(data.x_test);
  float* w = p.value("in_layer.weight");
  RowMat pre_tr(n_tr, h), pre_te(n_te, h);
  models::DecoderWorkspace tr, te;
  tr.resize(n_tr, d.shape);
  te.resize(n_te, d.shape);
  WeightSums sums;
  linear_forward_wide(w, h, n, x_tr, x_te, map(pre_tr), map(pre_te), &sums);
  const double l1 = opt.penalty.l1, l2 = opt.penalty.l2;
  const auto penalty = [&] { return l2 * sums.sum_sq + l1 * sums.sum_abs; };

  // in_layer.bias, out_layer.weight, out_layer.bias: contiguous after in_layer.weight
  const size_t rest = p.view("in_layer.bias").offset;
  const std::span<float> rest_values(p.values.data() + rest, p.values.size() - rest);
  const std::span<const float> rest_grads(p.grads.data() + rest, p.grads.size() - rest);
  AlignedFloats backup_w(rest), backup_rest(rest_values.size());
  bool stepped = false;
  const SgdOptions sgd{.lr = opt.lr, .momentum = 0.0f};
  // The large products run in this trainer's own workers (nn/fused_linear_sgd.hpp); the small
  // ones left are cheaper on the calling thread than on OpenBLAS's, which would wake and yield.
  const BlasSingleThread single_threaded_blas;
  const models::Penalty none;

  Outcome out;
  const auto diverge = [&](int64_t it, const char* which, double v) {
    if (stepped) {
      std::copy(backup_w.begin(), backup_w.end(), w);
      std::copy(backup_rest.begin(), backup_rest.end(), rest_values.begin());
    }
    out = diverged_outcome(it, which, v);
  };

  for (int64_t it = state.iteration + 1; it <= opt.iters; ++it) {
    finish_forward(d, pre_tr, tr);
    const double train_loss = models::decoder_loss(d, data.y_train, tr, none) + penalty();
    if (!std::isfinite(train_loss)) {
      diverge(it, "train", train_loss);
      return out;
    }
    std::fill(p.grads.begin() + static_cast<std::ptrdiff_t>(rest), p.grads.end(), 0.0f);
    models::decoder_backward_head(d, data.y_train, tr);
    p.grad_vec("in_layer.bias") += tr.dhidden.colwise().sum().transpose();

    std::copy(rest_values.begin(), rest_values.end(), backup_rest.begin());
    sgd_step(rest_values, rest_grads, state.sgd, sgd);
    linear_sgd_fused_step_wide(w, backup_w.data(), h, n, x_tr, x_te, cmap(tr.dhidden), map(pre_tr), map(pre_te),
                               opt.lr, opt.penalty.l1, opt.penalty.l2, &sums);
    stepped = true;

    finish_forward(d, pre_te, te);
    const double test_loss = models::decoder_loss(d, data.y_test, te, none) + penalty();
    if (!std::isfinite(test_loss)) {
      diverge(it, "test", test_loss);
      return out;
    }
    if (finish_iteration(state.history, state.iteration, it, train_loss, test_loss, opt.iters, kDecoderProgress,
                         progress, after_step, out)) {
      return out;
    }
  }
  return out;
}

}  // namespace nc::train
