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
#include "runs/memory_budget.hpp"

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

// Buffers reused by every subset size (the curve makes 21 fits: no fresh pages each time).
struct FitBuffers {
  Eigen::MatrixXd k_tr;    // (n_tr, n_tr) K[train, train] + alpha I, lower triangle
  Eigen::MatrixXf factor;  // (n_tr, n_tr) float Cholesky factor (mixed precision)
};

// Rows of z (n, N) reordered in place so that row i holds former row order[i] (cycle by cycle,
// one spare row): the train rows first, so that their Gram and the test rows are plain blocks.
void reorder_rows(RowMat& z, const std::vector<int64_t>& order) {
  std::vector<char> done(order.size(), 0);
  Eigen::Matrix<float, 1, Eigen::Dynamic> spare(z.cols());
  for (size_t start = 0; start < order.size(); ++start) {
    if (done[start]) continue;
    spare = z.row(static_cast<int64_t>(start));
    size_t i = start;
    while (true) {
      done[i] = 1;
      const auto from = static_cast<size_t>(order[i]);
      if (from == start) break;
      z.row(static_cast<int64_t>(i)) = z.row(static_cast<int64_t>(from));
      i = from;
    }
    z.row(static_cast<int64_t>(i)) = spare;
  }
}

// The fit of the first `s` neurons from the train Gram accumulator k (n_tr, n_tr, lower
// triangle; nn/gram.hpp) of z (n, N; train rows first). `full`: the whole population (solved in
// double, as without the curve); the curve's subsets by mixed precision (a float factor refined
// to double accuracy): half the time, the same choices. The outputs are Z_test W with
// W = Z_trainᵀ A over the subset's columns: two thin products, not a test x train Gram.
void fit_subset(const Eigen::MatrixXf& k, const RowMat& z, int64_t s,
                const std::vector<float>& test_angles, const DiscriminateConfig& cfg,
                const RowMatD& targets, bool full, FitBuffers& b, RowMatD& outputs,
                analysis::Psychometric& psy) {
  const int64_t n_tr = k.rows(), n_te = z.rows() - n_tr;
  b.k_tr = k.cast<double>();
  b.k_tr.diagonal().array() += cfg.lambda * static_cast<double>(n_tr);
  const RowMatD a = full ? models::ridge_dual_solve_lower(b.k_tr, targets)
                         : models::ridge_dual_solve_mixed(b.k_tr, targets, b.factor);  // (n_tr, 32)
  using Block = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
  const Block z_tr(z.data(), n_tr, s, Eigen::OuterStride<>(z.cols()));
  const Block z_te(z.data() + n_tr * z.cols(), n_te, s, Eigen::OuterStride<>(z.cols()));
  const RowMat w = z_tr.transpose() * a.cast<float>();  // (s, 32)
  const RowMat out = z_te * w;                          // (n_te, 32)
  outputs = out.cast<double>().transpose();             // (32, n_te)
  psy = analysis::psychometric_curve(outputs, test_angles, cfg.period);
}

// The curve's subsets with fewer neurons than train trials are solved in the primal form, whose
// Grams are nested too: the leading s x s block of G = Z_train[:, :s_max]ᵀ Z_train[:, :s_max]
// (one product over the first s_max permuted neurons) is subset s's ZᵀZ. Then a subset costs
// an s x s solve instead of an n_train x n_train one: (ZᵀZ + αI)⁻¹ZᵀY is the dual solution
// Zᵀ(ZZᵀ + αI)⁻¹Y, the same weights.
struct PrimalProducts {
  int64_t s_max = 0;  // the largest such subset size (0: none)
  Eigen::MatrixXf g;  // (s_max, s_max) lower triangle
  RowMatD zty;        // (s_max, 32) Z_train[:, :s_max]ᵀ Y
};

PrimalProducts primal_products(const RowMat& z, int64_t n_tr, int64_t s_max,
                               const RowMatD& targets) {
  PrimalProducts p;
  p.s_max = s_max;
  if (s_max == 0) return p;
  using Block = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
  const Block z_tr(z.data(), n_tr, s_max, Eigen::OuterStride<>(z.cols()));
  p.g = Eigen::MatrixXf::Zero(s_max, s_max);
  p.g.selfadjointView<Eigen::Lower>().rankUpdate(z_tr.transpose());
  const RowMat zty = z_tr.transpose() * targets.cast<float>();
  p.zty = zty.cast<double>();
  return p;
}

