// Tuning analysis (smoothing, preferred orientation) and the metrics of DESIGN.md "Metrics".
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "io/npz.hpp"
#include "nn/gram.hpp"
#include "random_helpers.hpp"

namespace nc::analysis {
namespace {

const io::NpzContents& smoothing_npz() {
  static const io::NpzContents npz = io::read_npz(std::string(NC_GOLDEN_DIR) + "/smoothing.npz");
  return npz;
}

RowMatD matrix_d(const io::NpyArray& a) {
  EXPECT_EQ(a.shape.size(), 2u);
  const std::vector<double> v = a.to_double();
  RowMatD m(a.shape[0], a.shape[1]);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = v[static_cast<size_t>(i)];
  return m;
}

void expect_close_rel(const RowMatD& got, const RowMatD& want, double rtol,
                      const std::string& what) {
  ASSERT_EQ(got.rows(), want.rows()) << what;
  ASSERT_EQ(got.cols(), want.cols()) << what;
  for (int64_t r = 0; r < want.rows(); ++r)
    for (int64_t c = 0; c < want.cols(); ++c)
      EXPECT_NEAR(got(r, c), want(r, c), rtol * std::abs(want(r, c)) + 1e-15)
          << what << " (" << r << ", " << c << ")";
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(a.size());
  mb /= static_cast<double>(b.size());
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// ---------------------------------------------------------------------------------------------
// smoothing and preferred orientation

TEST(GaussianFilterRows, MatchesScipyLongColumns) {
  const RowMatD y = gaussian_filter_rows(matrix_d(smoothing_npz().at("x37")), 5.0);
  expect_close_rel(y, matrix_d(smoothing_npz().at("y37")), 1e-12, "y37");
}

TEST(GaussianFilterRows, MatchesScipyRepeatedReflection) {
  // 15 rows, kernel radius 20: the mirror is applied more than once.
  const RowMatD y = gaussian_filter_rows(matrix_d(smoothing_npz().at("x15")), 5.0);
  expect_close_rel(y, matrix_d(smoothing_npz().at("y15")), 1e-12, "y15");
}

TEST(GaussianFilterRows, PreservesConstantsAndMass) {
  RowMatD c = RowMatD::Constant(9, 2, 3.5);
  const RowMatD y = gaussian_filter_rows(c, 5.0);
  for (int64_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y.data()[i], 3.5, 1e-12);
  // 'reflect' keeps the column sum of a long column whose mass stays far from the edges
  RowMatD d = RowMatD::Zero(101, 1);
  d(50, 0) = 1.0;
  const RowMatD yd = gaussian_filter_rows(d, 2.0);
  EXPECT_NEAR(yd.sum(), 1.0, 1e-12);
  EXPECT_NEAR(yd(49, 0), yd(51, 0), 1e-15);
  EXPECT_GT(yd(50, 0), yd(49, 0));
}

TEST(GaussianFilterRows, ArgmaxMatchesGolden) {
  const RowMatD y = gaussian_filter_rows(matrix_d(smoothing_npz().at("x37")), 5.0);
  const std::vector<int64_t> want = smoothing_npz().at("argmax37").to_int64();
  ASSERT_EQ(static_cast<int64_t>(want.size()), y.cols());
  for (int64_t c = 0; c < y.cols(); ++c) {
    int64_t best = 0;
    for (int64_t r = 1; r < y.rows(); ++r)
      if (y(r, c) > y(best, c)) best = r;
    EXPECT_EQ(best, want[static_cast<size_t>(c)]) << "column " << c;
  }
  // preferred_orientation with stimuli = row index reaches the same argmax
  const RowMat x = matrix_d(smoothing_npz().at("x37")).cast<float>();
  std::vector<float> stim(37);
  for (size_t i = 0; i < 37; ++i) stim[i] = static_cast<float>(i);
  const PreferredOrientation p = preferred_orientation(x, stim);
  for (size_t c = 0; c < want.size(); ++c)
    EXPECT_EQ(p.degrees[c], static_cast<float>(want[c])) << "column " << c;
}

// preferred_orientation's fused path (rows widened once into a ring, each smoothed row compared
// in registers) picks the same first maximum as gaussian_filter_rows plus a plain scan, bit for
// bit: with more rows than the taps reach (the ring wraps) and fewer (every row kept), over
// strips and a tail of columns, with ties from repeated values.
TEST(PreferredOrientation, FusedArgmaxIsTheScanOfTheSmoothedRows) {
  for (const int64_t n : {150, 30}) {
    Rng rng(static_cast<uint64_t>(n));
    RowMat x = testing::random_mat(n, 300, rng);  // 4 strips of 64 columns and a tail of 44
    x.col(7).setConstant(0.5f);                   // a flat column: every row ties
    x.col(299).setConstant(0.25f);
    std::vector<float> stim(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) stim[static_cast<size_t>(i)] = static_cast<float>(i);
    const RowMatD y = gaussian_filter_rows(x.cast<double>(), 5.0);
    const PreferredOrientation p = preferred_orientation(x, stim);
    for (int64_t c = 0; c < x.cols(); ++c) {
      int64_t best = 0;
      for (int64_t r = 1; r < n; ++r)
        if (y(r, c) > y(best, c)) best = r;
      ASSERT_EQ(p.degrees[static_cast<size_t>(c)], static_cast<float>(best))
          << "rows " << n << " column " << c;
    }
  }
}

// 72 rows at 0, 5, ..., 355 degrees; neuron j is a Gaussian bump (sd 3 rows) at row peaks[j].
// Peaks stay >= 10 rows from the ends: rows are not circular, and 'reflect' pulls a peak that
// sits near an end inward (a bump at row 65 of 72 smooths to a maximum at row 67, as in scipy).
struct Tuned {
  RowMat resp;
  std::vector<float> stimuli;
};
Tuned tuned(const std::vector<int>& peaks) {
  Tuned t;
  t.resp.resize(72, static_cast<int64_t>(peaks.size()));
  for (int r = 0; r < 72; ++r) {
    t.stimuli.push_back(5.0f * static_cast<float>(r));
    for (size_t j = 0; j < peaks.size(); ++j) {
      const double d = r - peaks[j];
      t.resp(r, static_cast<int64_t>(j)) = static_cast<float>(std::exp(-d * d / 18.0));
    }
  }
  return t;
}

TEST(PreferredOrientation, KnownPeaksAndStableOrder) {
  const Tuned t = tuned({30, 10, 50, 30, 20, 10});
  const PreferredOrientation p = preferred_orientation(t.resp, t.stimuli);
  EXPECT_EQ(p.degrees, (std::vector<float>{150, 50, 250, 150, 100, 50}));
  // stable argsort: the ties (1, 5) and (0, 3) keep neuron index order
  EXPECT_EQ(p.order, (std::vector<int64_t>{1, 5, 4, 0, 3, 2}));
  ASSERT_EQ(p.row_order.size(), 72u);
  for (size_t r = 0; r < 72; ++r) EXPECT_EQ(p.row_order[r], static_cast<int64_t>(r));
}

TEST(PreferredOrientation, ShuffledRowsAreSortedByAngle) {
  const Tuned t = tuned({30, 10, 50, 30, 20, 10, 60});
  // a fixed shuffle of the 72 rows: r -> (r * 29 + 11) mod 72 (29 is coprime with 72)
  std::vector<int64_t> perm(72);
  for (int64_t r = 0; r < 72; ++r) perm[static_cast<size_t>(r)] = (r * 29 + 11) % 72;
  RowMat resp(72, t.resp.cols());
  std::vector<float> stim(72);
  for (int64_t r = 0; r < 72; ++r) {
    resp.row(r) = t.resp.row(perm[static_cast<size_t>(r)]);
    stim[static_cast<size_t>(r)] = t.stimuli[static_cast<size_t>(perm[static_cast<size_t>(r)])];
  }
  const PreferredOrientation p = preferred_orientation(resp, stim);
  EXPECT_EQ(p.degrees, (std::vector<float>{150, 50, 250, 150, 100, 50, 300}));
  EXPECT_EQ(p.order, (std::vector<int64_t>{1, 5, 4, 0, 3, 2, 6}));
  ASSERT_EQ(p.row_order.size(), 72u);
  for (size_t k = 0; k < 72; ++k)
    EXPECT_EQ(stim[static_cast<size_t>(p.row_order[k])], 5.0f * static_cast<float>(k)) << k;
}

TEST(PreferredOrientation, FlatNeuronTakesTheSmallestAngle) {
  // argmax takes the first row on ties, and rows are in angle order: a flat curve -> min angle,
  // even when the smallest angle is not the first row of the input.
  RowMat resp = RowMat::Constant(4, 2, 1.0f);
  resp(2, 1) = 5.0f;  // neuron 1 peaks at the row of angle 10
  const std::vector<float> stim = {90.0f, 30.0f, 10.0f, 270.0f};
  const PreferredOrientation p = preferred_orientation(resp, stim, 0.5);
  EXPECT_EQ(p.degrees, (std::vector<float>{10.0f, 10.0f}));
  EXPECT_EQ(p.order, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(p.row_order, (std::vector<int64_t>{2, 1, 0, 3}));
}

// Preferred orientations that ride on a split pass over the data (the dual decoder's Gram pass)
// have the bits of the analysis's own pass, whatever the lists' order; lists that do not hold
// every row once make the pass unusable, and a pass that misses a block is not complete.
TEST(PreferredOrientationPass, RidingOnTheSplitPassGivesTheSameBits) {
  const int64_t n = 150, m = 2 * kGramBlockNeurons + 700;  // two full blocks and a short one
  Rng rng(5);
  const RowMat resp = testing::random_mat(n, m, rng);
  std::vector<float> stim(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)  // repeated angles, so the stable sort's ties matter
    stim[static_cast<size_t>(i)] = static_cast<float>((i * 53) % 36) * 10.0f;
  std::vector<int64_t> a, b;
  for (int64_t k = 0; k < n; ++k) {  // a fixed shuffle of the rows, split 3:2
    const int64_t row = (k * 77 + 13) % n;
    (k % 5 < 3 ? a : b).push_back(row);
  }
  PreferredOrientationPass pass(stim, a, b, m);
  ASSERT_TRUE(pass.usable());
  split_gram(memory_block_reader(cmap(resp)), a, b, nullptr,
             [&](int64_t c0, int64_t cols, const float* xa, const float* xb, int64_t ld) {
               pass.add(c0, cols, xa, xb, ld);
             });
  ASSERT_TRUE(pass.complete());
  const PreferredOrientation direct = preferred_orientation(resp, stim);
  const PreferredOrientation riding = pass.take();
  EXPECT_EQ(riding.degrees, direct.degrees);
  EXPECT_EQ(riding.order, direct.order);
  EXPECT_EQ(riding.row_order, direct.row_order);
  EXPECT_GT(std::set<float>(direct.degrees.begin(), direct.degrees.end()).size(), 20u);

  PreferredOrientationPass part(stim, a, b, m);
  part.add(0, 100, resp.data(), resp.data(), m);
  EXPECT_FALSE(part.complete());
  std::vector<int64_t> short_b(b.begin(), b.end() - 1);
  EXPECT_FALSE(PreferredOrientationPass(stim, a, short_b, m).usable());
  std::vector<int64_t> twice = b;
  twice.back() = a.front();
  EXPECT_FALSE(PreferredOrientationPass(stim, a, twice, m).usable());
}

// ---------------------------------------------------------------------------------------------
// metrics

TEST(WrapDegrees, HalfOpenInterval) {
  EXPECT_DOUBLE_EQ(wrap_degrees(190.0), -170.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(-180.0), 180.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(180.0), 180.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(540.0), 180.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(-190.0), 170.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(0.0), 0.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(358.0), -2.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(-358.0), 2.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(720.0), 0.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(-540.0), 180.0);
  EXPECT_DOUBLE_EQ(wrap_degrees(179.5), 179.5);
  EXPECT_DOUBLE_EQ(wrap_degrees(-179.5), -179.5);
}

TEST(DecodingErrors, PlainVersusCircular) {
  // errors: 358, -10, 190
  const DecodingErrors e = decoding_errors({359.0, 10.0, 200.0}, {1.0f, 20.0f, 10.0f});
  EXPECT_DOUBLE_EQ(e.test_mse, (358.0 * 358.0 + 100.0 + 190.0 * 190.0) / 3.0);
  EXPECT_DOUBLE_EQ(e.mean_abs_error_deg, (358.0 + 10.0 + 190.0) / 3.0);
  EXPECT_DOUBLE_EQ(e.median_abs_error_deg, 190.0);
  // circular: |wrap(358)| = 2, 10, |wrap(190)| = 170
  EXPECT_DOUBLE_EQ(e.mean_circular_error_deg, (2.0 + 10.0 + 170.0) / 3.0);
  EXPECT_DOUBLE_EQ(e.median_circular_error_deg, 10.0);

  const DecodingErrors one = decoding_errors({359.0}, {1.0f});
  EXPECT_DOUBLE_EQ(one.median_abs_error_deg, 358.0);
  EXPECT_DOUBLE_EQ(one.median_circular_error_deg, 2.0);
  EXPECT_DOUBLE_EQ(one.test_mse, 358.0 * 358.0);

  const DecodingErrors perfect = decoding_errors({12.5, 300.0}, {12.5f, 300.0f});
  EXPECT_EQ(perfect.test_mse, 0.0);
  EXPECT_EQ(perfect.mean_circular_error_deg, 0.0);
}

TEST(Median, OddEvenAndEmpty) {
  EXPECT_DOUBLE_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(median({5.0}), 5.0);
  EXPECT_DOUBLE_EQ(median({7.0, -1.0}), 3.0);
  EXPECT_DOUBLE_EQ(median({1.0, 1.0, 2.0, 2.0, 10.0, 10.0}), 2.0);
  EXPECT_DOUBLE_EQ(median({9.0, 8.0, 1.0, 0.0, 3.0, 3.0, 100.0, -5.0}), 3.0);
  EXPECT_TRUE(std::isnan(median({})));
}

TEST(FractionCorrect, CountsMatches) {
  EXPECT_DOUBLE_EQ(fraction_correct({0, 1, 2, 2}, {0, 1, 1, 2}), 0.75);
  EXPECT_DOUBLE_EQ(fraction_correct({3, 3, 3}, {3, 3, 3}), 1.0);
  EXPECT_DOUBLE_EQ(fraction_correct({0, 1, 2}, {1, 2, 0}), 0.0);
  EXPECT_DOUBLE_EQ(fraction_correct({5, 0, 0, 0, 0}, {5, 1, 1, 1, 1}), 0.2);
}

TEST(ConfusionMatrix, RowsTrueColumnsPredicted) {
  const std::vector<int32_t> truth = {0, 0, 1, 2, 2, 2};
  const std::vector<int32_t> pred = {0, 1, 1, 2, 0, 2};
  const auto c = confusion_matrix(pred, truth, 3);
  const std::vector<std::vector<int64_t>> want = {{1, 1, 0}, {0, 1, 0}, {1, 0, 2}};
  EXPECT_EQ(c, want);
  // 4 classes, some never seen
  const auto c4 = confusion_matrix({3}, {1}, 4);
  ASSERT_EQ(c4.size(), 4u);
  for (const auto& row : c4) ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(c4[1][3], 1);
  EXPECT_EQ(c4[3][1], 0);
}

RowMat cols(const std::vector<std::vector<double>>& columns) {
  RowMat m(static_cast<int64_t>(columns[0].size()), static_cast<int64_t>(columns.size()));
  for (size_t j = 0; j < columns.size(); ++j)
    for (size_t i = 0; i < columns[j].size(); ++i)
      m(static_cast<int64_t>(i), static_cast<int64_t>(j)) = static_cast<float>(columns[j][i]);
  return m;
}

TEST(EncodingFit, PerfectPrediction) {
  const RowMat x = cols({{0.5, -1, 2, 3, 0.25}, {1, 2, 3, 4, 5}, {-3, 1, -2, 7, 0}});
  const EncodingFit f = encoding_fit(x, x, x);
  ASSERT_EQ(f.test_corr.size(), 3u);
  for (size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(f.test_corr[j], 1.0, 1e-12);
    EXPECT_NEAR(f.split_half_corr[j], 1.0, 1e-12);
    EXPECT_NEAR(f.noise_ceiling[j], 1.0, 1e-12);
    EXPECT_NEAR(f.normalized_corr[j], 1.0, 1e-12);
    EXPECT_EQ(f.included[j], 1);
  }
  EXPECT_EQ(f.n_excluded, 0);
  EXPECT_NEAR(f.median_test_corr, 1.0, 1e-12);
  EXPECT_NEAR(f.median_noise_ceiling, 1.0, 1e-12);
  EXPECT_NEAR(f.median_normalized_corr, 1.0, 1e-12);
}

TEST(EncodingFit, ExclusionsAndNormalization) {
  // a and b are zero-mean and orthogonal, so the correlations are known in closed form.
  const std::vector<double> a = {1, -1, 0, 0}, b = {0, 0, 1, -1};
  const auto lin = [](double p, const std::vector<double>& u, double q,
                      const std::vector<double>& v) {
    std::vector<double> out(u.size());
    for (size_t i = 0; i < u.size(); ++i) out[i] = p * u[i] + q * v[i];
    return out;
  };
  const std::vector<double> k = {2, 2, 2, 2};
  // neuron 0: perfect
  // neuron 1: zero variance in both halves (and so no split-half correlation) -> excluded
  // neuron 2: halves anti-correlated (split-half -1) -> ceiling 0 -> excluded
  // neuron 3: split-half 1/sqrt(2), prediction corr 1/sqrt(2)
  // neuron 4: split-half 0.005 -> ceiling 0.0707 < 0.1 -> excluded
  // neuron 5: split-half 0.02 -> ceiling 0.141 >= 0.1 -> included
  // neuron 6: train a+3b vs test a+b (0.894), prediction a+2b
  const std::vector<std::vector<double>> train = {a, k, a, a, a, a, lin(1, a, 3, b)};
  const std::vector<std::vector<double>> test = {a,
                                                 k,
                                                 lin(-1, a, 0, b),
                                                 lin(1, a, 1, b),
                                                 lin(0.005, a, 1, b),
                                                 lin(0.02, a, 1, b),
                                                 lin(1, a, 1, b)};
  const std::vector<std::vector<double>> pred = {a, a, a, a, a, a, lin(1, a, 2, b)};
  const EncodingFit f = encoding_fit(cols(pred), cols(train), cols(test));
  ASSERT_EQ(f.test_corr.size(), 7u);

  EXPECT_EQ(f.n_excluded, 3);
  EXPECT_EQ(f.included, (std::vector<uint8_t>{1, 0, 0, 1, 0, 1, 1}));
  EXPECT_FALSE(std::isfinite(f.split_half_corr[1]));
  EXPECT_NEAR(f.split_half_corr[2], -1.0, 1e-9);
  EXPECT_EQ(f.noise_ceiling[2], 0.0);
  EXPECT_NEAR(f.noise_ceiling[4], std::sqrt(0.005 / std::sqrt(1.000025)), 1e-6);

  std::vector<double> tc, ceil, norm;
  for (size_t j = 0; j < 7; ++j) {
    const double want_tc = pearson(pred[j], test[j]);
    const double want_sh = pearson(train[j], test[j]);
    if (j != 1) {
      EXPECT_NEAR(f.test_corr[j], want_tc, 1e-6) << "neuron " << j;
      EXPECT_NEAR(f.split_half_corr[j], want_sh, 1e-6) << "neuron " << j;
      EXPECT_NEAR(f.noise_ceiling[j], std::sqrt(std::max(want_sh, 0.0)), 1e-6) << "neuron " << j;
    }
    if (f.included[j]) {
      EXPECT_NEAR(f.normalized_corr[j], f.test_corr[j] / f.noise_ceiling[j], 1e-12)
          << "neuron " << j;
      tc.push_back(want_tc);
      ceil.push_back(std::sqrt(want_sh));
      norm.push_back(want_tc / std::sqrt(want_sh));
    }
  }
  EXPECT_NEAR(f.test_corr[3], 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(f.noise_ceiling[3], std::pow(0.5, 0.25), 1e-6);
  EXPECT_NEAR(f.normalized_corr[3], std::pow(0.5, 0.25), 1e-6);
  // medians over the included neurons only (0, 3, 5, 6): even count -> mean of the middle two
  ASSERT_EQ(tc.size(), 4u);
  const auto med4 = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return 0.5 * (v[1] + v[2]);
  };
  EXPECT_NEAR(f.median_test_corr, med4(tc), 1e-6);
  EXPECT_NEAR(f.median_noise_ceiling, med4(ceil), 1e-6);
  EXPECT_NEAR(f.median_normalized_corr, med4(norm), 1e-6);
}

TEST(EncodingFit, AllExcludedGivesNanMedians) {
  const RowMat flat = RowMat::Constant(5, 2, 1.0f);
  const EncodingFit f = encoding_fit(flat, flat, flat);
  EXPECT_EQ(f.n_excluded, 2);
  EXPECT_TRUE(std::isnan(f.median_test_corr));
  EXPECT_TRUE(std::isnan(f.median_noise_ceiling));
  EXPECT_TRUE(std::isnan(f.median_normalized_corr));
}

}  // namespace
}  // namespace nc::analysis
