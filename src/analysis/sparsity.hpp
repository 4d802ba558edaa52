#pragma once
// How sparse a weight matrix is, for the report's comparison of the plain and the L1/L2
// regularised decoder.
#include <cmath>

#include "core/tensor.hpp"

namespace nc::analysis {

struct WeightSparsity {
  double median_abs = NAN;      // median |w|
  double fraction_small = NAN;  // share of |w| < threshold
  double threshold = NAN;       // a tenth of the initial weights' bound, 0.1 / sqrt(n_inputs)
};

// w is (H, N): N inputs per unit. PyTorch's initialisation draws from U(-1/sqrt(N), 1/sqrt(N)),
// so a weight below a tenth of that bound counts as (nearly) zero.
WeightSparsity weight_sparsity(CMatMap w);

}  // namespace nc::analysis
