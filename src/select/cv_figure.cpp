#include "select/cv_figure.hpp"

#include <cmath>
#include <filesystem>

#include "report/figure_helpers.hpp"
#include "report/plot.hpp"
#include "select/stats.hpp"

namespace nc::select {
namespace {

void draw_fold_metric(report::Axes& ax, const nlohmann::json& folds, const std::string& metric) {
  std::vector<double> x, y;
  for (size_t i = 0; i < folds.size(); ++i) {
    x.push_back(static_cast<double>(i + 1));
    y.push_back(number_or_nan(folds[i], metric.c_str()));
  }
  const MeanSe s = mean_se(y);
  ax.dots(x, y, report::colors::black, 8.0);
  ax.line({0.5, static_cast<double>(folds.size()) + 0.5}, {s.mean, s.mean}, report::colors::red,
          1.5);
  ax.legend({{"fold", report::colors::black, true}, {"mean", report::colors::red, false}});
  ax.xlabel = "fold (repeats in order)";
  ax.ylabel = metric;
  ax.xticks = report::Ticks::whole();
  ax.title = "per-fold " + metric;
}

void draw_mean_loss(report::Axes& ax, const nlohmann::json& summary) {
  const auto mean = summary["mean_test_loss"].get<std::vector<nlohmann::json>>();
  const auto se = summary["mean_test_loss_se"].get<std::vector<nlohmann::json>>();
  std::vector<double> m, lo, hi;
  for (size_t i = 0; i < mean.size(); ++i) {
    const double a = mean[i].is_number() ? mean[i].get<double>() : NAN;
    const double b = se[i].is_number() ? se[i].get<double>() : 0.0;
    m.push_back(a);
    lo.push_back(a - b);
    hi.push_back(a + b);
  }
  const std::vector<double> x = report::arange(m.size());
  // The band as its two edges: the plotting layer draws lines, and at these widths the
  // edges read as a band.
  ax.line(x, lo, report::colors::grey, 1.0);
  ax.line(x, hi, report::colors::grey, 1.0);
  ax.line(x, m, report::colors::tab10[0], 2.0);
  ax.legend({{"mean test loss", report::colors::tab10[0], false},
             {"+- 1 SE", report::colors::grey, false}});
  ax.xlabel = "iterations of gradient descent";
  ax.ylabel = "test loss";
  ax.title = "best at iteration " + std::to_string(summary["best_iters"].get<int64_t>());
}

}  // namespace

std::string write_cv_figure(const std::string& path, const nlohmann::json& folds,
                            const nlohmann::json& summary, const std::string& metric) {
  // A closed-form decoder has no loss curve: the per-fold metric alone.
  const bool curve = summary.contains("mean_test_loss");
  report::Figure fig(curve ? 1100 : 560, 440);
  draw_fold_metric(fig.subplot(1, curve ? 2 : 1, 0), folds, metric);
  if (curve) draw_mean_loss(fig.subplot(1, 2, 1), summary);
  fig.save(path);
  return std::filesystem::path(path).filename().string();
}

}  // namespace nc::select
