// The simulated V1 population: formats, binning, determinism, z-scoring and tuning.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "sim/population.hpp"

namespace nc::sim {
namespace {

PopulationOptions small(int64_t neurons = 300, int64_t trials = 2000, uint64_t seed = 1) {
  PopulationOptions o;
  o.neurons = neurons;
  o.trials = trials;
  o.seed = seed;
  return o;
}

// Sets NEUROCODEC_THREADS for the lifetime of the object and restores the previous value.
class ThreadsEnv {
 public:
  explicit ThreadsEnv(const char* value) {
    if (const char* old = std::getenv("NEUROCODEC_THREADS")) old_ = old;
    ::setenv("NEUROCODEC_THREADS", value, 1);
  }
  ~ThreadsEnv() {
    if (old_)
      ::setenv("NEUROCODEC_THREADS", old_->c_str(), 1);
    else
      ::unsetenv("NEUROCODEC_THREADS");
  }
  ThreadsEnv(const ThreadsEnv&) = delete;
  ThreadsEnv& operator=(const ThreadsEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

double pearson_col(const RowMat& a, const RowMat& b, int64_t j) {
  const int64_t n = a.rows();
  double ma = 0, mb = 0;
  for (int64_t i = 0; i < n; ++i) {
    ma += a(i, j);
    mb += b(i, j);
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double da = a(i, j) - ma, db = b(i, j) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / std::sqrt(saa * sbb);
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void expect_stimuli_in_bins(const std::vector<float>& s, double width) {
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_GE(s[i], 0.0f);
    ASSERT_LT(s[i], 360.0f);
    if (i > 0) {
      ASSERT_GT(s[i], s[i - 1]) << "stimuli must increase (one row per bin, in bin order)";
      // one row per bin: consecutive means lie in different bins
      ASSERT_NE(std::floor(s[i] / width), std::floor(s[i - 1] / width))
          << "rows " << i - 1 << ", " << i;
    }
  }
}

TEST(SimulatePopulation, OneDegreeBinsWithPlentyOfTrials) {
  const data::Dataset d = simulate_population(small(200, 8000), 1.0);
  EXPECT_EQ(d.n_stimuli(), 360);
  EXPECT_EQ(d.n_neurons(), 200);
  ASSERT_EQ(d.stimuli.size(), 360u);
  expect_stimuli_in_bins(d.stimuli, 1.0);
  // row k holds the trials with angle in [k, k+1)
  for (size_t k = 0; k < 360; ++k) {
    EXPECT_GE(d.stimuli[k], static_cast<float>(k));
    EXPECT_LT(d.stimuli[k], static_cast<float>(k + 1));
  }
  EXPECT_TRUE(cmap(d.resp).allFinite());
  EXPECT_NO_THROW(data::validate(d, "simulated"));
}

TEST(SimulatePopulation, FewerRowsWithWiderBins) {
  const PopulationOptions o = small();
  const data::Dataset d1 = simulate_population(o, 1.0);
  EXPECT_LE(d1.n_stimuli(), 360);
  EXPECT_GT(d1.n_stimuli(), 330);  // ~5.5 trials per 1-degree bin: very few empty bins
  expect_stimuli_in_bins(d1.stimuli, 1.0);
  for (double w : {6.0, 10.0, 45.0}) {
    const data::Dataset d = simulate_population(o, w);
    EXPECT_EQ(d.n_stimuli(), static_cast<int64_t>(std::lround(360.0 / w))) << "width " << w;
    EXPECT_EQ(d.n_neurons(), 300);
    EXPECT_EQ(d.stimuli.size(), static_cast<size_t>(d.n_stimuli()));
    expect_stimuli_in_bins(d.stimuli, w);
    EXPECT_TRUE(cmap(d.resp).allFinite());
  }
  // A bin width that does not divide 360: arange(0, 360 + w, w) has a last partial bin.
  const data::Dataset d7 = simulate_population(o, 7.0);
  EXPECT_EQ(d7.n_stimuli(), 52);  // bins [0,7), ..., [357, 364) -> 52 bins over [0, 360)
  expect_stimuli_in_bins(d7.stimuli, 7.0);
}

TEST(SimulatePopulation, DeterministicForASeed) {
  const data::Dataset a = simulate_population(small(100, 1000, 5), 6.0);
  const data::Dataset b = simulate_population(small(100, 1000, 5), 6.0);
  const data::Dataset c = simulate_population(small(100, 1000, 6), 6.0);
  EXPECT_EQ(a.stimuli, b.stimuli);
  EXPECT_TRUE(cmap(a.resp) == cmap(b.resp));
  ASSERT_EQ(a.resp.cols(), c.resp.cols());
  EXPECT_NE(a.stimuli, c.stimuli);
  if (a.resp.rows() == c.resp.rows()) {
    EXPECT_FALSE(cmap(a.resp) == cmap(c.resp));
  }
}

TEST(SimulatePopulation, SameResultForEveryThreadCount) {
  data::Dataset one, two, three;
  data::SplitDataset s_one, s_two;
  {
    ThreadsEnv env("1");
    one = simulate_population(small(), 1.0);
    s_one = simulate_population_split(small(), 6.0);
  }
  {
    ThreadsEnv env("2");
    two = simulate_population(small(), 1.0);
    s_two = simulate_population_split(small(), 6.0);
  }
  {
    ThreadsEnv env("3");
    three = simulate_population(small(), 1.0);
  }
  EXPECT_EQ(one.stimuli, two.stimuli);
  EXPECT_TRUE(cmap(one.resp) == cmap(two.resp));
  EXPECT_TRUE(cmap(one.resp) == cmap(three.resp));
  EXPECT_EQ(s_one.stimuli, s_two.stimuli);
  EXPECT_TRUE(s_one.resp_train == s_two.resp_train);
  EXPECT_TRUE(s_one.resp_test == s_two.resp_test);
}

TEST(SimulatePopulation, ZScoredPerNeuron) {
  // One bin holding every trial: its row is each neuron's mean z-score, exactly zero.
  const data::Dataset all = simulate_population(small(), 360.0);
  ASSERT_EQ(all.n_stimuli(), 1);
  for (int64_t j = 0; j < all.n_neurons(); ++j)
    ASSERT_NEAR(all.resp(0, j), 0.0, 1e-6) << "neuron " << j;

  // With unequal bin counts the unweighted mean of bin means is only close to zero; without
  // z-scoring it would sit near each neuron's mean drive (~1 noise sd).
  const data::Dataset d = simulate_population(small(), 30.0);
  ASSERT_EQ(d.n_stimuli(), 12);
  double sum_abs = 0;
  for (int64_t j = 0; j < d.n_neurons(); ++j) {
    const double m = cmap(d.resp).col(j).cast<double>().mean();
    EXPECT_LT(std::abs(m), 0.1) << "neuron " << j;
    sum_abs += std::abs(m);
  }
  EXPECT_LT(sum_abs / static_cast<double>(d.n_neurons()), 0.02);
  // ... and the bin means are not all zero: there is tuning to see.
  EXPECT_GT(cmap(d.resp).cwiseAbs().maxCoeff(), 0.3f);
}

TEST(SimulatePopulationSplit, TutorialFormat) {
  const data::SplitDataset d = simulate_population_split(small(), 6.0);
  ASSERT_EQ(d.n_stimuli(), 60);
  EXPECT_EQ(d.n_neurons(), 300);
  EXPECT_EQ(d.resp_test.rows(), 60);
  EXPECT_EQ(d.resp_test.cols(), 300);
  ASSERT_EQ(d.stimuli.size(), 60u);
  for (size_t k = 0; k < 60; ++k)
    EXPECT_EQ(d.stimuli[k], static_cast<float>(6 * k + 3)) << "row " << k;
  EXPECT_FALSE(d.resp_train == d.resp_test);
  EXPECT_TRUE(d.resp_train.allFinite());
  EXPECT_TRUE(d.resp_test.allFinite());
  EXPECT_NO_THROW(data::validate(d, "simulated"));
}

TEST(SimulatePopulationSplit, DeterministicForASeed) {
  const data::SplitDataset a = simulate_population_split(small(100, 1000, 3), 6.0);
  const data::SplitDataset b = simulate_population_split(small(100, 1000, 3), 6.0);
  const data::SplitDataset c = simulate_population_split(small(100, 1000, 4), 6.0);
  EXPECT_TRUE(a.resp_train == b.resp_train);
  EXPECT_TRUE(a.resp_test == b.resp_test);
  ASSERT_EQ(a.resp_train.rows(), c.resp_train.rows());
  EXPECT_FALSE(a.resp_train == c.resp_train);
}

TEST(SimulatePopulationSplit, ShareOfNeuronsTuned) {
  const data::SplitDataset d = simulate_population_split(small(300, 4000), 6.0);
  ASSERT_EQ(d.n_stimuli(), 60);
  std::vector<double> r;
  int64_t near_zero = 0, high = 0;
  for (int64_t j = 0; j < d.n_neurons(); ++j) {
    r.push_back(pearson_col(d.resp_train, d.resp_test, j));
    near_zero += std::abs(r.back()) < 0.25;
    high += r.back() > 0.6;
  }
  EXPECT_GT(median_of(r), 0.3);
  // ~25% untuned neurons: their halves share no signal (correlation ~ N(0, 1/sqrt(60))).
  EXPECT_GE(near_zero, 30) << "expected some untuned neurons";
  EXPECT_LE(near_zero, 150);
  EXPECT_GE(high, 60) << "expected many well-tuned neurons";

  // With every neuron untuned there is nothing to share between halves.
  PopulationOptions o = small(300, 4000);
  o.untuned_fraction = 1.0;
  const data::SplitDataset u = simulate_population_split(o, 6.0);
  std::vector<double> ru;
  for (int64_t j = 0; j < u.n_neurons(); ++j)
    ru.push_back(pearson_col(u.resp_train, u.resp_test, j));
  EXPECT_LT(std::abs(median_of(ru)), 0.1);
}

TEST(SimulatePopulation, RefusesBadOptions) {
  EXPECT_THROW(simulate_population(small(0, 100), 1.0), InputError);
  EXPECT_THROW(simulate_population(small(10, 1), 1.0), InputError);
  EXPECT_THROW(simulate_population(small(10, 100), 0.0), InputError);
  EXPECT_THROW(simulate_population(small(10, 100), 400.0), InputError);
  EXPECT_THROW(simulate_population(small(10, 100), std::nan("")), InputError);
  EXPECT_THROW(simulate_population_split(small(0, 100), 6.0), InputError);
  EXPECT_THROW(simulate_population_split(small(10, 100), -6.0), InputError);
}

}  // namespace
}  // namespace nc::sim
