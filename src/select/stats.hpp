#pragma once
// Summaries over folds, seeds and jobs: mean and standard error, and mean loss curves.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace nc::select {

struct MeanSe {
  double mean = 0;
  double se = 0;  // sample standard deviation (ddof 1) / sqrt(n); 0 for n = 1
  int64_t n = 0;
};
MeanSe mean_se(const std::vector<double>& v);

// Mean and standard error of curves at each index, over the curves long enough to have it
// (a diverged fit's curve stops early); argmin: the index of the smallest mean.
struct CurveStats {
  std::vector<double> mean, se;
  int64_t argmin = 0;
};
CurveStats curve_stats(const std::vector<std::vector<double>>& curves);

// JSON has no NaN or infinity: those become null.
nlohmann::json json_number(double v);
// A number from JSON, NaN for null or a missing key.
double number_or_nan(const nlohmann::json& j, const char* key);

}  // namespace nc::select
