// The plotting layer (colour maps, ticks, percentiles, PNG output) and the figures that decode
// and encode write: valid PNGs with the expected names, sizes and drawn content; none with
// --no-plots.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "golden_helpers.hpp"
#include "png_check.hpp"
#include "report/colormap.hpp"
#include "report/figure_helpers.hpp"
#include "report/plot.hpp"
#include "train/history.hpp"

namespace nc {
namespace {

namespace fs = std::filesystem;
using testing::golden;
using testing::run_cli;

std::set<std::string> files_with_extension(const std::string& dir, const std::string& ext) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.insert(e.path().filename().string());
  return out;
}

// Every file is a PNG of a plausible figure size with a drawing on it (many colours, not a
// blank page).
void expect_figure(const std::string& path) {
  SCOPED_TRACE(path);
  const testing::PngInfo p = testing::read_png(path);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_GE(p.width, 300);
  EXPECT_LE(p.width, 2000);
  EXPECT_GE(p.height, 200);
  EXPECT_LE(p.height, 1200);
  EXPECT_GT(p.file_size, 5000u);
  EXPECT_GT(p.distinct_colours, 20u);
  EXPECT_GT(p.non_white_fraction, 0.01);
}

TEST(ReportColorMap, MatchesMatplotlib) {
  using report::ColorMap;
  using report::colormap_rgb;
  // pink = sqrt((2 gray + hot) / 3): (0.1178, 0, 0) at 0, white at 1.
  const auto p0 = colormap_rgb(ColorMap::pink, 0), p1 = colormap_rgb(ColorMap::pink, 1);
  EXPECT_NEAR(p0.r, 0.1178, 1e-3);
  EXPECT_NEAR(p0.g, 0.0, 1e-9);
  EXPECT_NEAR(p0.b, 0.0, 1e-9);
  EXPECT_NEAR(p1.r, 1.0, 1e-9);
  EXPECT_NEAR(p1.g, 1.0, 1e-9);
  EXPECT_NEAR(p1.b, 1.0, 1e-9);
  // matplotlib's _pink_data at 0.5: (0.8165, 0.6719, 0.5774) within the table's resolution.
  const auto ph = colormap_rgb(ColorMap::pink, 0.5);
  EXPECT_NEAR(ph.r, 0.8165, 2e-3);
  EXPECT_NEAR(ph.g, 0.6719, 5e-3);
  EXPECT_NEAR(ph.b, 0.5774, 2e-3);
  // bwr: blue, white, red.
  const auto b0 = colormap_rgb(ColorMap::bwr, 0), bh = colormap_rgb(ColorMap::bwr, 0.5),
             b1 = colormap_rgb(ColorMap::bwr, 1);
  EXPECT_EQ(b0.r, 0.0);
  EXPECT_EQ(b0.b, 1.0);
  EXPECT_EQ(bh.r, 1.0);
  EXPECT_EQ(bh.g, 1.0);
  EXPECT_EQ(bh.b, 1.0);
  EXPECT_EQ(b1.r, 1.0);
  EXPECT_EQ(b1.b, 0.0);
  // viridis ends: #440154 and #fde725.
  EXPECT_NEAR(colormap_rgb(ColorMap::viridis, 0).r, 68 / 255.0, 2e-3);
  EXPECT_NEAR(colormap_rgb(ColorMap::viridis, 1).g, 231 / 255.0, 2e-3);
}

TEST(ReportPlot, PercentileIsNumpysLinear) {
  EXPECT_DOUBLE_EQ(report::percentile({1, 2, 3, 4, 5}, 25), 2.0);
  EXPECT_DOUBLE_EQ(report::percentile({5, 1, 4, 2, 3}, 50), 3.0);
  EXPECT_DOUBLE_EQ(report::percentile({0, 10}, 1), 0.1);
  EXPECT_DOUBLE_EQ(report::percentile({0, 10, NAN}, 99), 9.9);  // non-finite values ignored
  EXPECT_TRUE(std::isnan(report::percentile({}, 50)));
}

// W_in's images are reduced from the float weights, in file order or with their columns in a
// given order, without a double copy: the same pixels as resampling that copy, bit for bit,
// by block means and by samples, and the whole matrix when it fits.
TEST(ReportPlot, ResampleOfFloatColumnsInOrderIsThatOfTheirDoubleCopy) {
  RowMat w(7, 2500);
  for (int64_t i = 0; i < w.size(); ++i)
    w.data()[i] = std::cos(0.011f * static_cast<float>(i * i % 977)) * 0.02f;
  std::vector<int64_t> order(static_cast<size_t>(w.cols()));
  for (int64_t j = 0; j < w.cols(); ++j) order[static_cast<size_t>(j)] = (j * 1237) % w.cols();
  RowMatD sorted(w.rows(), w.cols());
  for (int64_t j = 0; j < w.cols(); ++j)
    sorted.col(j) = w.col(order[static_cast<size_t>(j)]).cast<double>();
  for (const report::Resample r : {report::Resample{.max_rows = 1000, .max_cols = 700},
                                   report::Resample{.max_rows = 4, .max_cols = 333, .mean = false},
                                   report::Resample{.max_rows = 10, .max_cols = 5000}}) {
    const RowMatD plain = report::resample(cmap(w), {}, r);
    EXPECT_EQ(plain, report::resample(RowMatD(w.cast<double>()), r));
    const RowMatD in_order = report::resample(cmap(w), order, r);
    EXPECT_EQ(in_order, report::resample(sorted, r));
    EXPECT_NE(in_order, plain);
  }
}

// Percentiles of floats are those of their double copy, bit for bit (the figures take them from
// float copies of W_in and of the responses at a million neurons), non-finite values ignored.
TEST(ReportPlot, PercentileOfFloatsIsThatOfTheirDoubles) {
  std::vector<float> f;
  for (int i = 0; i < 1001; ++i) f.push_back(std::sin(0.37f * static_cast<float>(i)) * 3.1f);
  f[17] = NAN;
  f[500] = INFINITY;
  const std::vector<double> d(f.begin(), f.end());
  for (const double q : {0.0, 1.0, 33.3, 50.0, 99.0, 100.0})
    EXPECT_EQ(report::percentile_of_floats(f, q), report::percentile(d, q)) << q;
  EXPECT_NE(report::percentile_of_floats(f, 1.0), report::percentile_of_floats(f, 99.0));
}

TEST(ReportPlot, TicksAndLabels) {
  EXPECT_DOUBLE_EQ(report::nice_step(0, 360, 4), 100.0);
  EXPECT_DOUBLE_EQ(report::nice_step(0, 1, 5), 0.2);
  EXPECT_DOUBLE_EQ(report::nice_step(-0.01, 0.01, 4), 0.005);
  EXPECT_DOUBLE_EQ(report::nice_step(-0.5, 9.5, 4, true), 2.0);  // whole numbers: no 2.5
  EXPECT_EQ(report::format_tick(0.005, 0.005), "0.005");
  EXPECT_EQ(report::format_tick(-1, 0.5), "\u22121.0");
  EXPECT_EQ(report::format_tick(1e-17, 0.25), "0.00");  // no "-0"
  EXPECT_EQ(report::format_tick(20000, 10000), "20000");
}

TEST(ReportPlot, FigureIsAnAtomicPngOfTheRequestedSize) {
  const std::string dir = testing::fresh_dir("plot");
  report::Figure fig(640, 480);
  report::Axes& a = fig.subplot(1, 2, 0);
  RowMatD z(20, 30);
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 30; ++j) z(i, j) = std::sin(i * 0.3) * std::cos(j * 0.2);
  a.image(z, report::ColorMap::bwr, -1, 1);
  a.colorbar("weight");
  a.title = "W#din#u";
  report::Axes& b = fig.subplot(1, 2, 1);
  b.line({0, 90, 180, 270, 360}, {0, 1, 0, -1, 0}, report::colors::cycle(0));
  b.dots({0, 180}, {0.5, -0.5}, report::colors::magenta);
  b.xlabel = "stimulus orientation (°)";
  b.legend({{"a line", report::colors::cycle(0)}});
  fig.save(dir + "/f.png");
  expect_figure(dir + "/f.png");
  const auto p = testing::read_png(dir + "/f.png");
  EXPECT_EQ(p.width, 640);
  EXPECT_EQ(p.height, 480);
  // Nothing but the figure: the temporary file was renamed into place.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
  fs::remove_all(dir);
}

