#include "report/figure_helpers.hpp"

#include <algorithm>

#include "core/rng.hpp"

namespace nc::report {

std::vector<int64_t> random_picks(int64_t n, int64_t k, uint64_t seed, uint64_t stream) {
  Rng rng(derive_seed(seed, stream));
  std::vector<int64_t> p = rng.permutation(n);
  p.resize(static_cast<size_t>(std::min(n, k)));
  return p;
}

std::vector<double> arange(size_t n) {
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i);
  return x;
}

AngleOrder angle_order(const std::vector<float>& stimuli) {
  AngleOrder o;
  o.rows.resize(stimuli.size());
  for (size_t i = 0; i < o.rows.size(); ++i) o.rows[i] = static_cast<int64_t>(i);
  std::stable_sort(o.rows.begin(), o.rows.end(),
                   [&](int64_t p, int64_t q) { return stimuli[p] < stimuli[q]; });
  o.angles.resize(o.rows.size());
  for (size_t i = 0; i < o.rows.size(); ++i) o.angles[i] = stimuli[static_cast<size_t>(o.rows[i])];
  return o;
}

std::vector<double> column(CMatMap m, int64_t j) {
  std::vector<double> c(static_cast<size_t>(m.rows()));
  for (int64_t i = 0; i < m.rows(); ++i) c[static_cast<size_t>(i)] = m(i, j);
  return c;
}

std::vector<double> column(CMatMap m, int64_t j, const std::vector<int64_t>& rows) {
  std::vector<double> c(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) c[i] = m(rows[i], j);
  return c;
}

std::string degrees_label(const std::string& what) {
  return what + " (°)";
}

void orientation_xaxis(Axes& ax, const std::string& what) {
  ax.xlabel = degrees_label(what);
  ax.xticks = Ticks::every(90);
}

void draw_loss_panel(Axes& ax, const train::History& h, const std::string& loss_name,
                     const LossPanelStyle& style) {
  ax.line(arange(h.train_loss.size()), h.train_loss, colors::cycle(0));
  if (style.test_dots) {
    const int64_t n = static_cast<int64_t>(h.train_loss.size());
    std::vector<double> iters, losses;
    for (size_t i = 0; i < h.test_loss.size(); ++i) {
      const int64_t iter = static_cast<int64_t>(i) + 1;  // the schedule counts from 1
      if (train::is_progress_iteration(iter, n, style.test_dots->lines,
                                       style.test_dots->first_too)) {
        iters.push_back(static_cast<double>(i));
        losses.push_back(h.test_loss[i]);
      }
    }
    ax.dots(iters, losses, colors::cycle(1), 9);
  } else {
    ax.line(arange(h.test_loss.size()), h.test_loss, colors::cycle(1));
  }
  ax.legend({{"train loss", colors::cycle(0)},
             {"test loss", colors::cycle(1), style.test_dots.has_value()}});
  if (style.from_zero) {
    ax.xlim.lo = 0;
    ax.ylim.lo = 0;
  }
  ax.xlabel = style.xlabel;
  ax.ylabel = loss_name;
}

}  // namespace nc::report
