// The closed-form linear decoders (ridge, von Mises) and the discrimination threshold against
// the independent numpy/scipy reference (tools/linear_reference.py; goldens made by
// tools/make_linear_goldens.py, described in tests/golden/linear_README.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/discrimination.hpp"
#include "analysis/metrics.hpp"
#include "core/error.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"
#include "models/linear_decoder.hpp"
#include "runs/discriminate.hpp"
#include "runs/fit.hpp"

namespace nc {
namespace {

using testing::golden;

const io::NpzContents& inputs() {
  static const io::NpzContents npz = io::read_npz(golden("linear_inputs.npz"));
  return npz;
}

RowMat matrix(const io::NpyArray& a) {
  const std::vector<float> v = a.to_float();
  RowMat m(a.shape[0], a.shape[1]);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

RowMatD matrix_d(const io::NpyArray& a) {
  const std::vector<double> v = a.to_double();
  const int64_t cols = a.shape.size() > 1 ? a.shape[1] : 1;
  RowMatD m(a.shape[0], cols);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

double scalar(const io::NpzContents& npz, const std::string& key) {
  return npz.at(key).to_double().at(0);
}

data::Dataset dataset(const char* resp_key, const char* stim_key, double period) {
  data::Dataset ds{matrix(inputs().at(resp_key)), inputs().at(stim_key).to_float()};
  data::wrap_stimuli(ds, period);
  return ds;
}

data::Split golden_split() {
  return {inputs().at("train_idx").to_int64(), inputs().at("test_idx").to_int64()};
}

// Largest |ours - ref| relative to the largest |ref|.
double max_rel(const RowMatD& ours, const RowMatD& ref) {
  return (ours - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
}

void expect_ridge_case(const std::string& p, data::Dataset ds, double period) {
  const io::NpzContents ref = io::read_npz(golden("linear_ridge.npz"));
  const runs::LinearFit fit =
      runs::fit_linear(ds, golden_split(), {.model = models::LinearKind::ridge, .period = period});
  const RowMatD ref_out = matrix_d(ref.at(p + "_outputs"));
  ASSERT_EQ(fit.test_outputs.rows(), ref_out.rows());
  ASSERT_EQ(fit.test_outputs.cols(), ref_out.cols());
  EXPECT_LT(max_rel(fit.test_outputs, ref_out), 1e-4) << p;
  const std::vector<double> pred = ref.at(p + "_pred").to_double();
  for (size_t i = 0; i < pred.size(); ++i) {
    const double err = std::abs(analysis::wrap_period(fit.test_decoded[i] - pred[i], period));
    EXPECT_LE(err, 1e-4 * std::max(std::abs(pred[i]), 1.0)) << p << " test row " << i;
  }
}

TEST(LinearGolden, RidgePredictionsMatchNumpyForPeriods360And180And0) {
  expect_ridge_case("p360", dataset("resp", "stimuli", 360), 360);
  expect_ridge_case("p180", dataset("resp", "stimuli", 180), 180);
  const io::NpzContents ref = io::read_npz(golden("linear_ridge.npz"));
  const data::Dataset speed{matrix(inputs().at("resp_speed")), inputs().at("speed").to_float()};
  const runs::LinearFit fit =
      runs::fit_linear(speed, golden_split(), {.model = models::LinearKind::ridge, .period = 0});
  EXPECT_NEAR(fit.net.bias.at(0), scalar(ref, "p0_train_mean"),
              1e-5 * scalar(ref, "p0_train_mean"));
  const std::vector<double> pred = ref.at("p0_pred").to_double();
  for (size_t i = 0; i < pred.size(); ++i)
    EXPECT_NEAR(fit.test_decoded[i], pred[i], 1e-4 * std::abs(pred[i])) << "p0 test row " << i;
}

void expect_vonmises_case(const std::string& p, double period) {
  const io::NpzContents ref = io::read_npz(golden("linear_vonmises.npz"));
  const runs::LinearFit fit =
      runs::fit_linear(dataset("resp", "stimuli", period), golden_split(),
                       {.model = models::LinearKind::vonmises, .period = period});
  const RowMatD ref_out = matrix_d(ref.at(p + "_outputs"));
  ASSERT_EQ(fit.test_outputs.cols(), models::kVonMisesBasis);
  EXPECT_LT(max_rel(fit.test_outputs, ref_out), 1e-4) << p;
  // The reference's own outputs through our upsampling must give its argmax exactly (float64
  // both); ours may land on a neighbouring fine point (the README's ±1 rule).
  std::vector<int64_t> k_ref_outputs, k_ours;
  models::vonmises_decode(ref_out, period, &k_ref_outputs);
  models::vonmises_decode(fit.test_outputs, period, &k_ours);
  const std::vector<int64_t> k_ref = ref.at(p + "_argmax").to_int64();
  const int64_t n_fine = int64_t{models::kVonMisesBasis} * models::kVonMisesUpsample;
  for (size_t i = 0; i < k_ref.size(); ++i) {
    EXPECT_EQ(k_ref_outputs[i], k_ref[i]) << p << " row " << i;
    const int64_t d = std::abs(k_ours[i] - k_ref[i]);
    EXPECT_LE(std::min(d, n_fine - d), 1) << p << " row " << i;
  }
}

TEST(LinearGolden, VonMisesPredictionsMatchNumpy) {
  expect_vonmises_case("p360", 360);
  expect_vonmises_case("p180", 180);
}

const io::NpzContents& discrimination_ref() {
  static const io::NpzContents npz = io::read_npz(golden("linear_discriminate.npz"));
  return npz;
}

std::vector<float> test_stimuli(const std::string& p, double period) {
  const std::vector<float> all = inputs().at("stimuli").to_float();
  std::vector<float> s;
  for (int64_t i : discrimination_ref().at(p + "_test_idx").to_int64())
    s.push_back(
        static_cast<float>(std::fmod(static_cast<double>(all[static_cast<size_t>(i)]), period)));
  return s;
}

// Binning and fit on the reference's own outputs: exact.
void expect_psychometric_from_reference_outputs(const std::string& p, double period) {
  const io::NpzContents& ref = discrimination_ref();
  const analysis::Psychometric psy = analysis::psychometric_curve(matrix_d(ref.at(p + "_outputs")),
                                                                  test_stimuli(p, period), period);
  EXPECT_EQ(psy.counts, ref.at(p + "_counts").to_int64()) << p;
  EXPECT_EQ(psy.positives, ref.at(p + "_positives").to_int64()) << p;
  EXPECT_EQ(psy.n_edge, ref.at(p + "_n_edge").to_int64().at(0)) << p;
  EXPECT_EQ(psy.d_used, ref.at(p + "_d_used").to_int64()) << p;
  EXPECT_EQ(psy.p_sym, ref.at(p + "_p_sym").to_double()) << p;
  // curve_fit stops at its ftol/xtol 1.49e-8: on "small" 1.1e-6 relative short of the minimum
  // this fit converges to (curve_fit with tolerances 1e-15 agrees with it to 6e-9). The issue
  // asks 1e-3 on the threshold; this holds the fit to 1e-5.
  EXPECT_NEAR(psy.beta, scalar(ref, p + "_beta"), 1e-5 * std::abs(scalar(ref, p + "_beta"))) << p;
  EXPECT_NEAR(psy.threshold, scalar(ref, p + "_threshold"), 1e-5 * scalar(ref, p + "_threshold"))
      << p;
}

TEST(LinearGolden, PsychometricBinningAndFitAreExactOnTheReferenceOutputs) {
  expect_psychometric_from_reference_outputs("p360", 360);
  expect_psychometric_from_reference_outputs("p180", 180);
  expect_psychometric_from_reference_outputs("small", 360);
  EXPECT_GT(discrimination_ref().at("p360_n_edge").to_int64().at(0), 0);  // edges are exercised
}

void expect_discriminate_end_to_end(const std::string& p, double period, int64_t n_rows) {
  const io::NpzContents& ref = discrimination_ref();
  data::Dataset ds = dataset("resp", "stimuli", 360);
  ds.resp = RowMat(cmap(ds.resp).topRows(n_rows));
  ds.stimuli.resize(static_cast<size_t>(n_rows));
  runs::DiscriminateConfig cfg;
  cfg.period = period;
  const runs::DiscriminateResult r = runs::discriminate(ds, cfg);
  EXPECT_EQ(r.test_idx, ref.at(p + "_test_idx").to_int64());
  const RowMatD ref_out = matrix_d(ref.at(p + "_outputs"));
  ASSERT_EQ(r.outputs.rows(), ref_out.rows());
  ASSERT_EQ(r.outputs.cols(), ref_out.cols());
  int64_t flipped = 0;
  for (int64_t i = 0; i < ref_out.size(); ++i)
    flipped += (r.outputs.data()[i] > 0) != (ref_out.data()[i] > 0);
  EXPECT_LE(static_cast<double>(flipped), 0.005 * static_cast<double>(ref_out.size())) << p;
  EXPECT_EQ(r.psy.counts, ref.at(p + "_counts").to_int64()) << p;
  if (flipped == 0) {  // P(d) exactly
    EXPECT_EQ(r.psy.positives, ref.at(p + "_positives").to_int64()) << p;
    EXPECT_EQ(r.psy.p_sym, ref.at(p + "_p_sym").to_double()) << p;
  }
  EXPECT_NEAR(r.psy.threshold, scalar(ref, p + "_threshold"), 1e-3 * scalar(ref, p + "_threshold"))
      << p;
}

TEST(LinearGolden, DiscriminateEndToEndMatchesNumpy) {
  expect_discriminate_end_to_end("p360", 360, 480);
  expect_discriminate_end_to_end("p180", 180, 480);
  expect_discriminate_end_to_end("small", 360, 96);
}

TEST(LinearGolden, NeuronsCurveFromOneGramPassMatchesSeparateFits) {
  const io::NpzContents& ref = discrimination_ref();
  runs::DiscriminateConfig cfg;
  cfg.neurons_curve = true;
  cfg.permutation = ref.at("curve_perm").to_int64();
  const runs::DiscriminateResult r = runs::discriminate(dataset("resp", "stimuli", 360), cfg);
  const std::vector<int64_t> sizes = ref.at("curve_sizes").to_int64();
  const std::vector<double> thresholds = ref.at("curve_thresholds").to_double();
  ASSERT_EQ(r.curve.size(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(r.curve[i].n_neurons, sizes[i]);
    EXPECT_NEAR(r.curve[i].threshold, thresholds[i], 1e-3 * thresholds[i])
        << sizes[i] << " neurons";
  }
  EXPECT_NEAR(r.psy.threshold, scalar(ref, "p360_threshold"), 1e-3 * scalar(ref, "p360_threshold"));
}

TEST(Discrimination, LogisticFitFindsTheLeastSquaresMinimum) {
  // Noise-free data from beta = 3.7 on an uneven grid: the fit must return it.
  std::vector<double> d, p;
  for (int i = -29; i <= 29; i += (i % 3 == 0 ? 2 : 1)) {
    d.push_back(i);
    p.push_back(1.0 / (1.0 + std::exp(-i / 3.7)));
  }
  EXPECT_NEAR(analysis::fit_logistic_beta(d, p), 3.7, 1e-9);
  EXPECT_NEAR(analysis::fit_logistic_beta(d, p, 20.0), 3.7, 1e-9);
}

TEST(Discrimination, EmptyCurveIsAnInputError) {
  analysis::Psychometric p;
  RowMatD outputs = RowMatD::Ones(32, 1);
  psychometric_counts(p, outputs, {180.25f}, 360.0);  // Δ to reference 180 is 0.25: one pair
  EXPECT_EQ(p.counts[29], 1);
  p.counts.assign(p.counts.size(), 0);
  EXPECT_THROW(analysis::psychometric_fit(p), InputError);
}

TEST(Discrimination, CurveSizesHalveEveryTwoSteps) {
  const std::vector<int64_t> s = analysis::neuron_curve_sizes(23589);
  ASSERT_EQ(s.size(), 21u);
  EXPECT_EQ(s[0], 23589);
  EXPECT_EQ(s[2], 11794);
  EXPECT_EQ(s[20], 23);
  EXPECT_EQ(analysis::neuron_curve_sizes(64).size(), 13u);
}

}  // namespace
}  // namespace nc
