#include "models/linear_decoder.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "core/error.hpp"
#include "nn/gram.hpp"

extern "C" {
// LAPACK from OpenBLAS (the BLAS the build links): Cholesky factorisation and solve.
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
void spotrs_(const char* uplo, const int* n, const int* nrhs, const float* a, const int* lda,
             float* b, const int* ldb, int* info);
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info);
}

namespace nc::models {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

double wrap_positive(double a, double period) {  // np.remainder(a, P) for P > 0
  double r = std::fmod(a, period);
  if (r < 0) r += period;
  return r;
}

}  // namespace

RowMatD periodic_targets(const std::vector<float>& angles, double period) {
  RowMatD y(static_cast<int64_t>(angles.size()), 2);
  for (size_t i = 0; i < angles.size(); ++i) {
    const double phase = kTwoPi * wrap_positive(angles[i], period) / period;
    y(static_cast<int64_t>(i), 0) = std::cos(phase);
    y(static_cast<int64_t>(i), 1) = std::sin(phase);
  }
  return y;
}

void zscore_rows(RowMatD& y) {
  for (int64_t i = 0; i < y.rows(); ++i) {
    const double mean = y.row(i).mean();
    y.row(i).array() -= mean;
    const double sd = std::sqrt(y.row(i).squaredNorm() / static_cast<double>(y.cols()));
    y.row(i) /= sd;
  }
}

RowMatD vonmises_targets(const std::vector<float>& angles, double period) {
  const double sigma = 0.1 * 360.0 / period;
  RowMatD y(static_cast<int64_t>(angles.size()), kVonMisesBasis);
  for (size_t i = 0; i < angles.size(); ++i) {
    const double theta = wrap_positive(angles[i], period);
    for (int j = 0; j < kVonMisesBasis; ++j) {
      const double centre = j * period / kVonMisesBasis;
      y(static_cast<int64_t>(i), j) =
          std::exp((std::cos(kTwoPi * (theta - centre) / period) - 1.0) / sigma);
    }
  }
  zscore_rows(y);
  return y;
}

std::vector<double> angles_from_unit(const RowMatD& out, double period) {
  std::vector<double> a(static_cast<size_t>(out.rows()));
  for (int64_t i = 0; i < out.rows(); ++i)
    a[static_cast<size_t>(i)] =
        wrap_positive(std::atan2(out(i, 1), out(i, 0)) * period / kTwoPi, period);
  return a;
}

RowMatD vonmises_upsampling(int n_basis, int up) {
  const auto kernel = [n_basis](double a, double b) {
    const double d = std::abs(a - b);
    const double c = std::min(d, n_basis - d);  // circular distance in basis steps
    return std::exp(-c * c / 2.0);
  };
  Eigen::MatrixXd kxx(n_basis, n_basis);
  for (int i = 0; i < n_basis; ++i)
    for (int j = 0; j < n_basis; ++j) kxx(i, j) = kernel(i, j);
  RowMatD kyx(static_cast<int64_t>(n_basis) * up, n_basis);
  for (int64_t k = 0; k < kyx.rows(); ++k)
    for (int j = 0; j < n_basis; ++j) kyx(k, j) = kernel(static_cast<double>(k) / up, j);
  return kyx * kxx.inverse();
}

std::vector<double> vonmises_decode(const RowMatD& outputs, double period,
                                    std::vector<int64_t>* argmax) {
  static const RowMatD kup = vonmises_upsampling();  // (4800, 48), the same for every call
  const RowMatD fine = outputs * kup.transpose();    // (n, 4800)
  std::vector<double> a(static_cast<size_t>(outputs.rows()));
  if (argmax != nullptr) argmax->resize(a.size());
  for (int64_t i = 0; i < fine.rows(); ++i) {
    Eigen::Index k;
    fine.row(i).maxCoeff(&k);  // the first maximum, as np.argmax
    a[static_cast<size_t>(i)] = static_cast<double>(k) / static_cast<double>(fine.cols()) * period;
    if (argmax != nullptr) (*argmax)[static_cast<size_t>(i)] = k;
  }
  return a;
}

RowMatD ridge_dual_solve(const RowMat& k, const RowMatD& y, double alpha) {
  Eigen::MatrixXd a = k.cast<double>();  // (n, n) column-major for LAPACK; symmetric
  a.diagonal().array() += alpha;
  return ridge_dual_solve_lower(a, y);
}

