#include "nn/linear.hpp"

#include <cassert>
#include <cmath>

namespace nc {

void linear_forward(MatMap out, CMatMap inp, CMatMap weight, CVecMap bias) {
  // out is (B,O), inp is (B,I), weight is (O,I), bias is (O)
  assert(inp.cols() == weight.cols() && out.rows() == inp.rows() && out.cols() == weight.rows() &&
         bias.size() == weight.rows());
  // noalias: out never overlaps inp/weight, so Eigen skips the temporary and hands the product
  // straight to SGEMM (EIGEN_USE_BLAS).
  out.noalias() = inp * weight.transpose();
  out.rowwise() += bias.transpose();
}

void linear_backward_input(MatMap dinp, CMatMap dout, CMatMap weight) {
  // dinp is (B,I), dout is (B,O), weight is (O,I): dinp = dout W
  assert(dinp.rows() == dout.rows() && dout.cols() == weight.rows() &&
         dinp.cols() == weight.cols());
  dinp.noalias() = dout * weight;
}

void linear_gradient(MatMap dweight, VecMap dbias, CMatMap dout, CMatMap inp) {
  // dweight is (O,I), dbias is (O), dout is (B,O), inp is (B,I)
  assert(dweight.rows() == dout.cols() && dweight.cols() == inp.cols() &&
         dout.rows() == inp.rows() && dbias.size() == dout.cols());
  dweight.noalias() += dout.transpose() * inp;  // (O,B)·(B,I), one SGEMM with beta = 1
  dbias += dout.colwise().sum().transpose();
}

void linear_init_default(MatMap weight, VecMap bias, Rng& rng) {
  // weight is (O,I), bias is (O). PyTorch's kaiming_uniform_(a=sqrt(5)) gives
  // gain = sqrt(2/(1+5)), bound = gain*sqrt(3/fan_in) = 1/sqrt(fan_in): the same interval as
  // the bias, so one bound serves both.
  assert(bias.size() == weight.rows());
  const int64_t fan_in = weight.cols();
  const float bound = fan_in > 0 ? static_cast<float>(1.0 / std::sqrt(double(fan_in))) : 0.0f;
  for (Eigen::Index o = 0; o < weight.rows(); ++o)
    for (Eigen::Index i = 0; i < weight.cols(); ++i) weight(o, i) = rng.uniform(-bound, bound);
  for (Eigen::Index o = 0; o < bias.size(); ++o) bias(o) = rng.uniform(-bound, bound);
}

}  // namespace nc
