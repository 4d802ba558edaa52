#include "select/folds.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "core/error.hpp"

namespace nc::select {

Rng folds_rng(uint64_t seed) {
  return Rng(derive_seed(seed, stream_id("folds")));
}

std::vector<data::Split> kfold_splits(int64_t n, int k, const std::vector<int32_t>* classes,
                                      Rng& rng) {
  // Groups of rows dealt separately: one per class (in class order), or all rows.
  std::map<int32_t, std::vector<int64_t>> groups;
  for (int64_t i = 0; i < n; ++i)
    groups[classes != nullptr ? (*classes)[static_cast<size_t>(i)] : 0].push_back(i);
  std::vector<int> fold_of(static_cast<size_t>(n));
  int64_t dealt = 0;  // continues across classes, so the folds' sizes differ by at most one
  for (const auto& [cls, rows] : groups) {
    const std::vector<int64_t> perm = rng.permutation(static_cast<int64_t>(rows.size()));
    for (const int64_t p : perm)
      fold_of[static_cast<size_t>(rows[static_cast<size_t>(p)])] = static_cast<int>(dealt++ % k);
  }
  std::vector<data::Split> splits(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i)
    for (int f = 0; f < k; ++f)
      (fold_of[static_cast<size_t>(i)] == f ? splits[static_cast<size_t>(f)].test_idx
                                            : splits[static_cast<size_t>(f)].train_idx)
          .push_back(i);
  return splits;
}

void check_folds(int64_t n, int k, const std::vector<int32_t>* classes, const std::string& what) {
  if (k < 2) throw InputError(what + ": expected at least 2 folds, got " + std::to_string(k));
  if (k > n)
    throw InputError(what + ": " + std::to_string(k) + " folds but only " + std::to_string(n) +
                     " stimuli");
  if (classes == nullptr) return;
  std::map<int32_t, int64_t> count;
  for (const int32_t c : *classes) ++count[c];
  for (const auto& [c, m] : count)
    if (m < k)
      throw InputError(what + ": " + std::to_string(k) + " folds but class " + std::to_string(c) +
                       " has only " + std::to_string(m) +
                       " stimuli (expected folds <= the stimuli of every class)");
}

}  // namespace nc::select
