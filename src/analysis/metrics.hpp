#pragma once
// Decoding and encoding metrics, with the names and formulas of DESIGN.md "Metrics".
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace nc::analysis {

struct DecodingErrors {
  double test_mse = 0;              // mean (decoded - true)^2, degrees^2
  double median_abs_error_deg = 0;  // plain |decoded - true|
  double mean_abs_error_deg = 0;
  double median_circular_error_deg = 0;  // |error wrapped to (-180, 180]|
  double mean_circular_error_deg = 0;
  double r2 = 0;  // 1 - SS_res / SS_tot (about the test mean), plain errors
};

// Error wrapped to (-180, 180].
double wrap_degrees(double e);
// Error wrapped to (-P/2, P/2] for a period P > 0; e itself for P = 0.
double wrap_period(double e, double period);

// decoded and truth are (n) values in degrees (or the variable's units for P = 0); the circular
// errors wrap by `period` (P = 0: they equal the plain ones).
DecodingErrors decoding_errors(const std::vector<double>& decoded, const std::vector<float>& truth,
                               double period = 360.0);

// fraction of predicted == truth
double fraction_correct(const std::vector<int32_t>& predicted, const std::vector<int32_t>& truth);

// confusion[t][p] counts (rows = true class, columns = predicted), C x C
std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int32_t>& predicted,
                                                   const std::vector<int32_t>& truth,
                                                   int n_classes);

// Encoder fit quality per neuron (DESIGN.md): pred, train and test are (n_stimuli, n_neurons).
struct EncodingFit {
  std::vector<double> test_corr;        // Pearson(pred column, test column)
  std::vector<double> split_half_corr;  // Pearson(train column, test column)
  std::vector<double> noise_ceiling;    // sqrt(max(split_half_corr, 0))
  std::vector<double> normalized_corr;  // test_corr / noise_ceiling
  std::vector<uint8_t> included;        // finite correlations and ceiling >= 0.1
  double median_test_corr = 0, median_noise_ceiling = 0, median_normalized_corr = 0;
  int64_t n_excluded = 0;
};

EncodingFit encoding_fit(const RowMat& pred, const RowMat& train, const RowMat& test);

double median(std::vector<double> v);  // NaN for an empty vector

}  // namespace nc::analysis
