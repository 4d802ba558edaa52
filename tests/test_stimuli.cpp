// Gratings and the seed's filter bank against numpy goldens (tests/golden/gratings.npz,
// filters.npz made by tools/make_goldens.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/npz.hpp"
#include "sim/stimuli.hpp"

namespace nc::sim {
namespace {

const io::NpzContents& gratings_npz() {
  static const io::NpzContents npz = io::read_npz(std::string(NC_GOLDEN_DIR) + "/gratings.npz");
  return npz;
}
const io::NpzContents& filters_npz() {
  static const io::NpzContents npz = io::read_npz(std::string(NC_GOLDEN_DIR) + "/filters.npz");
  return npz;
}

std::vector<float> tutorial_stimuli(size_t n) {
  std::vector<float> s(n);
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<float>(3.0 + 360.0 * static_cast<double>(i) / static_cast<double>(n));
  return s;
}

// Compares an image with a golden array element by element; reports the count of mismatches.
void expect_image_eq(const RowMat& img, const io::NpyArray& want, const std::string& what) {
  ASSERT_EQ(want.shape.size(), 2u) << what;
  ASSERT_EQ(img.rows(), want.shape[0]) << what;
  ASSERT_EQ(img.cols(), want.shape[1]) << what;
  const std::vector<float> w = want.to_float();
  int64_t bad = 0;
  for (int64_t r = 0; r < img.rows(); ++r)
    for (int64_t c = 0; c < img.cols(); ++c)
      if (img(r, c) != w[static_cast<size_t>(r * img.cols() + c)]) {
        if (bad < 5)
          ADD_FAILURE() << what << " (" << r << ", " << c << "): got " << img(r, c) << ", want "
                        << w[static_cast<size_t>(r * img.cols() + c)];
        ++bad;
      }
  EXPECT_EQ(bad, 0) << what << ": pixels that differ";
}

TEST(EncoderAngles, SixtyStimuliUseTheTutorialOrientations) {
  const std::vector<double> a = encoder_angles(tutorial_stimuli(60));
  const io::NpyArray& want = gratings_npz().at("angles_60");
  ASSERT_EQ(want.shape, (std::vector<int64_t>{60}));
  EXPECT_EQ(a, want.to_double());
  EXPECT_EQ(a.front(), -180.0);
  EXPECT_EQ(a.back(), 174.0);
}

TEST(EncoderAngles, OtherCountsUseTheStimuli) {
  const std::vector<float> s = tutorial_stimuli(59);
  const std::vector<double> a = encoder_angles(s);
  ASSERT_EQ(a.size(), 59u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(a[i], static_cast<double>(s[i]));
  const std::vector<float> s3 = {10.5f, 0.0f, 359.0f};
  EXPECT_EQ(encoder_angles(s3), (std::vector<double>{10.5, 0.0, 359.0}));
}

TEST(GratingStack, SixtyGratingsMatchGolden) {
  const ImageStack st = grating_stack(encoder_angles(tutorial_stimuli(60)));
  const io::NpyArray& want = gratings_npz().at("gratings_60");
  ASSERT_EQ(want.shape, (std::vector<int64_t>{60, 12, 16}));
  EXPECT_EQ(st.n, 60);
  EXPECT_EQ(st.height, 12);
  EXPECT_EQ(st.width, 16);
  ASSERT_EQ(st.pixels.size(), 11520u);
  const std::vector<float> w = want.to_float();
  int64_t bad = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (st.pixels[i] != w[i]) {
      if (bad < 5)
        ADD_FAILURE() << "image " << i / 192 << " pixel " << i % 192 << ": got " << st.pixels[i]
                      << ", want " << w[i];
      ++bad;
    }
  }
  EXPECT_EQ(bad, 0) << "of 11520 pixels differ";
}

TEST(GratingStack, ImagesAreBinaryAndOppositeAnglesEqual) {
  const ImageStack st = grating_stack({0.0, 30.0, 210.0});
  ASSERT_EQ(st.n, 3);
  const size_t px = static_cast<size_t>(st.height * st.width);
  for (float v : st.pixels) EXPECT_TRUE(v == 0.5f || v == -0.5f) << v;
  // grating(theta) == grating(theta + 180): cos is even (DESIGN.md "Encoder quirks")
  for (size_t i = 0; i < px; ++i) EXPECT_EQ(st.pixels[px + i], st.pixels[2 * px + i]) << i;
  // angle 0: the first row is cos(x) > 0 along x, so not constant
  bool varies = false;
  for (size_t i = 1; i < static_cast<size_t>(st.width); ++i) varies |= st.pixels[i] != st.pixels[0];
  EXPECT_TRUE(varies);
}

TEST(Grating, DefaultResolutionMatchesGolden) {
  const RowMat g = grating(30.0);
  EXPECT_EQ(g.rows(), 48);
  EXPECT_EQ(g.cols(), 64);
  expect_image_eq(g, gratings_npz().at("grating_30deg_res01"), "grating(30)");
}

TEST(Grating, PatchMatchesGolden) {
  const RowMat g = grating(45.0, 1.0 / 28.0, 0.1, /*patch=*/true);
  expect_image_eq(g, gratings_npz().at("grating_patch_45"), "grating(45, patch)");
  // Outside the disc the pixels are 0; inside they are +-0.5.
  EXPECT_EQ(g(0, 0), 0.0f);
  EXPECT_EQ(g(47, 0), 0.0f);
  EXPECT_NE(g(24, 48), 0.0f);  // the disc's centre (3/4 width, 1/2 height)
}

void expect_filters(int C, int K, const std::string& key) {
  const std::vector<float> f = filter_bank(C, K);
  const io::NpyArray& want = filters_npz().at(key);
  ASSERT_EQ(want.shape, (std::vector<int64_t>{C, 1, K, K})) << key;
  const std::vector<float> w = want.to_float();
  ASSERT_EQ(f.size(), w.size()) << key;
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(f[i], w[i], 1e-6) << key << " index " << i;
  // each filter zero-mean, max |value| ~1 before centring
  const size_t kk = static_cast<size_t>(K) * static_cast<size_t>(K);
  for (int c = 0; c < C; ++c) {
    double mean = 0;
    for (size_t i = 0; i < kk; ++i) mean += f[static_cast<size_t>(c) * kk + i];
    EXPECT_NEAR(mean / static_cast<double>(kk), 0.0, 1e-6) << key << " channel " << c;
  }
}

TEST(FilterBank, MatchesGolden) {
  expect_filters(6, 7, "filters_6_7");
  expect_filters(4, 5, "filters_4_5");
  expect_filters(2, 3, "filters_2_3");
  expect_filters(8, 9, "filters_8_9");
}

TEST(FilterBank, SecondFilterIsNegativeOfFirst) {
  const std::vector<float> f = filter_bank(6, 7);
  for (size_t i = 0; i < 49; ++i) EXPECT_FLOAT_EQ(f[49 + i], -f[i]) << i;
}

TEST(FilterBank, RefusesTooFewChannelsOrNoKernel) {
  EXPECT_THROW(filter_bank(1, 7), InputError);
  EXPECT_THROW(filter_bank(0, 7), InputError);
  EXPECT_THROW(filter_bank(6, 0), InputError);
}

}  // namespace
}  // namespace nc::sim
