#include "nn/sgd.hpp"

#include <stdexcept>
#include <vector>

namespace nc {

void sgd_step(std::span<float> params, std::span<const float> grads, SgdState& state,
              const SgdOptions& opt) {
  // params and grads are (n); state.velocity is (n) once momentum has been used
  const size_t n = params.size();
  if (grads.size() != n) throw std::invalid_argument("sgd_step: params and grads differ in size");
  // PyTorch's p.add_(v, alpha=-lr), written in the same form p + (-lr)*v. (With -march=native
  // the compiler may fuse it into one FMA, as PyTorch's vectorised add_ does.)
  const float neg_lr = -opt.lr;
  if (opt.momentum == 0.0f) {
    for (size_t i = 0; i < n; ++i) params[i] += neg_lr * grads[i];
  } else {
    std::vector<float>& v = state.velocity;
    if (v.empty()) {
      // PyTorch's first step: momentum_buffer = clone(grad), not mu*0 + g.
      v.assign(grads.begin(), grads.end());
    } else {
      if (v.size() != n) throw std::invalid_argument("sgd_step: velocity size differs from params");
      const float mu = opt.momentum;
      for (size_t i = 0; i < n; ++i) v[i] = mu * v[i] + grads[i];  // buf.mul_(mu).add_(g)
    }
    for (size_t i = 0; i < n; ++i) params[i] += neg_lr * v[i];
  }
  ++state.steps;
}

}  // namespace nc
