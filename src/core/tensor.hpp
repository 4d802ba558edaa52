#pragma once
// Matrix types used across neurocodec. Row-major, one sample per row, like PyTorch and like a
// C-order .npy file, so a (n_stimuli x n_neurons) response matrix maps onto numpy memory as is.
#include <Eigen/Dense>

namespace nc {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;

using MatMap = Eigen::Map<RowMat>;
using CMatMap = Eigen::Map<const RowMat>;
using VecMap = Eigen::Map<Vec>;
using CVecMap = Eigen::Map<const Vec>;

}  // namespace nc
