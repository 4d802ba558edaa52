#pragma once
// Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD, dampening 0, no
// Nesterov, no weight decay) over one flat array: it knows nothing of layers. The element-wise
// rule is nn/update_rule.hpp's, shared with the fused steps and the hand-written kernels.
#include <cstddef>
#include <span>
#include <vector>

#include "nn/update_rule.hpp"

namespace nc {

struct SgdState {
  std::vector<float> velocity;  // empty until the first step with momentum
  long steps = 0;               // completed steps (the training loop counts them)
};

// params and grads have the same length; grads already hold any penalty term (penalty_gradient),
// so opt.l1 and opt.l2 must be 0 here. state.velocity is sized on the first momentum step.
void sgd_step(std::span<float> params, std::span<const float> grads, SgdState& state,
              const SgdOptions& opt);

}  // namespace nc
