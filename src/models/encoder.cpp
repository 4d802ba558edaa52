#include "models/encoder.hpp"

#include <stdexcept>
#include <utility>

#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "sim/stimuli.hpp"

namespace nc::models {
namespace {
}  // namespace

Encoder encoder_create(const EncoderShape& s) {
  if (s.kernel % 2 == 0 || s.kernel < 1)
    throw std::invalid_argument("encoder kernel size must be odd, got " + std::to_string(s.kernel));
  Encoder e;
  e.shape = s;
  e.params.add("conv.weight", {s.channels, 1, s.kernel, s.kernel});
  e.params.add("conv.bias", {s.channels});
  e.params.add("out_layer.weight", {s.n_neurons, s.features()});
  e.params.add("out_layer.bias", {s.n_neurons});
  e.params.finalize();
  return e;
}

void encoder_init(Encoder& e, EncoderFilters filters, Rng& rng) {
  auto& p = e.params;
  conv2d_init_default(p.value("conv.weight"), p.value("conv.bias"), e.shape.conv(1), rng);
  linear_init_default(p.value_mat("out_layer.weight"), p.value_vec("out_layer.bias"), rng);
  if (filters == EncoderFilters::seed) {
    const std::vector<float> bank = sim::filter_bank(e.shape.channels, e.shape.kernel);
    std::copy(bank.begin(), bank.end(), p.value("conv.weight"));
    p.value_vec("conv.bias").setZero();
  }
  float* w = p.value("out_layer.weight");
  const size_t n = p.view("out_layer.weight").size;
  for (size_t i = 0; i < n; ++i) w[i] = static_cast<float>(0.01 * rng.normal());
}

void EncoderWorkspace::resize(int64_t batch, const EncoderShape& s) {
  features.resize(batch, s.features());
  dfeatures.resize(batch, s.features());
  out.resize(batch, s.n_neurons);
  dout.resize(batch, s.n_neurons);
}

void encoder_forward(const Encoder& e, const float* images, int64_t batch, EncoderWorkspace& ws) {
  if (ws.out.rows() != batch) ws.resize(batch, e.shape);
  const auto& p = e.params;
  conv2d_forward(ws.features.data(), images, p.value("conv.weight"), p.value("conv.bias"),
                 e.shape.conv(static_cast<int>(batch)));
  const auto& wv = p.view("out_layer.bias");
  linear_forward(map(ws.out), cmap(ws.features), p.value_mat("out_layer.weight"),
                 CVecMap(p.values.data() + wv.offset, static_cast<int64_t>(wv.size)));
}

double encoder_loss(const Encoder& e, CMatMap target, const EncoderWorkspace& ws, float l1, float l2) {
  double loss = mse_loss(cmap(ws.out), target);
  if (l1 != 0.0f || l2 != 0.0f) {
    const auto& v = e.params.view("out_layer.weight");
    loss += penalty_value(e.params.values.data() + v.offset, v.size, l1, l2);
  }
  return loss;
}

void encoder_backward(Encoder& e, const float* images, int64_t batch, CMatMap target,
                      EncoderWorkspace& ws, float l1, float l2) {
  auto& p = e.params;
  mse_loss_backward(map(ws.dout), cmap(ws.out), target);
  linear_gradient(p.grad_mat("out_layer.weight"), p.grad_vec("out_layer.bias"), cmap(ws.dout),
                  cmap(ws.features));
  linear_backward_input(map(ws.dfeatures), cmap(ws.dout), std::as_const(p).value_mat("out_layer.weight"));
  conv2d_gradient(p.grad("conv.weight"), p.grad("conv.bias"), ws.dfeatures.data(), images,
                  e.shape.conv(static_cast<int>(batch)));
  if (l1 != 0.0f || l2 != 0.0f) {
    const auto& v = p.view("out_layer.weight");
    penalty_gradient(p.grads.data() + v.offset, p.values.data() + v.offset, v.size, l1, l2);
  }
}

}  // namespace nc::models
