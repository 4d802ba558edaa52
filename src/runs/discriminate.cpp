#include "runs/discriminate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "models/linear_decoder.hpp"
#include "nn/gram.hpp"

namespace nc::runs {
namespace {

constexpr int64_t kMinTrials = 64;  // fewer is binned data, not single trials
constexpr double kZscoreEps = 1e-6;

void check_input(const data::Dataset& ds, const DiscriminateConfig& cfg) {
  if (!(std::isfinite(cfg.period) && cfg.period > 0))
    throw InputError(
        "--period: discriminate needs a circular variable, a period > 0 degrees; got " +
        std::to_string(cfg.period));
  if (!(std::isfinite(cfg.lambda) && cfg.lambda > 0))
    throw InputError("--lambda: expected a finite penalty > 0, got " + std::to_string(cfg.lambda));
  if (ds.n_stimuli() < kMinTrials)
    throw InputError("discriminate: " + std::to_string(ds.n_stimuli()) +
                     " trials (rows of resp); expected at least " + std::to_string(kMinTrials) +
                     " single trials for the every-4th-trial split (binned data?)");
}

// Columns' mean and 1 / (std + 1e-6), std with ddof 0, in double over the rows of resp (n, N).
void column_moments(const RowMat& resp, std::vector<double>& mean, std::vector<double>& inv) {
  const int64_t n = resp.rows(), cols = resp.cols();
  mean.assign(static_cast<size_t>(cols), 0.0);
  inv.assign(static_cast<size_t>(cols), 0.0);
  constexpr int64_t kBlock = 256;  // columns per task: rows are read in cache-sized strips
  parallel_for(0, (cols + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t c0 = b * kBlock, c1 = std::min(cols, c0 + kBlock);
    Eigen::VectorXd s = Eigen::VectorXd::Zero(c1 - c0);
    for (int64_t r = 0; r < n; ++r)
      s += resp.row(r).segment(c0, c1 - c0).transpose().cast<double>();
    s /= static_cast<double>(n);
    Eigen::VectorXd ss = Eigen::VectorXd::Zero(c1 - c0);
    for (int64_t r = 0; r < n; ++r)
      ss.array() +=
          (resp.row(r).segment(c0, c1 - c0).transpose().cast<double>() - s).array().square();
    for (int64_t c = c0; c < c1; ++c) {
      mean[static_cast<size_t>(c)] = s(c - c0);
      inv[static_cast<size_t>(c)] =
          1.0 / (std::sqrt(ss(c - c0) / static_cast<double>(n)) + kZscoreEps);
    }
  });
}

// The blocks one fit needs, read straight from the Gram accumulator's lower triangle into
// buffers reused by every subset size (the curve makes 21 of them: no fresh pages each time).
struct GramBlocks {
  Eigen::MatrixXd k_tr;    // (n_tr, n_tr) K[train, train] + alpha I, lower triangle
  RowMatD k_te;            // (n_te, n_tr) K[test, train]
  Eigen::MatrixXf factor;  // (n_tr, n_tr) float Cholesky factor (mixed precision)
};

// The fit of one (sub)population from the Gram accumulator k (n, n, lower triangle; nn/gram.hpp)
// over all trials; `full`: the whole population (solved in double, as without the curve).
void fit_from_gram(const Eigen::MatrixXf& k, const data::Dataset& ds, const DiscriminateConfig& cfg,
                   const DiscriminateResult& r, const RowMatD& targets, bool full, GramBlocks& b,
                   RowMatD& outputs, analysis::Psychometric& psy) {
  const auto n_tr = static_cast<int64_t>(r.train_idx.size()),
             n_te = static_cast<int64_t>(r.test_idx.size());
  const auto at = [&k](int64_t i, int64_t j) {
    return static_cast<double>(i >= j ? k(i, j) : k(j, i));
  };
  b.k_tr.resize(n_tr, n_tr);
  b.k_te.resize(n_te, n_tr);
  parallel_for(0, n_tr, [&](int64_t c) {  // column c of the lower triangle
    const int64_t tc = r.train_idx[static_cast<size_t>(c)];
    for (int64_t i = c; i < n_tr; ++i) b.k_tr(i, c) = at(r.train_idx[static_cast<size_t>(i)], tc);
  });
  b.k_tr.diagonal().array() += cfg.lambda * static_cast<double>(n_tr);
  parallel_for(0, n_te, [&](int64_t i) {
    const int64_t ti = r.test_idx[static_cast<size_t>(i)];
    for (int64_t c = 0; c < n_tr; ++c) b.k_te(i, c) = at(ti, r.train_idx[static_cast<size_t>(c)]);
  });
  // The full population in double, as the plain run; the curve's subsets by mixed precision
  // (a float factor refined to double accuracy): half the time, the same choices.
  const RowMatD a = full ? models::ridge_dual_solve_lower(b.k_tr, targets)
                         : models::ridge_dual_solve_mixed(b.k_tr, targets, b.factor);  // (n_tr, 32)
  outputs = (b.k_te * a).transpose();  // (32, n_te): Z_test W with W = Z_trainᵀ A
  psy = analysis::psychometric_curve(outputs, data::take(ds.stimuli, r.test_idx), cfg.period);
}

}  // namespace

void zscore_neurons(RowMat& resp, const std::vector<int64_t>& perm) {
  std::vector<double> mean, inv;
  column_moments(resp, mean, inv);
  const int64_t n = resp.rows(), cols = resp.cols();
  parallel_for(0, n, [&](int64_t r) {
    thread_local std::vector<float> row;
    row.assign(resp.row(r).data(), resp.row(r).data() + cols);
    float* out = resp.row(r).data();
    for (int64_t c = 0; c < cols; ++c) {
      const auto j = static_cast<size_t>(perm.empty() ? c : perm[static_cast<size_t>(c)]);
      out[c] = static_cast<float>((static_cast<double>(row[j]) - mean[j]) * inv[j]);
    }
  });
}

DiscriminateResult discriminate(data::Dataset ds, const DiscriminateConfig& cfg) {
  check_input(ds, cfg);
  data::validate(ds, "discriminate", cfg.period);
  data::wrap_stimuli(ds, cfg.period);
  const auto t0 = std::chrono::steady_clock::now();
  DiscriminateResult r;
  for (int64_t i = 0; i < ds.n_stimuli(); ++i) (i % 4 == 0 ? r.test_idx : r.train_idx).push_back(i);
  const int64_t n = ds.n_stimuli(), n_neurons = ds.n_neurons();
  if (cfg.neurons_curve) {
    r.permutation = cfg.permutation.empty()
                        ? Rng(derive_seed(cfg.seed, stream_id("neurons"))).permutation(n_neurons)
                        : cfg.permutation;
    if (static_cast<int64_t>(r.permutation.size()) != n_neurons)
      throw InputError("discriminate: the neuron permutation has " +
                       std::to_string(r.permutation.size()) + " entries for " +
                       std::to_string(n_neurons) + " neurons");
  }
  zscore_neurons(ds.resp, r.permutation);
  const RowMatD targets =
      analysis::discrimination_targets(data::take(ds.stimuli, r.train_idx), cfg.period);

  // The Gram's blocks: kGramBlockNeurons columns as gram_matrix takes them, also cut at every
  // subset size so that a snapshot exists there (without the curve: gram_matrix's blocks).
  std::vector<int64_t> sizes =
      cfg.neurons_curve ? analysis::neuron_curve_sizes(n_neurons) : std::vector<int64_t>{n_neurons};
  std::vector<int64_t> cuts(sizes);
  for (int64_t c = kGramBlockNeurons; c < n_neurons; c += kGramBlockNeurons) cuts.push_back(c);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n, n);
  std::vector<CurvePoint> by_size;  // ascending sizes
  GramBlocks blocks;
  int64_t done = 0;
  for (int64_t cut : cuts) {
    gram_accumulate(k, ds.resp.data() + done, n, cut - done, n_neurons);
    done = cut;
    if (std::find(sizes.begin(), sizes.end(), cut) == sizes.end()) continue;
    analysis::Psychometric psy;
    RowMatD outputs;
    fit_from_gram(k, ds, cfg, r, targets, cut == n_neurons, blocks, outputs, psy);
    by_size.push_back({cut, psy.beta, psy.threshold});
    if (cut == n_neurons) {
      r.psy = std::move(psy);
      r.outputs = std::move(outputs);
    }
  }
  if (cfg.neurons_curve)
    for (int64_t s : sizes)  // largest first, duplicates kept
      r.curve.push_back(*std::find_if(by_size.begin(), by_size.end(),
                                      [s](const CurvePoint& p) { return p.n_neurons == s; }));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace nc::runs
