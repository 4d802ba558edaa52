#pragma once
// Matrix types used across neurocodec. Row-major, one sample per row, like PyTorch and like a
// C-order .npy file, so a (n_stimuli x n_neurons) response matrix maps onto numpy memory as is.
#include <Eigen/Dense>
#include <vector>

namespace nc {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;

using MatMap = Eigen::Map<RowMat>;
using CMatMap = Eigen::Map<const RowMat>;
using VecMap = Eigen::Map<Vec>;
using CVecMap = Eigen::Map<const Vec>;

// A float buffer aligned as Eigen aligns its own matrices. Some vectorised kernels choose their
// summation order by the address's alignment; keeping every buffer aligned the same way makes
// results bit-identical from run to run (and across a checkpoint and resume).
using AlignedFloats = std::vector<float, Eigen::aligned_allocator<float>>;

// Maps over a whole matrix, for the kernels' Map arguments.
inline CMatMap cmap(const RowMat& m) {
  return CMatMap(m.data(), m.rows(), m.cols());
}
inline MatMap map(RowMat& m) {
  return MatMap(m.data(), m.rows(), m.cols());
}

}  // namespace nc