RowMatD ridge_dual_solve_lower(Eigen::MatrixXd& a, const RowMatD& y) {
  const int n = static_cast<int>(a.rows()), nrhs = static_cast<int>(y.cols());
  Eigen::MatrixXd b = y;  // (n, T) column-major
  int info = 0;
  const char uplo = 'L';
  dpotrf_(&uplo, &n, a.data(), &n, &info);
  if (info == 0) dpotrs_(&uplo, &n, &nrhs, a.data(), &n, b.data(), &n, &info);
  if (info != 0)
    throw InputError(
        "ridge: the Gram matrix plus lambda*n_train is not positive definite (LAPACK info " +
        std::to_string(info) + "); the responses may hold huge or non-finite values");
  return b;
}

RowMatD ridge_dual_solve_mixed(const Eigen::MatrixXd& a, const RowMatD& y, Eigen::MatrixXf& factor,
                               int refinements) {
  const int n = static_cast<int>(a.rows()), nrhs = static_cast<int>(y.cols());
  const char uplo = 'L';
  int info = 0;
  factor = a.triangularView<Eigen::Lower>().toDenseMatrix().cast<float>();
  spotrf_(&uplo, &n, factor.data(), &n, &info);
  const auto solve = [&](const Eigen::MatrixXd& rhs) {  // (n, T) through the float factor
    Eigen::MatrixXf b = rhs.cast<float>();
    if (info == 0) spotrs_(&uplo, &n, &nrhs, factor.data(), &n, b.data(), &n, &info);
    return Eigen::MatrixXd(b.cast<double>());
  };
  const Eigen::MatrixXd y_col = y;
  Eigen::MatrixXd x = solve(y_col);
  for (int it = 0; it < refinements && info == 0; ++it) {
    const Eigen::MatrixXd residual = y_col - a.selfadjointView<Eigen::Lower>() * x;  // in double
    x += solve(residual);
  }
  if (info != 0)
    throw InputError(
        "ridge: the Gram matrix plus lambda*n_train is not positive definite (LAPACK info " +
        std::to_string(info) + "); the responses may hold huge or non-finite values");
  return x;
}

RowMat ridge_weights(CMatMap x, const RowMatD& y, double alpha, const RowMat* gram) {
  if (x.cols() > x.rows()) {
    const RowMatD a =
        ridge_dual_solve(gram != nullptr ? *gram : gram_matrix(x), y, alpha);  // (n, T)
    return a.transpose().cast<float>() * x;                                    // (T, N)
  }
  // Primal: (XᵀX + αI) W = XᵀY with N <= n, in double.
  const Eigen::MatrixXd xd = x.cast<double>();
  Eigen::MatrixXd xtx = xd.transpose() * xd;
  xtx.diagonal().array() += alpha;
  const Eigen::MatrixXd w = xtx.llt().solve(xd.transpose() * y);  // (N, T)
  return w.transpose().cast<float>();
}

LinearDecoder linear_fit(LinearKind kind, CMatMap x, const std::vector<float>& angles,
                         double period, double lambda, const RowMat* gram) {
  LinearDecoder d;
  d.kind = kind;
  d.period = period;
  RowMatD y;
  double mean = 0.0;
  if (kind == LinearKind::vonmises) {
    y = vonmises_targets(angles, period);
  } else if (period > 0) {
    y = periodic_targets(angles, period);
  } else {
    y.resize(static_cast<int64_t>(angles.size()), 1);
    for (size_t i = 0; i < angles.size(); ++i) mean += angles[i];
    mean /= static_cast<double>(angles.size());
    for (size_t i = 0; i < angles.size(); ++i) y(static_cast<int64_t>(i), 0) = angles[i] - mean;
  }
  d.weight = ridge_weights(x, y, lambda * static_cast<double>(x.rows()), gram);
  d.bias.assign(static_cast<size_t>(y.cols()), 0.0f);
  if (kind == LinearKind::ridge && period == 0) d.bias[0] = static_cast<float>(mean);
  return d;
}

RowMatD linear_outputs(const LinearDecoder& d, CMatMap x) {
  const RowMat out = x * d.weight.transpose();  // (n, T), one SGEMM
  RowMatD o = out.cast<double>();
  for (int64_t t = 0; t < o.cols(); ++t) o.col(t).array() += d.bias[static_cast<size_t>(t)];
  return o;
}

std::vector<double> linear_decode(const LinearDecoder& d, const RowMatD& outputs) {
  if (d.kind == LinearKind::vonmises) return vonmises_decode(outputs, d.period);
  if (d.period > 0) return angles_from_unit(outputs, d.period);
  std::vector<double> v(static_cast<size_t>(outputs.rows()));
  for (int64_t i = 0; i < outputs.rows(); ++i) v[static_cast<size_t>(i)] = outputs(i, 0);
  return v;
}

}  // namespace nc::models
