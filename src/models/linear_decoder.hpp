#pragma once
// The field's closed-form linear decoders (Stringer et al. 2021, decoders.py / utils.py), as
// DESIGN.md "Decoders" pins them:
//   ridge     a linear map without intercept onto (cos, sin) of 2πθ/P, decoded with atan2, or
//             for P = 0 onto the value minus its training mean (added back at prediction);
//   vonmises  ridge onto 48 von Mises bumps z-scored per trial, decoded by circular Gaussian-
//             kernel upsampling (100 points per basis step) and argmax.
// Both are ridge with alpha = lambda * n_train, solved in double from float products: in the
// dual form through the Gram matrix (nn/gram.hpp) when neurons outnumber trials, else in the
// primal form. Angles are degrees; P is the period of the variable (0 = not circular).
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace nc::models {

inline constexpr int kVonMisesBasis = 48;
inline constexpr int kVonMisesUpsample = 100;  // fine points per basis step

enum class LinearKind { ridge, vonmises };

// A fitted linear decoder: outputs = x weightᵀ + bias, saved as nn.Linear's state_dict
// (`linear.weight`, `linear.bias`).
struct LinearDecoder {
  LinearKind kind = LinearKind::ridge;
  double period = 360.0;
  RowMat weight;            // (T, N): T = 2 (ridge, P > 0), 1 (ridge, P = 0) or 48 (vonmises)
  std::vector<float> bias;  // (T) zeros, or the training mean for ridge with P = 0
};

// (n, 2) [cos 2πθ/P, sin 2πθ/P] of angles (n) in degrees, P > 0.
RowMatD periodic_targets(const std::vector<float>& angles, double period);
// (n, 48) exp((cos(2π(θ − jP/48)/P) − 1)/σ), σ = 0.1·360/P, each row z-scored (ddof 0).
RowMatD vonmises_targets(const std::vector<float>& angles, double period);
// Each row of y (n, T) minus its mean, divided by its standard deviation (ddof 0), in place.
void zscore_rows(RowMatD& y);

// atan2(out[:,1], out[:,0]) · P/2π mod P, for outputs (n, 2): degrees in [0, P).
std::vector<double> angles_from_unit(const RowMatD& out, double period);
// Kyx · inv(Kxx) (n_basis·up, n_basis): Gaussian kernel (σ 1 basis step) of the circular
// distance between fine points k/up and basis points j, in basis steps.
RowMatD vonmises_upsampling(int n_basis = kVonMisesBasis, int up = kVonMisesUpsample);
// Upsamples outputs (n, 48), takes the argmax (first on ties): angle = argmax / 4800 · P.
// `argmax` (n), when given, receives the fine-point indices.
std::vector<double> vonmises_decode(const RowMatD& outputs, double period,
                                    std::vector<int64_t>* argmax = nullptr);

// Solves (K + alpha I) A = Y by Cholesky (LAPACK dpotrf/dpotrs) in double: k (n, n) is a
// Gram block (float, symmetric), y (n, T); returns A (n, T). Throws InputError when the
// matrix is not positive definite (non-finite data).
RowMatD ridge_dual_solve(const RowMat& k, const RowMatD& y, double alpha);
// The same for a (n, n) matrix a already in double holding K + alpha I in its lower triangle
// (it is overwritten by the factor): the form the neurons curve uses with reused buffers.
RowMatD ridge_dual_solve_lower(Eigen::MatrixXd& a, const RowMatD& y);
// The same by mixed precision: a float Cholesky factor (in `factor`, reused) and `refinements`
// steps of iterative refinement with residuals in double, which take the solution to double
// accuracy while (K + alpha I)'s condition number times float's epsilon is well below 1 (alpha
// = lambda * n_train on the diagonal keeps it so). Half the time of the double factorisation;
// `a` (lower triangle of K + alpha I) is left as it was.
RowMatD ridge_dual_solve_mixed(const Eigen::MatrixXd& a, const RowMatD& y, Eigen::MatrixXf& factor,
                               int refinements = 2);

// The ridge weights (T, N) for x (n, N) and targets y (n, T): Xᵀ(XXᵀ + αI)⁻¹Y (dual, from the
// Gram; `gram`, when given, is XXᵀ already) when N > n, else (XᵀX + αI)⁻¹XᵀY.
RowMat ridge_weights(CMatMap x, const RowMatD& y, double alpha, const RowMat* gram = nullptr);

// Fits the decoder on x (n_train, N) with angles (n_train) (or values, for P = 0).
LinearDecoder linear_fit(LinearKind kind, CMatMap x, const std::vector<float>& angles,
                         double period, double lambda, const RowMat* gram = nullptr);
// Raw outputs (n, T) = x weightᵀ + bias for x (n, N), in double.
RowMatD linear_outputs(const LinearDecoder& d, CMatMap x);
// Decoded angles (or values) (n) from raw outputs (n, T).
std::vector<double> linear_decode(const LinearDecoder& d, const RowMatD& outputs);

}  // namespace nc::models
