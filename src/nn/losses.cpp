#include "nn/losses.hpp"

#include <cassert>
#include <cmath>

#include "nn/update_rule.hpp"

namespace nc {

double mse_loss(CMatMap pred, CMatMap target) {
  // pred and target are (B,D)
  assert(pred.rows() == target.rows() && pred.cols() == target.cols());
  const Eigen::Index n = pred.size();
  if (n == 0) return 0.0;
  double sum = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double d = double(pred.data()[i]) - double(target.data()[i]);
    sum += d * d;
  }
  return sum / double(n);
}

void mse_loss_backward(MatMap dpred, CMatMap pred, CMatMap target) {
  // dpred, pred and target are (B,D)
  assert(dpred.size() == pred.size() && pred.rows() == target.rows() &&
         pred.cols() == target.cols());
  const Eigen::Index n = pred.size();
  if (n == 0) return;
  const float scale = 2.0f / static_cast<float>(n);
  for (Eigen::Index i = 0; i < n; ++i)
    dpred.data()[i] = scale * (pred.data()[i] - target.data()[i]);
}

double nll_loss(CMatMap logp, std::span<const int32_t> target) {
  // logp is (B,C), target is (B)
  assert(size_t(logp.rows()) == target.size());
  const Eigen::Index B = logp.rows();
  if (B == 0) return 0.0;
  double sum = 0.0;
  for (Eigen::Index b = 0; b < B; ++b) {
    assert(target[b] >= 0 && target[b] < logp.cols());
    sum += logp(b, target[b]);
  }
  return -sum / double(B);
}

void nll_loss_backward(MatMap dlogp, std::span<const int32_t> target) {
  // dlogp is (B,C), target is (B)
  assert(size_t(dlogp.rows()) == target.size());
  const Eigen::Index B = dlogp.rows();
  dlogp.setZero();
  if (B == 0) return;
  const float g = -1.0f / static_cast<float>(B);
  for (Eigen::Index b = 0; b < B; ++b) {
    assert(target[b] >= 0 && target[b] < dlogp.cols());
    dlogp(b, target[b]) = g;
  }
}

double penalty_value(const float* w, size_t n, float l1, float l2) {
  double value = 0.0;
  if (l2 != 0.0f) {
    double sq = 0.0;
    for (size_t i = 0; i < n; ++i) sq += double(w[i]) * double(w[i]);
    value += double(l2) * sq;
  }
  if (l1 != 0.0f) {
    double ab = 0.0;
    for (size_t i = 0; i < n; ++i) ab += std::fabs(double(w[i]));
    value += double(l1) * ab;
  }
  return value;
}

void penalty_gradient(float* dw, const float* w, size_t n, float l1, float l2) {
  // The update rule's first part (nn/update_rule.hpp), so the plain path and the fused ones add
  // the penalty with the same operations. A zero factor adds exactly nothing: dw stays
  // bit-identical to a run without the penalty, as PyTorch's when the term is never built.
  if (l1 == 0.0f && l2 == 0.0f) return;
  for (size_t i = 0; i < n; ++i) dw[i] = penalised_gradient(w[i], dw[i], l1, l2);
}

}  // namespace nc
