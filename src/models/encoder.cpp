#include "models/encoder.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>

#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "sim/stimuli.hpp"

namespace nc::models {
Encoder encoder_create(const EncoderShape& s) {
  if (s.kernel % 2 == 0 || s.kernel < 1)
    throw std::invalid_argument("encoder kernel size must be odd, got " + std::to_string(s.kernel));
  Encoder e;
  e.shape = s;
  const size_t cw = e.params.add("conv.weight", {s.channels, 1, s.kernel, s.kernel});
  const size_t cb = e.params.add("conv.bias", {s.channels});
  const size_t ow = e.params.add("out_layer.weight", {s.n_neurons, s.features()});
  const size_t ob = e.params.add("out_layer.bias", {s.n_neurons});
  assert(cw == kConvWeight && cb == kConvBias && ow == kEncOutWeight && ob == kEncOutBias);
  (void)cw, (void)cb, (void)ow, (void)ob;
  e.params.finalize();
  return e;
}

EncoderParams encoder_values(Encoder& e) {
  auto& p = e.params;
  return {p.value_vec(kConvWeight).data(), p.value_vec(kConvBias).data(),
          p.value_mat(kEncOutWeight), p.value_vec(kEncOutBias)};
}

EncoderParams encoder_grads(Encoder& e) {
  auto& p = e.params;
  return {p.grad_vec(kConvWeight).data(), p.grad_vec(kConvBias).data(), p.grad_mat(kEncOutWeight),
          p.grad_vec(kEncOutBias)};
}

std::span<float> encoder_conv_values(Encoder& e) {
  return e.params.value_span(kConvWeight, kConvBias);
}
std::span<float> encoder_conv_grads(Encoder& e) {
  return e.params.grad_span(kConvWeight, kConvBias);
}

void encoder_init(Encoder& e, EncoderFilters filters, Rng& rng) {
  EncoderParams v = encoder_values(e);
  conv2d_init_default(v.conv_w, v.conv_b, e.shape.conv(1), rng);
  linear_init_default(v.out_w, v.out_b, rng);
  if (filters == EncoderFilters::seed) {
    const std::vector<float> bank = sim::filter_bank(e.shape.channels, e.shape.kernel);
    std::copy(bank.begin(), bank.end(), v.conv_w);
    std::fill(v.conv_b, v.conv_b + e.shape.channels, 0.0f);
  }
  float* w = v.out_w.data();
  const int64_t n = v.out_w.size();
  for (int64_t i = 0; i < n; ++i) w[i] = static_cast<float>(0.01 * rng.normal());
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
  conv2d_forward(ws.features.data(), images, p.value_vec(kConvWeight).data(),
                 p.value_vec(kConvBias).data(), e.shape.conv(static_cast<int>(batch)));
  linear_forward(map(ws.out), cmap(ws.features), p.value_mat(kEncOutWeight),
                 p.value_vec(kEncOutBias));
}

double encoder_loss(const Encoder& e, CMatMap target, const EncoderWorkspace& ws, float l1,
                    float l2) {
  double loss = mse_loss(cmap(ws.out), target);
  if (l1 != 0.0f || l2 != 0.0f) {
    const CMatMap w = e.params.value_mat(kEncOutWeight);
    loss += penalty_value(w.data(), static_cast<size_t>(w.size()), l1, l2);
  }
  return loss;
}

void encoder_backward(Encoder& e, const float* images, int64_t batch, CMatMap target,
                      EncoderWorkspace& ws, float l1, float l2) {
  EncoderParams g = encoder_grads(e);
  mse_loss_backward(map(ws.dout), cmap(ws.out), target);
  linear_gradient(g.out_w, g.out_b, cmap(ws.dout), cmap(ws.features));
  linear_backward_input(map(ws.dfeatures), cmap(ws.dout),
                        std::as_const(e.params).value_mat(kEncOutWeight));
  conv2d_gradient(g.conv_w, g.conv_b, ws.dfeatures.data(), images,
                  e.shape.conv(static_cast<int>(batch)));
  if (l1 != 0.0f || l2 != 0.0f) {
    const float* w = std::as_const(e.params).value_mat(kEncOutWeight).data();
    penalty_gradient(g.out_w.data(), w, static_cast<size_t>(g.out_w.size()), l1, l2);
  }
}

}  // namespace nc::models
