#pragma once
// Losses with PyTorch's mean reduction, and the weight penalties of the tutorial.
// Values are accumulated in double (they feed reported metrics); gradients are float.
#include <cstdint>
#include <span>

#include "core/tensor.hpp"

namespace nc {

// mean((pred - target)^2) over all B*D elements. pred and target are (B,D)
double mse_loss(CMatMap pred, CMatMap target);
// dpred (B,D) (written) = 2 (pred - target) / (B*D)
void mse_loss_backward(MatMap dpred, CMatMap pred, CMatMap target);

// -mean_b logp[b, target[b]]. logp is (B,C), target is (B) with values in [0, C)
double nll_loss(CMatMap logp, std::span<const int32_t> target);
// dlogp (B,C) (written): -1/B at (b, target[b]), 0 elsewhere
void nll_loss_backward(MatMap dlogp, std::span<const int32_t> target);

// The sums a penalty term needs, accumulated in double by the blocked passes that also update
// or read the weights (so the loss needs no extra pass over them).
struct WeightSums {
  double sum_sq = 0;   // Σ w²
  double sum_abs = 0;  // Σ |w|
};

// l2 * sum(w^2) + l1 * sum(|w|), w is any flat array of n values
double penalty_value(const float* w, size_t n, float l1, float l2);
// dw (+=) 2*l2*w + l1*sign(w), with sign(0) = 0 (PyTorch's subgradient of abs)
void penalty_gradient(float* dw, const float* w, size_t n, float l1, float l2);

}  // namespace nc
