#include "report/decode_figures.hpp"

#include <algorithm>
#include <cmath>

#include "core/format.hpp"
#include "report/figure_helpers.hpp"
#include "report/plot.hpp"

namespace nc::report {
namespace {

constexpr uint64_t kPicksStream = 0x66696773;  // "figs": the tuning curves' random neurons

std::vector<double> to_double(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

// Symmetric colour limit for a weight matrix: the tutorial's fixed limit (so that figures of
// different runs compare, and sparser weights look paler), unless the weights live on another
// scale altogether (99th percentile of |w| over 10x the limit, or under a tenth of it), as on
// data not z-scored like the tutorial's; then that percentile.
double limit_of_p99(double p99, double tutorial_limit) {
  if (!std::isfinite(p99) || !(p99 > 0)) return tutorial_limit;
  return p99 > 10 * tutorial_limit || p99 < 0.1 * tutorial_limit ? p99 : tutorial_limit;
}
double weight_limit(const RowMatD& w, double tutorial_limit) {
  const RowMatD a = w.cwiseAbs();
  return limit_of_p99(percentile(std::vector<double>(a.data(), a.data() + a.size()), 99),
                      tutorial_limit);
}
// The same of float weights, from a float copy (the same percentile as of a double one).
double weight_limit(CMatMap w, double tutorial_limit) {
  std::vector<float> a(static_cast<size_t>(w.size()));
  for (int64_t i = 0; i < w.size(); ++i) a[static_cast<size_t>(i)] = std::abs(w.data()[i]);
  return limit_of_p99(percentile_of_floats(std::move(a), 99), tutorial_limit);
}

// W_in's columns averaged in blocks down to the axes' width, as an anti-aliased imshow shows
// them.
constexpr Resample kWInPixels{.max_rows = 1000, .max_cols = 700, .mean = true};

// `image`: W_in (hidden x neurons) reduced to kWInPixels (WInImages).
void draw_w_in(Axes& ax, const RowMatD& image, int64_t hidden, int64_t neurons,
               const std::string& xlabel, double lim) {
  ax.image(
      image, ColorMap::bwr, -lim, lim,
      Extent{-0.5, static_cast<double>(neurons) - 0.5, static_cast<double>(hidden) - 0.5, -0.5},
      kWInPixels);
  ax.colorbar();
  ax.xlabel = xlabel;
  ax.ylabel = "hidden units";
  ax.title = "W#din#u";
  ax.yticks = Ticks::whole();
  ax.xticks = Ticks::whole();
}

// W_in reduced to its pixels, in file order and sorted by preferred orientation, and its
// colour limit (the 99th percentile of |w| is the same for both orders): made once for the
// three figures that draw it, from the float weights, since at a million neurons a double copy
// of W_in is 160 MB and the sorted one was a column-by-column gather over it.
struct WInImages {
  RowMatD plain, sorted;            // (at most kWInPixels' rows and columns)
  int64_t hidden = 0, neurons = 0;  // W_in's own shape
  double lim = 0;
};
WInImages w_in_images(const models::Decoder& net, const std::vector<int64_t>& order) {
  const CMatMap w = models::decoder_values(net).in_w;
  WInImages images;
  images.plain = resample(w, {}, kWInPixels);
  images.sorted = resample(w, order, kWInPixels);
  images.hidden = w.rows();
  images.neurons = w.cols();
  images.lim = weight_limit(w, 1e-2);
  return images;
}

void write_weights(const std::string& path, const DecodeFigureData& d, const WInImages& images,
                   bool sorted) {
  const RowMatD& win = sorted ? images.sorted : images.plain;
  const RowMatD wout_t = models::decoder_values(d.net).out_w.cast<double>().transpose();  // (H, O)
  Figure fig(1100, 440);
  // W_in is wide (neurons), W_out^T narrow (outputs): W_in gets two thirds of the width.
  draw_w_in(fig.add_cell_px(0, 0, 730, 440), win, images.hidden, images.neurons,
            sorted ? "sorted neurons" : "neurons", images.lim);
  Axes& b = fig.add_cell_px(730, 0, 370, 440);
  const double lim = weight_limit(wout_t, 3.0);
  b.image(wout_t, ColorMap::bwr, -lim, lim);
  b.equal_aspect = true;
  b.colorbar();
  b.xticks = Ticks::none();
  b.yticks = Ticks::whole();
  b.xlabel = "output";
  b.ylabel = "hidden units";
  b.title = "W#dout#u";
  fig.save(path);
}

// At most max_rows of [0, total), the ones a non-averaging resample to max_rows picks.
std::vector<int64_t> every_kth_index(int64_t total, int64_t max_rows) {
  const int64_t rows = std::min(total, max_rows);
  std::vector<int64_t> idx(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t r0 = i * total / rows, r1 = std::max(r0 + 1, (i + 1) * total / rows);
    idx[static_cast<size_t>(i)] = (r0 + r1 - 1) / 2;
  }
  return idx;
}

// (neurons, n_stim): the responses of neurons `idx` to the first n_stim stimuli.
RowMatD stimuli_of_neurons(CMatMap resp, int64_t n_stim, const std::vector<int64_t>& idx) {
  RowMatD x(static_cast<int64_t>(idx.size()), n_stim);
  for (size_t i = 0; i < idx.size(); ++i)
    for (int64_t s = 0; s < n_stim; ++s) x(static_cast<int64_t>(i), s) = resp(s, idx[i]);
  return x;
}

void write_data_matrix(const std::string& path, const DecodeFigureData& d) {
  Figure fig(1200, 500);
  // The tutorial's plot_data_matrix(resp_all[:100, :].T): every neuron's response to the
  // first 100 stimuli, neurons as rows.
  const int64_t n_stim = std::min<int64_t>(100, d.resp.rows());
  const Resample every_kth{.max_rows = 460, .max_cols = 1000, .mean = false};
  // Neurons are taken as the image's resample would pick them (every k-th, one per pixel row),
  // so a million neurons cost what the tutorial's do. The colour limits are percentiles over
  // every neuron up to kAllValues values, beyond that over an evenly spaced subsample.
  constexpr int64_t kAllValues = int64_t{1} << 23;
  const auto neurons_x_stimuli = [&](int64_t max_rows) {
    return stimuli_of_neurons(d.resp, n_stim, every_kth_index(d.resp.cols(), max_rows));
  };
  const RowMatD x = neurons_x_stimuli(every_kth.max_rows);
  // The values for the limits in any order: read row by row of the file (its pages in order,
  // each once), kept as floats (the same percentiles as of doubles, half the memory).
  const std::vector<int64_t> limit_idx =
      every_kth_index(d.resp.cols(), std::max<int64_t>(1, kAllValues / n_stim));
  std::vector<float> all;
  all.reserve(limit_idx.size() * static_cast<size_t>(n_stim));
  for (int64_t s = 0; s < n_stim; ++s)
    for (const int64_t j : limit_idx) all.push_back(d.resp(s, j));
  const double vmin = percentile_of_floats(all, 1), vmax = percentile_of_floats(std::move(all), 99);
  Axes& a = fig.subplot(1, 2, 0);
  // Neurons are subsampled (every k-th row) rather than averaged: averaging unrelated neurons
  // would wash out the single-neuron variability this panel is there to show.
  a.image(x, ColorMap::pink, vmin, vmax, {}, every_kth);
  a.colorbar("normalized neural response");
  a.xticks = Ticks::none();
  a.yticks = Ticks::none();
  a.xlabel = "stimulus";
  a.ylabel = "neuron";

  Axes& b = fig.subplot(1, 2, 1);
  const std::vector<int64_t> picks = random_picks(d.resp.cols(), 3, d.seed, kPicksStream);
  const AngleOrder by_angle = angle_order(d.stimuli);
  std::vector<LegendEntry> legend;
  for (size_t k = 0; k < picks.size(); ++k) {
    b.line(by_angle.angles, column(d.resp, picks[k], by_angle.rows), colors::cycle(k), 1.5);
    legend.push_back({"neuron " + std::to_string(picks[k]), colors::cycle(k)});
  }
  b.legend(legend);
  orientation_xaxis(b);
  b.ylabel = "neural response";
  fig.save(path);
}

void write_training_loss(const std::string& path, const DecodeFigureData& d) {
  Figure fig(700, 500);
  draw_loss_panel(fig.subplot(1, 1, 0), d.history, "mean squared error");
  fig.save(path);
}

std::string bin_label(int i, int n) {
  return format_number("%.0f°", i * 360.0 / n) + " - " +
         format_number("%.0f°", (i + 1) * 360.0 / n);
}

void write_decoded_classes(const std::string& path, const DecodeFigureData& d) {
  const int C = d.classes;
  Figure fig(1500, 560);
  draw_loss_panel(fig.subplot(1, 2, 0), d.history, "negative log likelihood");

  Axes& b = fig.subplot(1, 2, 1);
  const double ylo = -0.05 * (C - 1), yhi = (C - 1) * 1.05;
  // Bin edges first, so that they lie under the points (zorder=-1).
  for (int i = 0; i <= C; ++i) {
    const double e = i * 360.0 / C;
    b.line({e, e}, {ylo, yhi}, colors::grey, 1.0);
  }
  std::vector<double> pc(d.test_predicted.begin(), d.test_predicted.end());
  b.dots(to_double(d.test_angle), pc, colors::cycle(0), 6);
  b.ylim = {ylo, yhi};
  b.xlabel = degrees_label("true stimulus orientation");
  b.ylabel = "decoded orientation bin";
  std::vector<std::string> xl, yl;
  for (int i = 0; i <= C; ++i) xl.push_back(format_number("%.4g", i * 360.0 / C));
  const int ystep = C > 24 ? (C + 23) / 24 : 1;  // keep the bin labels legible for many classes
  for (int i = 0; i < C; i += ystep) yl.push_back(bin_label(i, C));
  b.xticks = Ticks::labelled(0, 360.0 / C, xl);
  b.yticks = Ticks::labelled(0, ystep, yl);
  fig.save(path);
}

void write_hidden_units(const std::string& path, const DecodeFigureData& d,
                        const WInImages& images) {
  Figure fig(1100, 860);
  draw_w_in(fig.subplot(2, 2, 0), images.sorted, images.hidden, images.neurons, "sorted neurons",
            images.lim);

  // h is (H, n_stimuli) in angle order, as the tutorial's relu(W_in @ resp_all.T + b_in).
  std::vector<double> ang(d.pref.row_order.size());
  for (size_t i = 0; i < ang.size(); ++i)
    ang[i] = d.stimuli[static_cast<size_t>(d.pref.row_order[i])];
  const RowMatD h = d.hidden.cast<double>().transpose();
  const double step =
      ang.size() > 1 ? (ang.back() - ang.front()) / static_cast<double>(ang.size() - 1) : 1.0;
  Axes& b = fig.subplot(2, 2, 1);
  const double hmax = h.size() ? h.maxCoeff() : 1.0, hmin = h.size() ? h.minCoeff() : 0.0;
  b.image(h, ColorMap::viridis, hmin, hmax > hmin ? hmax : hmin + 1,
          Extent{ang.front() - step / 2, ang.back() + step / 2, h.rows() - 0.5, -0.5});
  b.colorbar();
  // The whole circle on the axis (so that its 0 and 360 ticks show), as the tutorial's 360 bins.
  b.xlim = {std::min(0.0, ang.front() - step / 2), std::max(360.0, ang.back() + step / 2)};
  orientation_xaxis(b);
  b.ylabel = "hidden units";
  b.title = "#<bold/>h#<medium/>";
  b.yticks = Ticks::whole();

  Axes& c = fig.subplot(2, 2, 3);
  for (int64_t k = 0; k < h.rows(); ++k) {
    std::vector<double> y(h.cols());
    for (int64_t i = 0; i < h.cols(); ++i) y[static_cast<size_t>(i)] = h(k, i);
    c.line(ang, y, colors::cycle(static_cast<size_t>(k)), 1.5);
  }
  orientation_xaxis(c);
  c.ylabel = "hidden unit activity";
  c.title = "#<bold/>h#<medium/> tuning curves";
  fig.save(path);
}

void write_decoded_vs_true(const std::string& path, const DecodeFigureData& d) {
  Figure fig(640, 560);
  Axes& a = fig.subplot(1, 1, 0);
  const std::vector<double> t = to_double(d.test_angle);
  // identityLine(): equal limits spanning both axes' automatic limits.
  double lo = 0, hi = 360;
  for (size_t i = 0; i < t.size(); ++i) {
    lo = std::min({lo, t[i], d.test_decoded[i]});
    hi = std::max({hi, t[i], d.test_decoded[i]});
  }
  const double m = 0.05 * (hi - lo);
  lo -= m, hi += m;
  a.line({lo, hi}, {lo, hi}, colors::grey, 1.5);
  a.dots(t, d.test_decoded, colors::cycle(0), 6);
  a.xlim = {lo, hi};
  a.ylim = {lo, hi};
  orientation_xaxis(a, "true stimulus orientation");
  a.yticks = Ticks::every(90);
  a.ylabel = degrees_label("decoded stimulus orientation");
  a.title = format_number("MSE on testing set: %.2f", d.test_mse);
  fig.save(path);
}

void write_decoding_error(const std::string& path, const DecodeFigureData& d) {
  Figure fig(640, 560);
  Axes& a = fig.subplot(1, 1, 0);
  const std::vector<double> t = to_double(d.test_angle);
  std::vector<double> e(t.size());
  double lo = -360, hi = 360;
  for (size_t i = 0; i < t.size(); ++i) {
    e[i] = d.test_decoded[i] - t[i];
    lo = std::min(lo, e[i]), hi = std::max(hi, e[i]);
  }
  a.dots(t, e, colors::cycle(0), 6);
  a.ylim = {lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)};
  orientation_xaxis(a, "true stimulus orientation");
  a.yticks = Ticks::every(90);
  a.ylabel = degrees_label("decoding error");
  fig.save(path);
}

void write_confusion(const std::string& path, const DecodeFigureData& d) {
  const int C = d.classes;
  RowMatD m = RowMatD::Zero(C, C);
  for (size_t i = 0; i < d.test_class.size() && i < d.test_predicted.size(); ++i) {
    const int t = d.test_class[i], p = d.test_predicted[i];
    if (t >= 0 && t < C && p >= 0 && p < C) m(t, p) += 1;
  }
  Figure fig(680, 580);
  Axes& a = fig.subplot(1, 1, 0);
  a.image(m, ColorMap::viridis, 0, std::max(1.0, m.maxCoeff()));
  a.equal_aspect = true;
  a.colorbar("test stimuli");
  a.xticks = Ticks::whole();
  a.yticks = Ticks::whole();
  a.xlabel = format_number("predicted class (%.4g° bins)", 360.0 / C);
  a.ylabel = "true class";
  a.title = d.fraction_correct >= 0
                ? format_number("confusion matrix, fraction correct %.3f", d.fraction_correct)
                : std::string("confusion matrix");
  fig.save(path);
}

}  // namespace

std::vector<std::string> write_decode_figures(const std::string& dir, const DecodeFigureData& d) {
  const bool classifier = d.classes > 0;
  std::vector<std::string> names;
  const auto out = [&](const std::string& name) {
    names.push_back(name);
    return dir + "/" + name;
  };
  write_data_matrix(out("data_matrix.png"), d);
  if (classifier)
    write_decoded_classes(out("decoded_classes.png"), d);
  else
    write_training_loss(out("training_loss.png"), d);
  const WInImages images = w_in_images(d.net, d.pref.order);
  write_weights(out("weights.png"), d, images, false);
  write_weights(out("weights_sorted.png"), d, images, true);
  write_hidden_units(out("hidden_units.png"), d, images);
  write_decoded_vs_true(out("decoded_vs_true.png"), d);
  write_decoding_error(out("decoding_error.png"), d);
  if (classifier) write_confusion(out("confusion.png"), d);
  return names;
}

}  // namespace nc::report
