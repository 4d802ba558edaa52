#include "nn/activations.hpp"

#include <cassert>
#include <cmath>
#include <vector>

namespace nc {

void relu_forward(MatMap out, CMatMap inp) {
  // out and inp are (B,D), possibly the same memory: element-wise, so aliasing is safe.
  assert(out.rows() == inp.rows() && out.cols() == inp.cols());
  const Eigen::Index n = inp.size();
  const float* x = inp.data();
  float* y = out.data();
  // `x < 0 ? 0 : x` rather than max(): NaN propagates, as torch.relu does.
  for (Eigen::Index i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void relu_backward(MatMap dinp, CMatMap dout, CMatMap out) {
  // dinp, dout and out are (B,D). PyTorch's threshold_backward: out <= 0 -> 0, so the
  // gradient at exactly 0 is 0.
  assert(dinp.size() == dout.size() && dout.size() == out.size());
  const Eigen::Index n = out.size();
  const float* g = dout.data();
  const float* y = out.data();
  float* d = dinp.data();
  for (Eigen::Index i = 0; i < n; ++i) d[i] = y[i] <= 0.0f ? 0.0f : g[i];
}

void log_softmax_forward(MatMap out, CMatMap inp) {
  // out and inp are (B,C). out[b,c] = (x[b,c] - m_b) - log(sum_c exp(x[b,c] - m_b)),
  // m_b = max_c x[b,c], so exp never overflows and the largest term is exp(0) = 1.
  // The sum of exponentials is accumulated in double (PyTorch uses float): it keeps the result
  // independent of summation order and at least as accurate; the output is rounded to float.
  // The exponentials are taken over the whole (B,C) block at once with Eigen's vectorised exp:
  // row by row, C = 20 leaves a scalar tail, and scalar exp was a quarter of a decoder iteration.
  assert(out.rows() == inp.rows() && out.cols() == inp.cols());
  const Eigen::Index B = inp.rows(), C = inp.cols();
  // Scratch reused between calls (no allocation per iteration). Eigen's own, aligned buffers:
  // Eigen evaluates the first elements before an aligned address with scalar exp and the rest
  // with its vector exp, which round differently, so writing into `out` would make the result
  // depend on where out happens to lie.
  thread_local RowMat shifted, e;        // (B,C) x - m and exp(x - m)
  thread_local std::vector<double> lse;  // (B)
  shifted.resize(B, C);
  lse.resize(static_cast<size_t>(B));
  for (Eigen::Index b = 0; b < B; ++b) {
    const float* x = inp.data() + b * C;
    float m = x[0];
    for (Eigen::Index c = 1; c < C; ++c) m = x[c] > m ? x[c] : m;
    float* t = shifted.data() + b * C;
    for (Eigen::Index c = 0; c < C; ++c) t[c] = x[c] - m;
  }
  e = shifted.array().exp().matrix();
  for (Eigen::Index b = 0; b < B; ++b) {
    const float* eb = e.data() + b * C;
    double sum = 0.0;
    for (Eigen::Index c = 0; c < C; ++c) sum += eb[c];
    lse[static_cast<size_t>(b)] = std::log(sum);
  }
  // every read of inp is done: out may alias it
  for (Eigen::Index b = 0; b < B; ++b) {
    const float l = static_cast<float>(lse[static_cast<size_t>(b)]);
    const float* t = shifted.data() + b * C;
    float* y = out.data() + b * C;
    for (Eigen::Index c = 0; c < C; ++c) y[c] = t[c] - l;
  }
}

void log_softmax_backward(MatMap dinp, CMatMap dout, CMatMap out) {
  // dinp, dout and out are (B,C). With s = softmax = exp(out):
  // dinp[b,j] = dout[b,j] - s[b,j] * sum_c dout[b,c]
  // dinp may alias dout: each element of a row is read before it is written.
  assert(dinp.rows() == dout.rows() && dinp.cols() == dout.cols() && out.rows() == dout.rows() &&
         out.cols() == dout.cols());
  const Eigen::Index B = dout.rows(), C = dout.cols();
  thread_local RowMat softmax;  // (B,C) exp(out), vectorised over the whole block, into an
                                // aligned buffer (see log_softmax_forward)
  softmax = out.array().exp().matrix();
  for (Eigen::Index b = 0; b < B; ++b) {
    const float* g = dout.data() + b * C;
    double sum = 0.0;
    for (Eigen::Index c = 0; c < C; ++c) sum += g[c];
    const float s = static_cast<float>(sum);
    const float* e = softmax.data() + b * C;
    float* d = dinp.data() + b * C;
    for (Eigen::Index c = 0; c < C; ++c)
      d[c] = g[c] - e[c] * s;  // g[c] read before d[c] is written
  }
}

}  // namespace nc
