#pragma once
// One seeded generator per run (DESIGN.md "Seeds"). The distributions are written here rather
// than taken from <random> because the standard leaves their algorithms to the library: these
// give the same numbers on every build, which keeps simulated data and checkpoints portable.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nc {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1);
  uint64_t next_u64();                          // xoshiro256** step
  double uniform();                             // [0, 1), 53 random bits
  float uniform(float lo, float hi);            // [lo, hi)
  double normal();                              // standard normal (polar Box-Muller, cached pair)
  uint64_t below(uint64_t n);                   // uniform integer in [0, n), unbiased
  std::vector<int64_t> permutation(int64_t n);  // Fisher-Yates

  // Serialised state, for checkpoints: a resumed run continues the same stream.
  std::vector<uint64_t> state() const;
  void set_state(const std::vector<uint64_t>& s);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// A seed derived from (seed, stream), so parallel workers draw independent, reproducible
// streams whatever the thread count.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

// A named stream's number (FNV-1a of the name), e.g. derive_seed(seed, stream_id("init")):
// DESIGN.md's Rng(derive_seed(seed, "init")) and Rng(derive_seed(seed, "folds")).
constexpr uint64_t stream_id(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace nc
