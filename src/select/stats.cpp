#include "select/stats.hpp"

#include <cmath>
#include <limits>

namespace nc::select {

MeanSe mean_se(const std::vector<double>& v) {
  MeanSe s;
  s.n = static_cast<int64_t>(v.size());
  if (v.empty())
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN(), 0};
  double sum = 0;
  for (const double x : v) sum += x;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double ss = 0;
  for (const double x : v) ss += (x - s.mean) * (x - s.mean);
  s.se = std::sqrt(ss / static_cast<double>(s.n - 1)) / std::sqrt(static_cast<double>(s.n));
  return s;
}

CurveStats curve_stats(const std::vector<std::vector<double>>& curves) {
  CurveStats c;
  size_t len = 0;
  for (const auto& v : curves) len = std::max(len, v.size());
  for (size_t i = 0; i < len; ++i) {
    std::vector<double> at;
    for (const auto& v : curves)
      if (i < v.size() && std::isfinite(v[i])) at.push_back(v[i]);
    const MeanSe s = mean_se(at);
    c.mean.push_back(s.mean);
    c.se.push_back(s.se);
    if (std::isfinite(s.mean) && !(c.mean[static_cast<size_t>(c.argmin)] <= s.mean))
      c.argmin = static_cast<int64_t>(i);
  }
  return c;
}

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

double number_or_nan(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>()
                                          : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace nc::select
