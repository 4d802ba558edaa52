#include "report/discrimination_figures.hpp"

#include <algorithm>
#include <cmath>

#include "core/format.hpp"
#include "report/plot.hpp"

namespace nc::report {

void write_psychometric_figure(const std::string& path, const analysis::Psychometric& p) {
  Figure fig(700, 520);
  Axes& ax = fig.subplot(1, 1, 0);
  const std::vector<double> d_used(p.d_used.begin(), p.d_used.end());
  const std::vector<double> d_grid(p.d_grid.begin(), p.d_grid.end());
  ax.dots(d_used, p.p_raw, colors::cycle(0), 6);
  ax.dots(d_used, p.p_sym, colors::cycle(1), 6);
  ax.line(d_grid, p.fitted, colors::black, 2);
  ax.line({p.threshold, p.threshold}, {0.0, 0.75}, colors::cycle(3), 1.5);
  ax.xlabel = "stimulus minus reference (°)";
  ax.ylabel = "fraction of \"greater\" choices";
  ax.title = "threshold " + format_number("%.2f", p.threshold) + "° (β " +
             format_number("%.2f", p.beta) + "°)";
  ax.ylim = {0.0, 1.0};
  ax.legend({{"P(d)", colors::cycle(0), true},
             {"symmetrised", colors::cycle(1), true},
             {"logistic fit", colors::black}},
            Corner::upper_left);
  fig.save(path);
}

void write_threshold_curve_figure(const std::string& path, const std::vector<int64_t>& neurons,
                                  const std::vector<double>& thresholds) {
  // Log-log through log10 coordinates, ticks labelled with the values.
  std::vector<double> x, y;
  for (size_t i = 0; i < neurons.size(); ++i) {
    if (!(thresholds[i] > 0) || neurons[i] < 1) continue;
    x.push_back(std::log10(static_cast<double>(neurons[i])));
    y.push_back(std::log10(thresholds[i]));
  }
  Figure fig(700, 520);
  Axes& ax = fig.subplot(1, 1, 0);
  ax.line(x, y, colors::cycle(0), 2);
  ax.dots(x, y, colors::cycle(0), 7);
  const auto decades = [](const std::vector<double>& v, Ticks& t, Limits& lim) {
    if (v.empty()) return;
    const double lo = std::floor(*std::min_element(v.begin(), v.end()));
    const double hi = std::ceil(*std::max_element(v.begin(), v.end()));
    std::vector<std::string> labels;
    for (double e = lo; e <= hi; e += 1) labels.push_back(format_number("%g", std::pow(10.0, e)));
    t = Ticks::labelled(lo, 1.0, labels);
    lim = {lo, std::max(hi, lo + 1)};
  };
  decades(x, ax.xticks, ax.xlim);
  decades(y, ax.yticks, ax.ylim);
  ax.xlabel = "number of neurons";
  ax.ylabel = "discrimination threshold (°)";
  ax.title = "threshold against population size (log-log)";
  fig.save(path);
}

}  // namespace nc::report
