#include "analysis/sparsity.hpp"

#include <algorithm>
#include <vector>

namespace nc::analysis {

WeightSparsity weight_sparsity(CMatMap w) {
  WeightSparsity s;
  if (w.size() == 0) return s;
  s.threshold = 0.1 / std::sqrt(static_cast<double>(w.cols()));
  std::vector<double> a(static_cast<size_t>(w.size()));
  int64_t small = 0;
  for (int64_t i = 0; i < w.size(); ++i) {
    a[static_cast<size_t>(i)] = std::abs(static_cast<double>(w.data()[i]));
    small += a[static_cast<size_t>(i)] < s.threshold;
  }
  s.fraction_small = static_cast<double>(small) / static_cast<double>(a.size());
  std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
  s.median_abs = a[a.size() / 2];
  return s;
}

}  // namespace nc::analysis
