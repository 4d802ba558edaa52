#pragma once
// Random test matrices from neurocodec's own generator (reproducible across platforms).
#include <cstdint>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace nc::testing {

// (r, c) with entries scale * N(0, 1).
inline RowMat random_mat(int64_t r, int64_t c, Rng& rng, float scale = 1.0f) {
  RowMat m(r, c);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<float>(rng.normal());
  return m;
}

}  // namespace nc::testing
