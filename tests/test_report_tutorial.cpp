// `neurocodec tutorial` on small data (--quick): every section's folder, figures and metrics, and
// an index.html that shows every figure that exists and only those; --data-dir files; errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "analysis/sparsity.hpp"
#include "cli_helpers.hpp"
#include "core/format.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"
#include "png_check.hpp"
#include "runs/tutorial_run.hpp"

namespace nc {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp;

std::set<std::string> img_sources(const std::string& html) {
  std::set<std::string> s;
  const std::regex img(R"(<img src="([^"]+)\")");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), img); it != std::sregex_iterator();
       ++it)
    s.insert((*it)[1].str());
  return s;
}

std::set<std::string> pngs_under(const std::string& dir) {
  std::set<std::string> s;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".png") s.insert(fs::relative(e.path(), dir).string());
  return s;
}

void expect_complete_report(const std::string& out) {
  const std::string html = slurp(out + "/index.html");
  ASSERT_FALSE(html.empty());
  const std::set<std::string> imgs = img_sources(html);
  const std::set<std::string> pngs = pngs_under(out);
  // Every <img> points at a figure that exists, and every figure is on the page.
  EXPECT_EQ(imgs, pngs);
  EXPECT_GE(pngs.size(), 7u + 8u + 8u + 5u);
  for (const auto& p : pngs) {
    const auto info = testing::read_png(out + "/" + p);
    EXPECT_TRUE(info.ok) << p << ": " << info.error;
    // The page gives each image its own size, so it lays out before the images arrive.
    EXPECT_NE(html.find("src=\"" + p + "\" width=\"" + std::to_string(info.width) + "\" height=\"" +
                        std::to_string(info.height) + "\""),
              std::string::npos)
        << p;
  }
  for (const char* sub :
       {"section1_regression", "section2_classifier", "section2_regularized", "section3_encoder"})
    EXPECT_TRUE(fs::exists(out + "/" + sub + "/metrics.json")) << sub;
  // The metric tables and the options.
  for (const char* text :
       {"fraction correct", "test MSE", "circular error", "median test correlation",
        "median noise ceiling", "Timings", "Options", "<table>"})
    EXPECT_NE(html.find(text), std::string::npos) << text;
  EXPECT_EQ(html.find("n/a"), std::string::npos) << "a metric is missing";
}

TEST(ReportTutorial, QuickRunOnSimulatedDataWritesTheWholeReport) {
  const std::string out = testing::fresh_dir("tutorial");
  const auto r = run_cli("tutorial --quick --out " + out);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  // Progress per stage.
  for (const char* stage : {"[1/4]", "[2/4]", "[3/4]", "[4/4]", "index.html"})
    EXPECT_NE(r.out.find(stage), std::string::npos) << stage << "\n" << r.out;
  expect_complete_report(out);
  const std::string html = slurp(out + "/index.html");
  // Says at the top that the data are simulated.
  const size_t note = html.find("Simulated data");
  ASSERT_NE(note, std::string::npos);
  EXPECT_LT(note, html.find("<h2>"));
  // The regularised classifier's weights are sparser: more of its W_in lies near zero, and its
  // median |w| is smaller, measured on the models the runs saved.
  const auto sparsity = [&](const char* sub) {
    const io::NpzContents m = io::read_npz(out + "/" + sub + "/model.npz");
    const io::NpyArray& a = m.at("in_layer.weight");
    const std::vector<float> w = a.to_float();
    return analysis::weight_sparsity(CMatMap(w.data(), a.shape[0], a.shape[1]));
  };
  const analysis::WeightSparsity plain = sparsity("section2_classifier"),
                                 reg = sparsity("section2_regularized");
  EXPECT_GT(reg.fraction_small, 1.3 * plain.fraction_small)
      << reg.fraction_small << " vs " << plain.fraction_small;
  EXPECT_LT(reg.median_abs, plain.median_abs);
  // and the page's sparsity table shows both.
  EXPECT_NE(html.find(format_number("%.3f", reg.fraction_small)), std::string::npos);
  EXPECT_NE(html.find(format_number("%.3f", plain.fraction_small)), std::string::npos);
  fs::remove_all(out);
}

TEST(ReportTutorial, UsesTheFilesOfDataDir) {
  const std::string data = testing::fresh_dir("tutdata"), out = testing::fresh_dir("tutout");
  ASSERT_EQ(run_cli("simulate --neurons 300 --trials 1440 --out " + data + "/" +
                    runs::kTutorialDecodeFile)
                .status,
            0);
  ASSERT_EQ(run_cli("simulate --split --neurons 300 --trials 1440 --out " + data + "/" +
                    runs::kTutorialEncodeFile)
                .status,
            0);
  const auto r = run_cli("tutorial --quick --data-dir " + data + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  expect_complete_report(out);
  const std::string html = slurp(out + "/index.html");
  EXPECT_EQ(html.find("Simulated data"), std::string::npos);
  EXPECT_NE(html.find(runs::kTutorialDecodeFile), std::string::npos);
  EXPECT_NE(html.find(runs::kTutorialEncodeFile), std::string::npos);
  EXPECT_EQ(testing::read_json(out + "/section1_regression/metrics.json")["n_neurons"], 300);
  fs::remove_all(data);
  fs::remove_all(out);
}

TEST(ReportTutorial, MissingDataFileIsAOneLineErrorPointingToFetchData) {
  const std::string data = testing::fresh_dir("tutempty"), out = testing::fresh_dir("tutout2");
  const auto r = run_cli("tutorial --data-dir " + data + " --out " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(runs::kTutorialDecodeFile), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fetch-data"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out + "/index.html"));
  EXPECT_TRUE(fs::is_empty(out));
  fs::remove_all(data);
  fs::remove_all(out);
}

}  // namespace
}  // namespace nc
