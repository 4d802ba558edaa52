#include "sim/population.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace nc::sim {
namespace {

struct Trials {
  std::vector<double> angle;  // degrees, uniform on [0, 360)
  std::vector<double> cos_a, sin_a;
  std::vector<double> gain;  // shared multiplicative gain, mean 1
};

Trials draw_trials(const PopulationOptions& opt) {
  Rng rng(derive_seed(opt.seed, 0));
  Trials t;
  const auto n = static_cast<size_t>(opt.trials);
  t.angle.resize(n);
  t.cos_a.resize(n);
  t.sin_a.resize(n);
  t.gain.resize(n);
  const double sd = opt.shared_gain_sd;
  for (size_t i = 0; i < n; ++i) {
    t.angle[i] = 360.0 * rng.uniform();
    const double seen = t.angle[i] + opt.angle_jitter_deg * rng.normal();
    const double rad = seen * std::numbers::pi / 180.0;
    t.cos_a[i] = std::cos(rad);
    t.sin_a[i] = std::sin(rad);
    t.gain[i] = std::exp(sd * rng.normal() - 0.5 * sd * sd);
  }
  return t;
}

// Single-trial responses of neuron j, z-scored across trials, into `z` (trials).
void neuron_responses(const PopulationOptions& opt, const Trials& t, int64_t j,
                      std::vector<double>& z) {
  Rng rng(derive_seed(opt.seed, static_cast<uint64_t>(j) + 1));
  const bool tuned = rng.uniform() >= opt.untuned_fraction;
  const double pref = 2.0 * std::numbers::pi * rng.uniform();  // preferred direction
  const double kappa = std::exp(opt.kappa_log_mean + opt.kappa_log_sd * rng.normal());
  const double amp = std::exp(opt.log_gain_mean + opt.log_gain_sd * rng.normal());
  const double ratio = 0.2 + 0.8 * rng.uniform();  // height of the bump at pref + 180 degrees
  const double cp = std::cos(pref), sp = std::sin(pref);
  const size_t n = t.angle.size();
  double sum = 0.0, sumsq = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double drive = amp;  // untuned neurons: a constant drive, still modulated by the shared gain
    if (tuned) {
      const double c = t.cos_a[i] * cp + t.sin_a[i] * sp;  // cos(angle - pref)
      drive = amp * (std::exp(kappa * (c - 1.0)) + ratio * std::exp(kappa * (-c - 1.0)));
    }
    const double r = t.gain[i] * drive + rng.normal();
    z[i] = r;
    sum += r;
    sumsq += r * r;
  }
  const double mean = sum / static_cast<double>(n);
  const double var = std::max(sumsq / static_cast<double>(n) - mean * mean, 1e-12);
  const double inv_sd = 1.0 / std::sqrt(var);
  for (size_t i = 0; i < n; ++i) z[i] = (z[i] - mean) * inv_sd;
}

std::vector<double> bin_edges(double width) {
  std::vector<double> edges;
  for (int64_t k = 0;; ++k) {
    const double e = static_cast<double>(k) * width;
    if (e >= 360.0 + width) break;
    edges.push_back(e);
  }
  return edges;
}

void check(const PopulationOptions& opt, double bin_width) {
  if (opt.neurons < 1)
    throw InputError("--neurons: expected at least 1, got " + std::to_string(opt.neurons));
  if (opt.trials < 2)
    throw InputError("--trials: expected at least 2, got " + std::to_string(opt.trials));
  if (!(bin_width > 0.0) || !std::isfinite(bin_width) || bin_width > 360.0)
    throw InputError("--bin-width: expected a width in (0, 360] degrees, got " +
                     std::to_string(bin_width));
}

}  // namespace

namespace {

// Which row each trial is averaged into (binned) or is (single trials), with each row's angle.
struct RowPlan {
  std::vector<float> stimuli;         // (rows) degrees
  std::vector<int64_t> row_of_trial;  // (trials)
  std::vector<int64_t> count_of_row;  // (rows) trials averaged; 1 for single trials
};

RowPlan plan_rows(const Trials& t, std::optional<double> bin_width) {
  RowPlan p;
  const size_t n = t.angle.size();
  p.row_of_trial.resize(n);
  if (!bin_width) {
    p.stimuli.resize(n);
    for (size_t i = 0; i < n; ++i) {
      // A float angle can round up to 360 from just below it: keep it in [0, 360).
      const auto a = static_cast<float>(t.angle[i]);
      p.stimuli[i] = a < 360.0f ? a : std::nextafter(360.0f, 0.0f);
      p.row_of_trial[i] = static_cast<int64_t>(i);
    }
    p.count_of_row.assign(n, 1);
    return p;
  }
  // 1-degree bins (as in the tutorial's file) when bin_width <= 1.
  const std::vector<double> edges = bin_edges(std::max(*bin_width, 1.0));
  std::vector<int64_t> bin_of(n), count(edges.size() + 1, 0);
  std::vector<double> angle_sum(edges.size() + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    bin_of[i] = data::digitize(t.angle[i], edges);
    ++count[static_cast<size_t>(bin_of[i])];
    angle_sum[static_cast<size_t>(bin_of[i])] += t.angle[i];
  }
  std::vector<int64_t> row_of(count.size(), -1);
  for (size_t b = 0; b < count.size(); ++b) {
    if (count[b] == 0) continue;
    row_of[b] = static_cast<int64_t>(p.stimuli.size());
    p.count_of_row.push_back(count[b]);
    p.stimuli.push_back(static_cast<float>(angle_sum[b] / static_cast<double>(count[b])));
  }
  for (size_t i = 0; i < n; ++i) p.row_of_trial[i] = row_of[static_cast<size_t>(bin_of[i])];
  return p;
}

// Neurons [j0, j0 + m) of the plan's rows into x (rows, m).
void fill_block(const PopulationOptions& opt, const Trials& t, const RowPlan& p, int64_t j0,
                RowMat& x) {
  const auto rows = static_cast<int64_t>(p.stimuli.size());
  parallel_for(0, x.cols(), [&](int64_t k) {
    thread_local std::vector<double> z, acc;
    z.resize(t.angle.size());
    acc.assign(static_cast<size_t>(rows), 0.0);
    neuron_responses(opt, t, j0 + k, z);
    for (size_t i = 0; i < z.size(); ++i) acc[static_cast<size_t>(p.row_of_trial[i])] += z[i];
    for (int64_t r = 0; r < rows; ++r)
      x(r, k) = static_cast<float>(acc[static_cast<size_t>(r)] /
                                   static_cast<double>(p.count_of_row[static_cast<size_t>(r)]));
  });
}

data::Dataset simulate_whole(const PopulationOptions& opt, std::optional<double> bin_width) {
  data::Dataset d;
  RowMat resp;
  simulate_in_blocks(
      opt, bin_width, opt.neurons,
      [&](const std::vector<float>& stimuli) {
        d.stimuli = stimuli;
        resp.resize(static_cast<int64_t>(stimuli.size()), opt.neurons);
      },
      [&](int64_t j0, const RowMat& x) { resp.middleCols(j0, x.cols()) = x; });
  d.resp = std::move(resp);
  return d;
}

}  // namespace