TEST(ReportPlot, UnwritablePathThrowsAndLeavesNothing) {
  report::Figure fig(300, 200);
  fig.subplot(1, 1, 0).line({0, 1}, {0, 1}, report::colors::black);
  EXPECT_THROW(fig.save("/nonexistent_neurocodec_dir/f.png"), IoError);
}

TEST(ReportFigureHelpers, PicksAnglesColumnsAndLabels) {
  const std::vector<int64_t> p = report::random_picks(10, 4, 7, 1);
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(std::set<int64_t>(p.begin(), p.end()).size(), 4u);  // distinct
  for (int64_t i : p) EXPECT_TRUE(i >= 0 && i < 10);
  EXPECT_EQ(report::random_picks(10, 4, 7, 1), p);  // reproducible
  EXPECT_NE(report::random_picks(10, 4, 7, 2), p);  // another figure, another stream
  EXPECT_EQ(report::random_picks(3, 5, 7, 1).size(), 3u);

  // Ties keep the file order.
  const report::AngleOrder o = report::angle_order({90, 0, 45, 0});
  EXPECT_EQ(o.rows, (std::vector<int64_t>{1, 3, 2, 0}));
  EXPECT_EQ(o.angles, (std::vector<double>{0, 0, 45, 90}));
  RowMat m(3, 2);
  m << 1, 2, 3, 4, 5, 6;
  EXPECT_EQ(report::column(cmap(m), 1), (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(report::column(cmap(m), 0, {2, 0}), (std::vector<double>{5, 1}));
  EXPECT_EQ(report::arange(3), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(report::degrees_label("decoding error"), "decoding error (°)");
}

TEST(ReportFigureHelpers, LossPanelTestLossAsLineOrDots) {
  train::History h;
  for (int i = 0; i < 20; ++i) h.train_loss.push_back(1.0 / (i + 1)), h.test_loss.push_back(0.5);
  report::Axes line, dots;
  report::draw_loss_panel(line, h, "mean squared error");
  ASSERT_EQ(line.series.size(), 2u);
  EXPECT_EQ(line.series[1].kind, report::Axes::Series::Kind::line);
  EXPECT_EQ(line.series[1].x.size(), 20u);
  EXPECT_EQ(line.xlim.lo, 0.0);
  EXPECT_EQ(line.ylabel, "mean squared error");
  report::draw_loss_panel(
      dots, h, "loss",
      {.xlabel = "iteration", .from_zero = false, .test_dots = train::kEncoderProgress});
  ASSERT_EQ(dots.series.size(), 2u);
  EXPECT_EQ(dots.series[1].kind, report::Axes::Series::Kind::dots);
  // Iteration 1 and every 20/10 = 2nd (1-based), drawn at 0-based x.
  EXPECT_EQ(dots.series[1].x, (std::vector<double>{0, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}));
  EXPECT_FALSE(dots.xlim.lo.has_value());
  ASSERT_EQ(dots.legend_entries.size(), 2u);
  EXPECT_TRUE(dots.legend_entries[1].dot);
}

TEST(ReportFigures, DecodeClassifierWritesItsFigures) {
  const std::string out = testing::fresh_dir("figcls");
  const auto r =
      run_cli("decode --data " + golden("decoder_data.npz") + " --iters 50 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::set<std::string> expected = {
      "data_matrix.png",  "decoded_classes.png", "weights.png",        "weights_sorted.png",
      "hidden_units.png", "decoded_vs_true.png", "decoding_error.png", "confusion.png"};
  EXPECT_EQ(files_with_extension(out, ".png"), expected);
  for (const auto& f : expected) expect_figure(out + "/" + f);
  // metrics.json lists them, and is still the last file written (it exists, so all do).
  const auto m = testing::read_json(out + "/metrics.json");
  EXPECT_EQ(m["figures"].size(), expected.size());
  for (const auto& f : m["figures"]) EXPECT_TRUE(expected.count(f.get<std::string>())) << f;
  fs::remove_all(out);
}

TEST(ReportFigures, DecodeRegressionWritesItsFigures) {
  const std::string out = testing::fresh_dir("figreg");
  const auto r = run_cli("decode --model regression --data " + golden("decoder_data.npz") +
                         " --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::set<std::string> expected = {
      "data_matrix.png",  "training_loss.png",   "weights.png",       "weights_sorted.png",
      "hidden_units.png", "decoded_vs_true.png", "decoding_error.png"};
  EXPECT_EQ(files_with_extension(out, ".png"), expected);
  for (const auto& f : expected) expect_figure(out + "/" + f);
  fs::remove_all(out);
}

TEST(ReportFigures, EncodeWritesItsFigures) {
  const std::string out = testing::fresh_dir("figenc");
  const auto r = run_cli("encode --data " + golden("encoder_data.npz") +
                         " --iters 10 --lr 0.1 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::set<std::string> expected = {"encoder_tuning.png", "encoder_training.png",
                                          "encoder_predictions.png", "conv_filters.png",
                                          "encoder_fit.png"};
  EXPECT_EQ(files_with_extension(out, ".png"), expected);
  for (const auto& f : expected) expect_figure(out + "/" + f);
  fs::remove_all(out);
}

TEST(ReportFigures, NoPlotsWritesNone) {
  const std::string a = testing::fresh_dir("noplots_dec"), b = testing::fresh_dir("noplots_enc");
  auto r = run_cli("decode --data " + golden("decoder_data.npz") +
                   " --iters 5 --quiet --no-plots --out " + a);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli("encode --data " + golden("encoder_data.npz") +
              " --iters 3 --lr 0.1 --quiet --no-plots --out " + b);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(files_with_extension(a, ".png").empty());
  EXPECT_TRUE(files_with_extension(b, ".png").empty());
  EXPECT_TRUE(fs::exists(a + "/metrics.json"));
  EXPECT_TRUE(fs::exists(b + "/metrics.json"));
  EXPECT_FALSE(testing::read_json(a + "/metrics.json").contains("figures"));
  fs::remove_all(a);
  fs::remove_all(b);
}

}  // namespace
}  // namespace nc
