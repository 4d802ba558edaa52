#pragma once
// The one element-wise update rule of every trainer: the L1/L2 penalty's (sub)gradient added to
// the data gradient, PyTorch's SGD momentum, and the step,
//   g' = g + 2 l2 w + l1 sign(w)            sign(0) = 0, PyTorch's subgradient of |w|
//   v  = g' on the first step, mu v + g' after   (torch.optim.SGD, dampening 0)
//   w  = w - lr v                               (w - lr g' without momentum)
// written once, with explicit fused multiply-adds. The plain path (penalty_gradient, then
// sgd_step), the fused blocked steps (train/) and the scalar columns of the hand-written
// kernels (nn/wide_linear_kernels.cpp) all call these functions; the kernels' vector code
// spells the same FMAs in intrinsics and tests pin it to these bit for bit. Explicit FMAs make
// the result independent of the compiler's contraction setting (GCC contracts a*b + c by
// default for C++; the kernels' file is compiled without it).
#include <cmath>
#include <cstdint>

namespace nc {

struct SgdOptions {
  float lr = 0.1f;
  float momentum = 0.0f;  // mu; 0 = plain SGD, no velocity kept
  float l1 = 0.0f;        // penalty on the weights this rule is applied to (0 elsewhere)
  float l2 = 0.0f;
};

// g + 2 l2 w + l1 sign(w). With l1 = l2 = 0 it returns g exactly.
inline float penalised_gradient(float w, float g, float l1, float l2) {
  const float s = static_cast<float>(w > 0.0f) - static_cast<float>(w < 0.0f);
  return std::fma(l1, s, std::fma(l2, 2.0f * w, g));
}

// The velocity after a step: g on the first step, else mu v + g.
inline float momentum_velocity(float v, float g, float mu, bool first) {
  return first ? g : std::fma(mu, v, g);
}

// w - lr v, as PyTorch's p.add_(v, alpha=-lr), with neg_lr = -lr.
inline float sgd_apply(float w, float v, float neg_lr) {
  return std::fma(neg_lr, v, w);
}

// The whole rule over m contiguous elements: w (m) updated, v (m) the velocity (null without
// momentum), g (m) the data gradient. Templated so the inner loop has no branch and vectorises.
template <bool kMomentum, bool kFirst>
void sgd_update_block(float* __restrict w, float* __restrict v, const float* __restrict g,
                      int64_t m, const SgdOptions& o) {
  const float neg_lr = -o.lr, mu = o.momentum, l1 = o.l1, l2 = o.l2;
  for (int64_t i = 0; i < m; ++i) {
    const float gi = penalised_gradient(w[i], g[i], l1, l2);
    if constexpr (kMomentum) {
      const float vi = momentum_velocity(v[i], gi, mu, kFirst);
      v[i] = vi;
      w[i] = sgd_apply(w[i], vi, neg_lr);
    } else {
      w[i] = sgd_apply(w[i], gi, neg_lr);
    }
  }
}

// The same rule out of place: reads w_in (m) and v_in (m, unread on the first step or without
// momentum) and writes w_out, v_out, which must not overlap them. The state before the step
// stays in w_in/v_in, so a step can be undone without a copy.
template <bool kMomentum, bool kFirst>
void sgd_update_block_to(const float* __restrict w_in, const float* __restrict v_in,
                         float* __restrict w_out, float* __restrict v_out,
                         const float* __restrict g, int64_t m, const SgdOptions& o) {
  const float neg_lr = -o.lr, mu = o.momentum, l1 = o.l1, l2 = o.l2;
  for (int64_t i = 0; i < m; ++i) {
    const float wi = w_in[i];
    const float gi = penalised_gradient(wi, g[i], l1, l2);
    if constexpr (kMomentum) {
      const float vi = momentum_velocity(kFirst ? 0.0f : v_in[i], gi, mu, kFirst);
      v_out[i] = vi;
      w_out[i] = sgd_apply(wi, vi, neg_lr);
    } else {
      w_out[i] = sgd_apply(wi, gi, neg_lr);
    }
  }
}

// sgd_update_block_to with the momentum case chosen at run time.
inline void sgd_update_to(const float* w_in, const float* v_in, float* w_out, float* v_out,
                          const float* g, int64_t m, const SgdOptions& o, bool first) {
  if (o.momentum == 0.0f)
    sgd_update_block_to<false, false>(w_in, nullptr, w_out, nullptr, g, m, o);
  else if (first)
    sgd_update_block_to<true, true>(w_in, nullptr, w_out, v_out, g, m, o);
  else
    sgd_update_block_to<true, false>(w_in, v_in, w_out, v_out, g, m, o);
}

// sgd_update_block with the momentum case chosen at run time: v must be non-null when
// o.momentum != 0; `first` says whether v holds no velocity yet.
inline void sgd_update(float* w, float* v, const float* g, int64_t m, const SgdOptions& o,
                       bool first) {
  if (o.momentum == 0.0f)
    sgd_update_block<false, false>(w, nullptr, g, m, o);
  else if (first)
    sgd_update_block<true, true>(w, v, g, m, o);
  else
    sgd_update_block<true, false>(w, v, g, m, o);
}

}  // namespace nc
