#pragma once
// The psychometric side of the paper's linear discrimination threshold (Stringer et al. 2021;
// issue 12, DESIGN.md "Decoders"): from the decoders' outputs for 32 reference angles to the
// choices, the psychometric curve P(d) on 1-degree bins, its symmetrised form, the logistic
// fit and the threshold β·ln 3 (the 75%-correct point).
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace nc::analysis {

inline constexpr int kDiscriminationRefs = 32;  // reference angles j·P/32
inline constexpr int kMaxOffsetDeg = 29;        // d = -29 .. 29 degrees
inline constexpr double kLogisticBeta0 = 5.0;   // the fit's starting point

struct Psychometric {
  std::vector<int64_t> d_grid;     // (59) -29 .. 29
  std::vector<int64_t> counts;     // (59) pairs with Δ in the open bin (d - 0.5, d + 0.5)
  std::vector<int64_t> positives;  // (59) of them with output > 0
  std::vector<double> p_full;      // (59) positives / counts, NaN where empty
  int64_t n_edge = 0;              // pairs with Δ exactly on a bin edge d ± 0.5 (in no bin)
  std::vector<int64_t> d_used;     // the grid without empty bins and their mirrors
  std::vector<double> p_raw;       // P on d_used, before symmetrising
  std::vector<double> p_sym;       // (p_raw + 1 - p_raw reversed) / 2
  double beta = 0;                 // the logistic fit's scale, degrees
  double threshold = 0;            // beta · ln 3
  std::vector<double> fitted;      // (59) 1 / (1 + exp(-d / beta)) on d_grid
};

// Δ = θ - θ_j wrapped to (-P/2, P/2], in double degrees the way numpy's remainder does it (so
// the same pairs land exactly on bin edges as in the reference).
double signed_difference(double theta, double ref, double period);

// The counts of the curve: outputs (n_ref, n_test) of the decoder for reference j and test
// trial t, test_angles (n_test) degrees. Fills d_grid .. n_edge.
void psychometric_counts(Psychometric& p, const RowMatD& outputs,
                         const std::vector<float>& test_angles, double period);
// Drops empty bins with their mirrors, symmetrises and fits: fills d_used .. fitted. Throws
// InputError when no bin is left (no test trial within ±29° of any reference).
void psychometric_fit(Psychometric& p);
// Both of the above.
Psychometric psychometric_curve(const RowMatD& outputs, const std::vector<float>& test_angles,
                                double period);

// Least-squares fit of 1/(1 + exp(-d/β)) to p (same length as d) from β0, by Levenberg-
// Marquardt on the one parameter with the analytic derivative; converges to the minimum
// scipy.optimize.curve_fit finds (to ~1e-10 relative).
double fit_logistic_beta(const std::vector<double>& d, const std::vector<double>& p,
                         double beta0 = kLogisticBeta0);

// (n, 32) targets exp(cos(φ - δ)/σ) - exp(cos(φ + δ)/σ), φ = 2π(θ - jP/32)/P, δ = π/32,
// σ = 0.1·360/P, each row z-scored across the references (ddof 0); angles (n) degrees.
RowMatD discrimination_targets(const std::vector<float>& angles, double period);

// Nested subset sizes floor(N / 2^(k/2)), k = 0 .. 20, keeping those >= 1 (duplicates kept).
std::vector<int64_t> neuron_curve_sizes(int64_t n_neurons);

}  // namespace nc::analysis
