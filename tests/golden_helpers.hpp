#pragma once
// Reading the PyTorch golden files (tests/golden, made by tools/make_goldens.py) and applying
// DESIGN.md's pass rule.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nc::testing {

inline std::string golden(const std::string& name) {
  return std::string(NC_GOLDEN_DIR) + "/" + name;
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return nlohmann::json::parse(f);
}

// |ours - ref| <= rtol*|ref| + 1e-5 at every iteration (DESIGN.md "Parity procedure").
inline void expect_trajectory(const std::vector<double>& ours, const std::vector<double>& ref,
                              double rtol, const std::string& what) {
  ASSERT_EQ(ours.size(), ref.size()) << what;
  for (size_t i = 0; i < ref.size(); ++i) {
    ASSERT_TRUE(std::isfinite(ours[i])) << what << " iteration " << i + 1;
    ASSERT_LE(std::abs(ours[i] - ref[i]), rtol * std::abs(ref[i]) + 1e-5)
        << what << " iteration " << i + 1 << ": neurocodec " << ours[i] << ", pytorch " << ref[i];
  }
}

}  // namespace nc::testing
