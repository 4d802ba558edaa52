#include "models/decoder.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"

namespace nc::models {

Decoder decoder_create(const DecoderShape& shape) {
  Decoder d;
  d.shape = shape;
  const size_t in_w = d.params.add("in_layer.weight", {shape.n_hidden, shape.n_inputs});
  const size_t in_b = d.params.add("in_layer.bias", {shape.n_hidden});
  const size_t out_w = d.params.add("out_layer.weight", {shape.n_outputs, shape.n_hidden});
  const size_t out_b = d.params.add("out_layer.bias", {shape.n_outputs});
  assert(in_w == kInWeight && in_b == kInBias && out_w == kOutWeight && out_b == kOutBias);
  (void)in_w, (void)in_b, (void)out_w, (void)out_b;
  d.params.finalize();
  return d;
}

DecoderParams decoder_values(Decoder& d) {
  auto& p = d.params;
  return {p.value_mat(kInWeight), p.value_vec(kInBias), p.value_mat(kOutWeight),
          p.value_vec(kOutBias)};
}

DecoderParamsConst decoder_values(const Decoder& d) {
  const auto& p = d.params;
  return {p.value_mat(kInWeight), p.value_vec(kInBias), p.value_mat(kOutWeight),
          p.value_vec(kOutBias)};
}

DecoderParams decoder_grads(Decoder& d) {
  auto& p = d.params;
  return {p.grad_mat(kInWeight), p.grad_vec(kInBias), p.grad_mat(kOutWeight), p.grad_vec(kOutBias)};
}

std::span<float> decoder_head_values(Decoder& d) {
  return d.params.value_span(kInBias, kOutBias);
}
std::span<float> decoder_head_grads(Decoder& d) {
  return d.params.grad_span(kInBias, kOutBias);
}

void decoder_init_default(Decoder& d, Rng& rng) {
  const DecoderParams v = decoder_values(d);
  linear_init_default(v.in_w, v.in_b, rng);
  linear_init_default(v.out_w, v.out_b, rng);
}

void DecoderWorkspace::resize(int64_t batch, const DecoderShape& s) {
  hidden.resize(batch, s.n_hidden);
  dhidden.resize(batch, s.n_hidden);
  out.resize(batch, s.n_outputs);
  dout.resize(batch, s.n_outputs);
  if (s.kind == DecoderKind::regression) target.resize(batch, 1);
}

void decoder_forward(const Decoder& d, CMatMap x, DecoderWorkspace& ws) {
  const DecoderParamsConst v = decoder_values(d);
  if (ws.hidden.rows() != x.rows()) ws.resize(x.rows(), d.shape);
  linear_forward(map(ws.hidden), x, v.in_w, v.in_b);
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  decoder_forward_head(d, ws);
}

void decoder_forward_head(const Decoder& d, DecoderWorkspace& ws) {
  const DecoderParamsConst v = decoder_values(d);
  linear_forward(map(ws.out), cmap(ws.hidden), v.out_w, v.out_b);
  if (d.shape.kind == DecoderKind::classification) log_softmax_forward(map(ws.out), cmap(ws.out));
}

double decoder_data_loss(const Decoder& d, const DecoderTargets& t, const DecoderWorkspace& ws) {
  if (d.shape.kind == DecoderKind::circular) return mse_loss(cmap(ws.out), cmap(t.unit));
  if (d.shape.kind == DecoderKind::regression) {
    CMatMap target(t.angles.data(), static_cast<int64_t>(t.angles.size()), 1);
    return mse_loss(cmap(ws.out), target);
  }
  return nll_loss(cmap(ws.out), t.classes);
}

double decoder_loss(const Decoder& d, const DecoderTargets& t, const DecoderWorkspace& ws,
                    const Penalty& pen) {
  double loss = decoder_data_loss(d, t, ws);
  if (pen.active()) {
    const CMatMap w = decoder_values(d).in_w;
    loss += penalty_value(w.data(), static_cast<size_t>(w.size()), pen.l1, pen.l2);
  }
  return loss;
}

void decoder_backward_head(Decoder& d, const DecoderTargets& t, DecoderWorkspace& ws) {
  if (d.shape.kind == DecoderKind::circular) {
    mse_loss_backward(map(ws.dout), cmap(ws.out), cmap(t.unit));
  } else if (d.shape.kind == DecoderKind::regression) {
    CMatMap target(t.angles.data(), static_cast<int64_t>(t.angles.size()), 1);
    mse_loss_backward(map(ws.dout), cmap(ws.out), target);
  } else {
    // d(NLL)/d(logp), then through the log-softmax in place
    nll_loss_backward(map(ws.dout), t.classes);
    log_softmax_backward(map(ws.dout), cmap(ws.dout), cmap(ws.out));
  }
  DecoderParams g = decoder_grads(d);
  linear_gradient(g.out_w, g.out_b, cmap(ws.dout), cmap(ws.hidden));
  linear_backward_input(map(ws.dhidden), cmap(ws.dout),
                        std::as_const(d).params.value_mat(kOutWeight));
  relu_backward(map(ws.dhidden), cmap(ws.dhidden), cmap(ws.hidden));
}

void decoder_head_gradient(Decoder& d, const DecoderTargets& t, DecoderWorkspace& ws) {
  const std::span<float> head_grads = decoder_head_grads(d);
  std::fill(head_grads.begin(), head_grads.end(), 0.0f);
  decoder_backward_head(d, t, ws);
  decoder_grads(d).in_b += ws.dhidden.colwise().sum().transpose();
}

void decoder_backward(Decoder& d, CMatMap x, const DecoderTargets& t, DecoderWorkspace& ws,
                      const Penalty& pen) {
  decoder_backward_head(d, t, ws);
  DecoderParams g = decoder_grads(d);
  linear_gradient(g.in_w, g.in_b, cmap(ws.dhidden), x);
  if (pen.active()) {
    MatMap w = decoder_values(d).in_w;
    penalty_gradient(g.in_w.data(), w.data(), static_cast<size_t>(w.size()), pen.l1, pen.l2);
  }
}

std::vector<int32_t> predicted_classes(const RowMat& logp) {
  std::vector<int32_t> c(static_cast<size_t>(logp.rows()));
  for (int64_t i = 0; i < logp.rows(); ++i) {
    Eigen::Index k;
    logp.row(i).maxCoeff(&k);
    c[static_cast<size_t>(i)] = static_cast<int32_t>(k);
  }
  return c;
}

}  // namespace nc::models
