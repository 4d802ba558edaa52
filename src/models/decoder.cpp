#include "models/decoder.hpp"

#include <cassert>

#include "nn/activations.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"

namespace nc::models {

Decoder decoder_create(const DecoderShape& shape) {
  Decoder d;
  d.shape = shape;
  d.params.add("in_layer.weight", {shape.n_hidden, shape.n_inputs});
  d.params.add("in_layer.bias", {shape.n_hidden});
  d.params.add("out_layer.weight", {shape.n_outputs, shape.n_hidden});
  d.params.add("out_layer.bias", {shape.n_outputs});
  d.params.finalize();
  return d;
}

void decoder_init_default(Decoder& d, Rng& rng) {
  linear_init_default(d.params.value_mat("in_layer.weight"), d.params.value_vec("in_layer.bias"), rng);
  linear_init_default(d.params.value_mat("out_layer.weight"), d.params.value_vec("out_layer.bias"), rng);
}

void DecoderWorkspace::resize(int64_t batch, const DecoderShape& s) {
  hidden.resize(batch, s.n_hidden);
  dhidden.resize(batch, s.n_hidden);
  out.resize(batch, s.n_outputs);
  dout.resize(batch, s.n_outputs);
  if (s.kind == DecoderKind::regression) target.resize(batch, 1);
}

namespace {
CVecMap cvec(const ParameterSet& p, const char* name) {
  const auto& v = p.view(name);
  return CVecMap(p.values.data() + v.offset, static_cast<int64_t>(v.size));
}
CMatMap cmat(const ParameterSet& p, const char* name) { return p.value_mat(name); }
}  // namespace

void decoder_forward(const Decoder& d, CMatMap x, DecoderWorkspace& ws) {
  const auto& p = d.params;
  if (ws.hidden.rows() != x.rows()) ws.resize(x.rows(), d.shape);
  linear_forward(map(ws.hidden), x, cmat(p, "in_layer.weight"), cvec(p, "in_layer.bias"));
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  linear_forward(map(ws.out), cmap(ws.hidden), cmat(p, "out_layer.weight"), cvec(p, "out_layer.bias"));
  if (d.shape.kind == DecoderKind::classification) log_softmax_forward(map(ws.out), cmap(ws.out));
}

double decoder_loss(const Decoder& d, const DecoderTargets& t, const DecoderWorkspace& ws,
                    const Penalty& pen) {
  double loss;
  if (d.shape.kind == DecoderKind::regression) {
    CMatMap target(t.angles.data(), static_cast<int64_t>(t.angles.size()), 1);
    loss = mse_loss(cmap(ws.out), target);
  } else {
    loss = nll_loss(cmap(ws.out), t.classes);
  }
  if (pen.active()) {
    const auto& v = d.params.view("in_layer.weight");
    loss += penalty_value(d.params.values.data() + v.offset, v.size, pen.l1, pen.l2);
  }
  return loss;
}

void decoder_backward_head(Decoder& d, const DecoderTargets& t, DecoderWorkspace& ws) {
  auto& p = d.params;
  if (d.shape.kind == DecoderKind::regression) {
    CMatMap target(t.angles.data(), static_cast<int64_t>(t.angles.size()), 1);
    mse_loss_backward(map(ws.dout), cmap(ws.out), target);
  } else {
    // d(NLL)/d(logp), then through the log-softmax in place
    nll_loss_backward(map(ws.dout), t.classes);
    log_softmax_backward(map(ws.dout), cmap(ws.dout), cmap(ws.out));
  }
  linear_gradient(p.grad_mat("out_layer.weight"), p.grad_vec("out_layer.bias"), cmap(ws.dout),
                  cmap(ws.hidden));
  linear_backward_input(map(ws.dhidden), cmap(ws.dout), cmat(p, "out_layer.weight"));
  relu_backward(map(ws.dhidden), cmap(ws.dhidden), cmap(ws.hidden));
}

void decoder_backward(Decoder& d, CMatMap x, const DecoderTargets& t, DecoderWorkspace& ws,
                      const Penalty& pen) {
  decoder_backward_head(d, t, ws);
  auto& p = d.params;
  linear_gradient(p.grad_mat("in_layer.weight"), p.grad_vec("in_layer.bias"), cmap(ws.dhidden), x);
  if (pen.active()) {
    const auto& v = p.view("in_layer.weight");
    penalty_gradient(p.grads.data() + v.offset, p.values.data() + v.offset, v.size, pen.l1, pen.l2);
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
