#pragma once
// The paper's linear discrimination threshold (Stringer et al. 2021) as a pure library call:
// arrays and a config in, a result struct out, no file I/O (issue 12, DESIGN.md "Decoders").
//   1. z-score each neuron across all trials: (x - mean) / (std + 1e-6), std with ddof 0;
//   2. test = every 4th trial in file order (0, 4, 8, ...), train = the rest;
//   3. one dual-form ridge fit (alpha = lambda * n_train) onto 32 difference-of-von-Mises
//      targets, z-scored per trial across the references;
//   4. choices: the output for reference j > 0; psychometric curve, symmetrised, logistic fit,
//      threshold = beta * ln 3 (analysis/discrimination.hpp).
// With the neurons curve, nested subsets of a seeded permutation of the neurons: the train Gram
// matrix is accumulated once over the neurons in permutation order (nn/gram.hpp's routine, in
// blocks that also end at every subset size) and a snapshot at each size gives that subset's
// fit, so the whole curve costs one pass over the data plus one solve per size. Subsets with
// fewer neurons than train trials are solved in the equivalent primal form from the leading
// blocks of one Z_trainᵀZ_train (nested as well): an s x s solve instead of n_train x n_train.
#include <cstdint>
#include <vector>

#include "analysis/discrimination.hpp"
#include "data/dataset.hpp"

namespace nc::runs {

struct DiscriminateConfig {
  double period = 360.0;       // degrees, > 0
  double lambda = 1.0;         // alpha = lambda * n_train, > 0
  bool neurons_curve = false;  // thresholds of nested random subsets of neurons
  uint64_t seed = 1;           // the subsets' permutation: Rng(derive_seed(seed, "neurons"))
  // Optional (N): this neuron order for the subsets instead of the seeded one (e.g. the
  // reference's, in golden tests).
  std::vector<int64_t> permutation;
};

struct CurvePoint {
  int64_t n_neurons = 0;
  double beta = 0, threshold = 0;
};

struct DiscriminateResult {
  analysis::Psychometric psy;        // the full population's curve and fit
  RowMatD outputs;                   // (32, n_test) decoder output per reference and test trial
  std::vector<int64_t> train_idx;    // (n_train) trials with index % 4 != 0
  std::vector<int64_t> test_idx;     // (n_test) trials 0, 4, 8, ...
  std::vector<CurvePoint> curve;     // sizes floor(N / 2^(k/2)), largest first (neurons_curve)
  std::vector<int64_t> permutation;  // (N) the neuron order of the curve's subsets
  double seconds = 0;                // z-scoring, Gram, solves and fits
};

// Trials in ds.resp (n_trials, n_neurons) and angles ds.stimuli (n_trials) in degrees, taken
// mod period. Takes ds by value: it is z-scored (and permuted) in place. Throws InputError
// for fewer than 64 trials, a period <= 0, lambda <= 0, non-finite responses or an empty
// psychometric curve.
DiscriminateResult discriminate(data::Dataset ds, const DiscriminateConfig& cfg);

// Step 1 on its own, in place: resp (n, N) z-scored per column, with its columns reordered so
// that column i is input neuron perm[i] (perm empty: the identity).
void zscore_neurons(RowMat& resp, const std::vector<int64_t>& perm);

}  // namespace nc::runs
