#pragma once
// The discrimination threshold's figures:
//   psychometric.png          P(d) before and after symmetrising, the fitted logistic and the
//                             threshold (75% correct)
//   threshold_vs_neurons.png  the threshold against the number of neurons, log-log
#include <string>
#include <vector>

#include "analysis/discrimination.hpp"

namespace nc::report {

void write_psychometric_figure(const std::string& path, const analysis::Psychometric& p);

// neurons and thresholds: (n_sizes) each, any order; non-positive thresholds are skipped.
void write_threshold_curve_figure(const std::string& path, const std::vector<int64_t>& neurons,
                                  const std::vector<double>& thresholds);

}  // namespace nc::report