void fit_subset_primal(const PrimalProducts& p, const RowMat& z, int64_t n_tr, int64_t s,
                       const std::vector<float>& test_angles, const DiscriminateConfig& cfg,
                       FitBuffers& b, RowMatD& outputs, analysis::Psychometric& psy) {
  b.k_tr = p.g.topLeftCorner(s, s).cast<double>();
  b.k_tr.diagonal().array() += cfg.lambda * static_cast<double>(n_tr);
  const RowMatD zty = p.zty.topRows(s);
  const RowMatD w = models::ridge_dual_solve_mixed(b.k_tr, zty, b.factor);  // (s, 32)
  using Block = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
  const Block z_te(z.data() + n_tr * z.cols(), z.rows() - n_tr, s, Eigen::OuterStride<>(z.cols()));
  const RowMat out = z_te * w.cast<float>();  // (n_te, 32)
  outputs = out.cast<double>().transpose();   // (32, n_te)
  psy = analysis::psychometric_curve(outputs, test_angles, cfg.period);
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
  const int64_t n_neurons = ds.n_neurons();
  if (cfg.neurons_curve) {
    r.permutation = cfg.permutation.empty()
                        ? Rng(derive_seed(cfg.seed, stream_id("neurons"))).permutation(n_neurons)
                        : cfg.permutation;
    if (static_cast<int64_t>(r.permutation.size()) != n_neurons)
      throw InputError("discriminate: the neuron permutation has " +
                       std::to_string(r.permutation.size()) + " entries for " +
                       std::to_string(n_neurons) + " neurons");
  }
  // The trials are z-scored into a copy (the streaming form of this pass is not written yet).
  check_memory(static_cast<uint64_t>(ds.resp.size()) * 4 + (uint64_t{256} << 20), "discriminate",
               "it z-scores a copy of the trials in memory; use a subset of the neurons");
  RowMat x = cmap(ds.resp);  // (n_trials, N) z-scored, permuted and reordered in place
  ds.resp = {};
  zscore_neurons(x, r.permutation);
  std::vector<int64_t> order(r.train_idx);
  order.insert(order.end(), r.test_idx.begin(), r.test_idx.end());
  reorder_rows(x, order);
  const RowMatD targets =
      analysis::discrimination_targets(data::take(ds.stimuli, r.train_idx), cfg.period);
  const std::vector<float> test_angles = data::take(ds.stimuli, r.test_idx);

  // The train Gram's blocks: kGramBlockNeurons columns as gram_matrix takes them, also cut at
  // every subset size so that a snapshot exists there (without the curve: gram_matrix's blocks).
  std::vector<int64_t> sizes =
      cfg.neurons_curve ? analysis::neuron_curve_sizes(n_neurons) : std::vector<int64_t>{n_neurons};
  std::vector<int64_t> cuts(sizes);
  for (int64_t c = kGramBlockNeurons; c < n_neurons; c += kGramBlockNeurons) cuts.push_back(c);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const auto n_tr = static_cast<int64_t>(r.train_idx.size());
  Eigen::MatrixXf k = Eigen::MatrixXf::Zero(n_tr, n_tr);
  std::vector<CurvePoint> by_size;  // ascending sizes
  FitBuffers buffers;
  int64_t s_max =
      0;  // the largest subset (not the whole population) with fewer neurons than train trials
  for (int64_t s : sizes)
    if (s < n_tr && s < n_neurons) s_max = std::max(s_max, s);
  const PrimalProducts primal = primal_products(x, n_tr, s_max, targets);
  int64_t done = 0;
  for (int64_t cut : cuts) {
    gram_accumulate(k, x.data() + done, n_tr, cut - done, n_neurons);
    done = cut;
    if (std::find(sizes.begin(), sizes.end(), cut) == sizes.end()) continue;
    analysis::Psychometric psy;
    RowMatD outputs;
    if (cut <= s_max)
      fit_subset_primal(primal, x, n_tr, cut, test_angles, cfg, buffers, outputs, psy);
    else
      fit_subset(k, x, cut, test_angles, cfg, targets, cut == n_neurons, buffers, outputs, psy);
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
