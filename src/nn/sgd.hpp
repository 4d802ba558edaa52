#pragma once
// Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD, dampening 0, no
// Nesterov, no weight decay): with momentum mu, v = g on the first step, v = mu*v + g after;
// p -= lr * v. Without momentum, p -= lr * g. It sees only flat arrays: it knows nothing of
// layers.
#include <cstddef>
#include <span>
#include <vector>

namespace nc {

struct SgdOptions {
  float lr = 0.1f;
  float momentum = 0.0f;
};

struct SgdState {
  std::vector<float> velocity;  // empty until the first step with momentum
  long steps = 0;
};

// params and grads have the same length; state.velocity is sized on the first momentum step
void sgd_step(std::span<float> params, std::span<const float> grads, SgdState& state,
              const SgdOptions& opt);

}  // namespace nc