void simulate_in_blocks(const PopulationOptions& opt, std::optional<double> bin_width,
                        int64_t block_neurons,
                        const std::function<void(const std::vector<float>&)>& rows,
                        const std::function<void(int64_t, const RowMat&)>& block) {
  check(opt, bin_width.value_or(1.0));
  const Trials t = draw_trials(opt);
  const RowPlan p = plan_rows(t, bin_width);
  rows(p.stimuli);
  RowMat x;
  for (int64_t j0 = 0; j0 < opt.neurons; j0 += block_neurons) {
    x.resize(static_cast<int64_t>(p.stimuli.size()), std::min(block_neurons, opt.neurons - j0));
    fill_block(opt, t, p, j0, x);
    block(j0, x);
  }
}

data::Dataset simulate_population(const PopulationOptions& opt, double bin_width) {
  return simulate_whole(opt, bin_width);
}

data::Dataset simulate_single_trials(const PopulationOptions& opt) {
  return simulate_whole(opt, std::nullopt);
}

data::SplitDataset simulate_population_split(const PopulationOptions& opt, double bin_width) {
  check(opt, bin_width);
  const Trials t = draw_trials(opt);
  const std::vector<double> edges = bin_edges(bin_width);
  // Disjoint random halves of the trials: the first half of a permutation is "train".
  Rng rng(derive_seed(opt.seed, 0x5eed));
  const auto perm = rng.permutation(opt.trials);
  std::vector<char> is_train(t.angle.size(), 0);
  for (int64_t i = 0; i < opt.trials / 2; ++i)
    is_train[static_cast<size_t>(perm[static_cast<size_t>(i)])] = 1;
  std::vector<int64_t> bin_of(t.angle.size());
  std::vector<int64_t> n_train(edges.size() + 1, 0), n_test(edges.size() + 1, 0);
  for (size_t i = 0; i < t.angle.size(); ++i) {
    bin_of[i] = data::digitize(t.angle[i], edges);
    ++(is_train[i] ? n_train : n_test)[static_cast<size_t>(bin_of[i])];
  }
  // A bin is kept when both halves have trials in it; its angle is the bin centre.
  std::vector<int64_t> row_of(n_train.size(), -1), bin_of_row;
  data::SplitDataset d;
  for (size_t b = 1; b < edges.size(); ++b) {
    if (n_train[b] == 0 || n_test[b] == 0) continue;
    row_of[b] = static_cast<int64_t>(d.stimuli.size());
    bin_of_row.push_back(static_cast<int64_t>(b));
    d.stimuli.push_back(static_cast<float>(edges[b - 1] + 0.5 * bin_width));
  }
  const auto rows = static_cast<int64_t>(d.stimuli.size());
  if (rows == 0)
    throw InputError("simulate: no stimulus bin has trials in both halves; use more --trials");
  d.resp_train.resize(rows, opt.neurons);
  d.resp_test.resize(rows, opt.neurons);
  parallel_for(0, opt.neurons, [&](int64_t j) {
    thread_local std::vector<double> z, acc_train, acc_test;
    z.resize(t.angle.size());
    acc_train.assign(static_cast<size_t>(rows), 0.0);
    acc_test.assign(static_cast<size_t>(rows), 0.0);
    neuron_responses(opt, t, j, z);
    for (size_t i = 0; i < z.size(); ++i) {
      const int64_t r = row_of[static_cast<size_t>(bin_of[i])];
      if (r < 0) continue;
      (is_train[i] ? acc_train : acc_test)[static_cast<size_t>(r)] += z[i];
    }
    for (int64_t r = 0; r < rows; ++r) {
      const auto b = static_cast<size_t>(bin_of_row[static_cast<size_t>(r)]);
      d.resp_train(r, j) =
          static_cast<float>(acc_train[static_cast<size_t>(r)] / static_cast<double>(n_train[b]));
      d.resp_test(r, j) =
          static_cast<float>(acc_test[static_cast<size_t>(r)] / static_cast<double>(n_test[b]));
    }
  });
  return d;
}

}  // namespace nc::sim
