#pragma once
// K-fold assignments for cross-validation and sweeps (DESIGN.md "Randomness, Gram and bits"):
// drawn from Rng(derive_seed(seed, stream_id("folds"))), so the folds of a seed are the same in
// `decode --folds`, in every sweep job and on every machine.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace nc::select {

// The generator of a seed's fold assignments.
Rng folds_rng(uint64_t seed);

// K splits of n rows: fold f tests on its part and trains on the others; indices ascending.
// With `classes` (n labels), each class's rows are shuffled and dealt round-robin over the
// folds (stratified: a class has the same share in every fold, +-1 row); without, all rows
// are. Draws one permutation per class (or one) from rng; call again for the next repeat.
std::vector<data::Split> kfold_splits(int64_t n, int k, const std::vector<int32_t>* classes,
                                      Rng& rng);

// Checks that k folds can be made: k >= 2, k <= n and, with classes, k <= the rows of every
// class present. Throws InputError naming `what` (e.g. "--folds" or a plan key) otherwise.
void check_folds(int64_t n, int k, const std::vector<int32_t>* classes, const std::string& what);

}  // namespace nc::select
