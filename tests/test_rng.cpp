#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"

namespace nc {

TEST(Rng, SameSeedSameStream) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, UniformMomentsAndRange) {
  Rng r(7);
  double sum = 0, sumsq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sumsq += u * u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_NEAR(sumsq / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
}

TEST(Rng, NormalMoments) {
  Rng r(9);
  double sum = 0, sumsq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    sum += z;
    sumsq += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sumsq / n, 1.0, 0.01);
}

TEST(Rng, PermutationIsAPermutation) {
  Rng r(3);
  auto p = r.permutation(1000);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  int fixed = 0;
  for (int64_t i = 0; i < 1000; ++i) fixed += p[static_cast<size_t>(i)] == i;
  EXPECT_LT(fixed, 10);  // a shuffle, not the identity
}

TEST(Rng, StateRoundTripContinuesTheStream) {
  Rng a(5);
  a.normal();  // leaves a cached spare normal in the state
  Rng b(999);
  b.set_state(a.state());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.normal(), b.normal());
}

}  // namespace nc
