#include "nn/sgd.hpp"

#include <stdexcept>

namespace nc {

void sgd_step(std::span<float> params, std::span<const float> grads, SgdState& state,
              const SgdOptions& opt) {
  // params and grads are (n); state.velocity is (n) once momentum has been used
  const size_t n = params.size();
  if (grads.size() != n) throw std::invalid_argument("sgd_step: params and grads differ in size");
  if (opt.l1 != 0.0f || opt.l2 != 0.0f)
    throw std::invalid_argument("sgd_step: the penalty belongs in the gradient (penalty_gradient)");
  // PyTorch's first momentum step: momentum_buffer = clone(grad), not mu*0 + g.
  const bool first = state.velocity.empty();
  if (opt.momentum != 0.0f) {
    if (first)
      state.velocity.resize(n);
    else if (state.velocity.size() != n)
      throw std::invalid_argument("sgd_step: velocity size differs from params");
  }
  sgd_update(params.data(), state.velocity.data(), grads.data(), static_cast<int64_t>(n), opt,
             first);
}

}  // namespace nc
