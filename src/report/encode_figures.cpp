#include "report/encode_figures.hpp"

#include <algorithm>
#include <cmath>

#include "core/format.hpp"
#include "report/figure_helpers.hpp"
#include "report/plot.hpp"

namespace nc::report {
namespace {

// The random neurons of each figure come from a stream of their own.
constexpr uint64_t kTuningStream = 0x74756e65;      // "tune"
constexpr uint64_t kPredictionStream = 0x70726564;  // "pred"

void write_tuning(const std::string& path, const EncodeFigureData& d) {
  Figure fig(1500, 760);
  const std::vector<int64_t> picks = random_picks(d.resp_train.cols(), 15, d.seed, kTuningStream);
  // plot_tuning draws against the file's stimuli in their order; sorted here for the lines.
  const AngleOrder by_angle = angle_order(d.stimuli);
  for (size_t k = 0; k < picks.size(); ++k) {
    Axes& ax = fig.subplot(3, 5, static_cast<int>(k));
    const std::vector<double> tr = column(cmap(d.resp_train), picks[k], by_angle.rows);
    const std::vector<double> te = column(cmap(d.resp_test), picks[k], by_angle.rows);
    double lo = -0.5, hi = 2.4;  // the tutorial's ylim, widened if a curve leaves it
    for (size_t i = 0; i < tr.size(); ++i)
      lo = std::min({lo, tr[i], te[i]}), hi = std::max({hi, tr[i], te[i]});
    ax.line(by_angle.angles, tr, colors::yellow, 2);
    ax.line(by_angle.angles, te, colors::magenta, 2);
    ax.ylim = {lo, hi};
    ax.title = "neuron " + std::to_string(picks[k]);
    orientation_xaxis(ax);
    ax.ylabel = "neural response";
    if (k == 0) ax.legend({{"train", colors::yellow}, {"test", colors::magenta}});
  }
  fig.save(path);
}

void write_training(const std::string& path, const EncodeFigureData& d) {
  Figure fig(700, 520);
  // The tutorial evaluates the test loss at its progress iterations only (1 and every N/10).
  draw_loss_panel(fig.subplot(1, 1, 0), d.history, "Mean squared error",
                  {.xlabel = "Gradient descent iteration",
                   .from_zero = false,
                   .test_dots = train::kEncoderProgress});
  fig.save(path);
}

void write_predictions(const std::string& path, const EncodeFigureData& d) {
  Figure fig(1500, 640);
  const std::vector<int64_t> picks =
      random_picks(d.resp_train.cols(), 10, d.seed, kPredictionStream);
  const std::vector<double> bins = arange(static_cast<size_t>(d.resp_train.rows()));
  for (size_t k = 0; k < picks.size(); ++k) {
    Axes& ax = fig.subplot(2, 5, static_cast<int>(k));
    ax.line(bins, column(cmap(d.resp_train), picks[k]), colors::yellow, 1.2);
    ax.line(bins, column(cmap(d.resp_test), picks[k]), colors::magenta, 1.8);
    ax.line(bins, column(cmap(d.prediction), picks[k]), colors::green, 3.5);
    ax.title = "neuron " + std::to_string(picks[k]);
    ax.xlabel = "stimulus bin";
    ax.ylabel = "response";
    if (k == 0)
      ax.legend(
          {{"train", colors::yellow}, {"test", colors::magenta}, {"prediction", colors::green}},
          Corner::upper_left);
  }
  fig.save(path);
}

void write_filters(const std::string& path, const EncodeFigureData& d) {
  const int C = d.net.shape.channels, K = d.net.shape.kernel;
  const float* w = d.net.params.value_vec(models::kConvWeight).data();
  const size_t n = static_cast<size_t>(C) * K * K;
  const bool with_init = d.conv_init.size() == n;
  // One symmetric limit for every panel: the largest |weight| (plot_weights' wmax).
  double wmax = 0;
  for (size_t i = 0; i < n; ++i) wmax = std::max(wmax, static_cast<double>(std::abs(w[i])));
  if (with_init)
    for (float v : d.conv_init) wmax = std::max(wmax, static_cast<double>(std::abs(v)));
  if (!(wmax > 0)) wmax = 1;
  const int rows = with_init ? 2 : 1;
  const double panel = 150, gap = 40, left = 70, top = 40, bar = 110;
  const int width = static_cast<int>(left + C * (panel + gap) + bar);
  const int height = static_cast<int>(top + rows * (panel + 60) + 10);
  Figure fig(width, height);
  for (int r = 0; r < rows; ++r) {
    const float* src = r == 0 ? w : d.conv_init.data();
    for (int c = 0; c < C; ++c) {
      RowMatD f(K, K);
      for (int i = 0; i < K; ++i)
        for (int j = 0; j < K; ++j) f(i, j) = src[(static_cast<size_t>(c) * K + i) * K + j];
      Axes& ax = fig.add_axes_px(left + c * (panel + gap), top + r * (panel + 60), panel, panel);
      ax.image(f, ColorMap::bwr, -wmax, wmax);
      ax.xticks = Ticks::whole();
      ax.yticks = Ticks::whole();
      ax.title = "channel " + std::to_string(c);
      if (c == 0) ax.ylabel = r == 0 ? "trained" : "initial";
      if (c == C - 1 && r == 0) ax.colorbar();
    }
  }
  fig.save(path);
}

void write_fit(const std::string& path, const EncodeFigureData& d) {
  const analysis::EncodingFit& f = d.fit;
  std::vector<double> ceil, corr, norm;
  for (size_t i = 0; i < f.included.size(); ++i) {
    if (!f.included[i]) continue;
    ceil.push_back(f.noise_ceiling[i]);
    corr.push_back(f.test_corr[i]);
    norm.push_back(f.normalized_corr[i]);
  }
  Figure fig(1300, 560);
  Axes& a = fig.subplot(1, 2, 0);
  a.line({-0.2, 1.0}, {-0.2, 1.0}, colors::grey, 1.5);
  // Many thousands of neurons: small translucent dots show where they pile up.
  a.dots(ceil, corr, colors::cycle(0), ceil.size() > 5000 ? 2.5 : 4,
         ceil.size() > 5000 ? 0.25 : 0.6);
  a.xlim = {0, 1};
  a.ylim = {-0.2, 1};
  a.xlabel = "noise ceiling  √(split-half r)";
  a.ylabel = "test correlation r(prediction, test)";
  a.title = format_number("per neuron (%.0f included)", static_cast<double>(ceil.size()));
  a.legend({{"r = noise ceiling", colors::grey}}, Corner::upper_left);

  Axes& b = fig.subplot(1, 2, 1);
  const int nb = 40;
  double lo = -0.5, hi = 1.5;
  std::vector<double> edges(nb + 1), counts(nb, 0.0);
  for (int i = 0; i <= nb; ++i) edges[static_cast<size_t>(i)] = lo + (hi - lo) * i / nb;
  for (double v : norm) {
    if (!std::isfinite(v)) continue;
    const int k = std::clamp(static_cast<int>(std::floor((v - lo) / (hi - lo) * nb)), 0, nb - 1);
    counts[static_cast<size_t>(k)] += 1;
  }
  b.bars(edges, counts, colors::cycle(0));
  const double cmax = counts.empty() ? 1 : *std::max_element(counts.begin(), counts.end());
  if (std::isfinite(f.median_normalized_corr))
    b.line({f.median_normalized_corr, f.median_normalized_corr}, {0, cmax * 1.05}, colors::red, 2);
  b.xlim = {lo, hi};
  b.ylim = {0, std::max(1.0, cmax * 1.08)};
  b.xlabel = "normalized correlation (test r / noise ceiling; end bins hold the rest)";
  b.ylabel = "neurons";
  b.title = format_number("median normalized correlation %.3f", f.median_normalized_corr);
  b.legend({{"median", colors::red}}, Corner::upper_left);
  fig.save(path);
}

}  // namespace

std::vector<std::string> write_encode_figures(const std::string& dir, const EncodeFigureData& d) {
  std::vector<std::string> names;
  const auto out = [&](const std::string& name) {
    names.push_back(name);
    return dir + "/" + name;
  };
  write_tuning(out("encoder_tuning.png"), d);
  write_training(out("encoder_training.png"), d);
  write_predictions(out("encoder_predictions.png"), d);
  write_filters(out("conv_filters.png"), d);
  write_fit(out("encoder_fit.png"), d);
  return names;
}

}  // namespace nc::report
