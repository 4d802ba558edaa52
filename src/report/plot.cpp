#include "report/plot.hpp"

#include <plplot.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::report {
namespace {

// Sizes in pixels. PLplot's pngcairo device counts 90 pixels per inch when converting its
// millimetre sizes (character height, tick length) to pixels.
constexpr double kFontPx = 14.0;  // tick labels, axis labels, legends
constexpr double kTitlePx = 15.5;
constexpr double kCharWidth = 0.64;  // glyph advance / font size (DejaVu Sans digits: 0.636)
constexpr double kTickPx = 4.5;
constexpr double kDevicePxPerMm = 90.0 / 25.4;

double mm(double px) {
  return px / kDevicePxPerMm;
}

double text_width_px(const std::string& s, double font_px) {
  // Count UTF-8 code points, skipping PLplot escapes such as #d / #u / #<bold/>.
  double n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '#' && i + 1 < s.size()) {
      if (s[i + 1] == '<') {
        const size_t e = s.find('>', i);
        if (e != std::string::npos) i = e;
        continue;
      }
      if (s[i + 1] == 'd' || s[i + 1] == 'u') {
        ++i;
        continue;
      }
    }
    if ((c & 0xC0) != 0x80) n += 1;
  }
  return n * kCharWidth * font_px;
}

struct TickSet {
  std::vector<double> values;
  std::vector<std::string> labels;
  double max_label_px = 0;
};

// About one tick per `spacing_px` along the axis (matplotlib: x ticks sparser than y ticks).
TickSet make_ticks(const Ticks& t, double a, double b, double length_px, double spacing_px = 80) {
  TickSet ts;
  if (t.kind == Ticks::Kind::none) return ts;
  const double lo = std::min(a, b), hi = std::max(a, b);
  const double step =
      t.kind == Ticks::Kind::step
          ? t.step
          : nice_step(lo, hi, std::clamp(static_cast<int>(length_px / spacing_px), 3, 9),
                      t.integer);
  if (!(step > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return ts;
  const double eps = 1e-9 * std::max(1.0, hi - lo);
  // Ticks sit at first + k*step (first = 0 unless labels name them from elsewhere).
  const double k0 = std::ceil((lo - t.first - eps) / step);
  for (double k = k0;; k += 1) {
    const double v = t.first + k * step;
    if (v > hi + eps) break;
    if (ts.values.size() > 200) break;
    ts.values.push_back(std::abs(v) < eps ? 0.0 : v);
    std::string s;
    if (!t.labels.empty()) {
      // Named ticks: only those with a name are drawn.
      const long i = std::lround(k);
      if (i < 0 || i >= static_cast<long>(t.labels.size())) {
        ts.values.pop_back();
        continue;
      }
      s = t.labels[static_cast<size_t>(i)];
    } else {
      s = format_tick(v, step);
    }
    ts.max_label_px = std::max(ts.max_label_px, text_width_px(s, kFontPx));
    ts.labels.push_back(std::move(s));
  }
  return ts;
}

void set_color(Rgb c, double alpha = 1.0) {
  const auto b = [](double v) {
    return static_cast<PLINT>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
  };
  plscol0a(15, b(c.r), b(c.g), b(c.b), std::clamp(alpha, 0.0, 1.0));
  plcol0(15);
}

void set_colormap(ColorMap map) {
  PLINT r[256], g[256], b[256];
  for (int i = 0; i < 256; ++i) {
    const Rgb c = colormap_rgb(map, i / 255.0);
    r[i] = static_cast<PLINT>(std::lround(c.r * 255));
    g[i] = static_cast<PLINT>(std::lround(c.g * 255));
    b[i] = static_cast<PLINT>(std::lround(c.b * 255));
  }
  plscmap1(r, g, b, 256);
}

// Draws z (rows x cols, row 0 at `top`) into the current window.
void draw_image(const RowMatD& z, ColorMap map, double vmin, double vmax, const Extent& e) {
  set_colormap(map);
  // With no transform, plimagefr takes its nx x ny values as the nodes of a grid spanning the
  // extent and fills the (nx-1) x (ny-1) cells between them, each with the value at its lower
  // left node. One extra node row and column (copies of the last) makes that one cell per
  // value, each of the same size.
  const PLINT nx = static_cast<PLINT>(z.cols()) + 1, ny = static_cast<PLINT>(z.rows()) + 1;
  std::vector<PLFLT> buf(static_cast<size_t>(nx) * ny);
  std::vector<const PLFLT*> cols(static_cast<size_t>(nx));
  const bool flipped = e.top < e.bottom;  // imshow: row 0 at the smaller y value
  for (PLINT i = 0; i < nx; ++i) {
    PLFLT* col = &buf[static_cast<size_t>(i) * ny];
    cols[static_cast<size_t>(i)] = col;
    const int64_t c = std::min<int64_t>(i, z.cols() - 1);
    for (PLINT j = 0; j < ny; ++j) {
      const int64_t jj = std::min<int64_t>(j, z.rows() - 1);
      const double v = z(flipped ? jj : z.rows() - 1 - jj, c);
      col[j] = std::isfinite(v) ? std::clamp(v, vmin, vmax) : vmin;
    }
  }
  const double y0 = std::min(e.top, e.bottom), y1 = std::max(e.top, e.bottom);
  plimagefr(cols.data(), nx, ny, e.left, e.right, y0, y1, vmin, vmax, vmin, vmax, nullptr, nullptr);
}

struct Box {
  double x, y, w, h;  // pixels, from the top-left corner
};

// The page in pixels, y upwards, for decorations (ticks, labels, legends) outside the data box.
struct PixelFrame {
  double w, h;
  void use() const {
    plvpor(0, 1, 0, 1);
    plwind(0, w, 0, h);
  }
  // y measured from the top, as the layout is.
  double y(double from_top) const { return h - from_top; }
};

// Makes the box the viewport, for drawing in world coordinates clipped to it.
void set_viewport(const PixelFrame& pf, const Box& b) {
  plvpor(b.x / pf.w, (b.x + b.w) / pf.w, 1 - (b.y + b.h) / pf.h, 1 - b.y / pf.h);
}

// plptex's reference point is the middle of the text's height; `just` 0 left .. 1 right.
void text_at(const PixelFrame& pf, double x, double y_top, const std::string& s, double just,
             double font_px, bool vertical = false) {
  plschr(mm(font_px), 1.0);
  if (vertical)
    plptex(x, pf.y(y_top), 0, 1, just, s.c_str());
  else
    plptex(x, pf.y(y_top), 1, 0, just, s.c_str());
}

void seg(const PixelFrame& pf, double x0, double y0, double x1, double y1) {
  PLFLT xs[2] = {x0, x1}, ys[2] = {pf.y(y0), pf.y(y1)};
  plline(2, xs, ys);
}

// The box's outline in the current pen (page pixels).
void outline(const PixelFrame& pf, const Box& b) {
  PLFLT xs[5] = {b.x, b.x + b.w, b.x + b.w, b.x, b.x};
  PLFLT ys[5] = {pf.y(b.y), pf.y(b.y), pf.y(b.y + b.h), pf.y(b.y + b.h), pf.y(b.y)};
  plline(5, xs, ys);
}

struct Resolved {
  double x0, x1, y0, y1;  // world limits: x left..right, y bottom..top
};

Resolved resolve_limits(const Axes& ax) {
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : ax.series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  }
  Resolved r{};
  if (ax.img) {
    r = {ax.img->extent.left, ax.img->extent.right, ax.img->extent.bottom, ax.img->extent.top};
  } else {
    const auto pad = [](double& lo, double& hi) {
      if (!std::isfinite(lo)) lo = 0, hi = 1;
      if (hi - lo < 1e-12 * std::max(1.0, std::abs(lo))) {
        const double d = std::abs(lo) > 0 ? 0.05 * std::abs(lo) : 0.5;
        lo -= d, hi += d;
      } else {
        const double m = 0.05 * (hi - lo);  // matplotlib's default margins
        lo -= m, hi += m;
      }
    };
    pad(xmin, xmax);
    pad(ymin, ymax);
    r = {xmin, xmax, ymin, ymax};
  }
  if (ax.xlim.lo) r.x0 = *ax.xlim.lo;
  if (ax.xlim.hi) r.x1 = *ax.xlim.hi;
  if (ax.ylim.lo) r.y0 = *ax.ylim.lo;
  if (ax.ylim.hi) r.y1 = *ax.ylim.hi;
  if (r.x1 == r.x0) r.x1 = r.x0 + 1;
  if (r.y1 == r.y0) r.y1 = r.y0 + 1;
  return r;
}

// Data coordinates to page pixels (from the top-left corner) once the data box is placed.
struct DataToPixels {
  Box b;
  Resolved lim;
  double x(double v) const { return b.x + (v - lim.x0) / (lim.x1 - lim.x0) * b.w; }
  double y(double v) const { return b.y + b.h - (v - lim.y0) / (lim.y1 - lim.y0) * b.h; }
};

// Layout: the data box inside the axes' cell, and its frame.

constexpr double kBarGap = 14, kBarWidth = 18;

struct AxesTicks {
  TickSet x, y, bar;  // bar: the colour bar's, empty without one
};

bool has_colorbar(const Axes& ax) {
  return ax.colorbar_label.has_value() && ax.img.has_value();
}

// Ticks come before the layout: their labels decide the margins. So they are spaced for the
// cell's size less a guess at its margins, not for the data box that comes of them.
AxesTicks make_axes_ticks(const Axes& ax, const Resolved& lim) {
  AxesTicks t;
  t.x = make_ticks(ax.xticks, lim.x0, lim.x1, ax.cell_w * 0.8);
  t.y = make_ticks(ax.yticks, lim.y0, lim.y1, ax.cell_h * 0.75, 50);
  if (has_colorbar(ax))
    t.bar = make_ticks(Ticks{}, ax.img->vmin, ax.img->vmax, ax.cell_h * 0.75, 50);
  return t;
}

// The data box: the cell less margins for tick labels, axis labels, title and colour bar
// (a fixed box is taken as it is).
Box data_box(const Axes& ax, const AxesTicks& t) {
  const Box cell{ax.cell_x, ax.cell_y, ax.cell_w, ax.cell_h};
  if (ax.fixed_box) return cell;
  const double left = 10 + (ax.ylabel.empty() ? 0 : 1.6 * kFontPx) +
                      (t.y.values.empty() ? 0 : t.y.max_label_px + kTickPx + 6) + ax.pad_left_px;
  const double bottom = 8 + (t.x.values.empty() ? 0 : kFontPx + kTickPx + 6) +
                        (ax.xlabel.empty() ? 0 : 1.6 * kFontPx);
  const double top = ax.title.empty() ? 12 : 2.0 * kTitlePx;
  double right = 14;
  if (has_colorbar(ax))
    right += kBarGap + kBarWidth + kTickPx + 6 + t.bar.max_label_px +
             (ax.colorbar_label->empty() ? 0 : 1.8 * kFontPx);
  return {cell.x + left, cell.y + top, std::max(10.0, cell.w - left - right),
          std::max(10.0, cell.h - top - bottom)};
}

// The box shrunk about its centre so that one data unit is as long on both axes.
Box fit_equal_aspect(Box b, const Resolved& lim) {
  const double ratio = std::abs((lim.y1 - lim.y0) / (lim.x1 - lim.x0));  // height / width wanted
  if (b.h / b.w > ratio) {
    const double h = b.w * ratio;
    b.y += (b.h - h) / 2, b.h = h;
  } else {
    const double w = b.h / ratio;
    b.x += (b.w - w) / 2, b.w = w;
  }
  return b;
}

// Leaves the pen black and 1 px wide: the ticks are drawn with it.
void draw_frame(const PixelFrame& pf, const Box& b) {
  set_color(colors::black);
  plwidth(1);
  outline(pf, b);
}

// Series, in world coordinates (the viewport is the data box).

// Bar i spans x[i]..x[i+1] (x holds the bin edges, one more than the heights in y).
void draw_bars(const Axes::Series& s) {
  for (size_t i = 0; i + 1 < s.x.size() && i < s.y.size(); ++i) {
    if (!(s.y[i] > 0)) continue;
    PLFLT bx[4] = {s.x[i], s.x[i + 1], s.x[i + 1], s.x[i]}, by[4] = {0, 0, s.y[i], s.y[i]};
    plfill(4, bx, by);
  }
}

// wx, wy: world units per pixel, so that the dots are round whatever the axes' scales.
void draw_dots(const Axes::Series& s, double wx, double wy) {
  const size_t n = std::min(s.x.size(), s.y.size());
  const double r = s.size_px / 2;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
      plarc(s.x[i], s.y[i], r * std::abs(wx), r * std::abs(wy), 0, 360, 0, 1);
}

// A polyline, broken where a point is not finite.
void draw_line(const Axes::Series& s) {
  const size_t n = std::min(s.x.size(), s.y.size());
  plwidth(s.size_px);
  std::vector<PLFLT> xs, ys;
  const auto flush = [&] {
    if (xs.size() >= 2) plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    xs.clear(), ys.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
      xs.push_back(s.x[i]);
      ys.push_back(s.y[i]);
    } else {
      flush();
    }
  }
  flush();
}

void draw_series(const std::vector<Axes::Series>& series, const DataToPixels& m) {
  const double wx = (m.lim.x1 - m.lim.x0) / m.b.w, wy = (m.lim.y1 - m.lim.y0) / m.b.h;
  for (const auto& s : series) {
    set_color(s.color, s.alpha);
    switch (s.kind) {
      case Axes::Series::Kind::bars:
        draw_bars(s);
        break;
      case Axes::Series::Kind::dots:
        draw_dots(s, wx, wy);
        break;
      case Axes::Series::Kind::line:
        draw_line(s);
        break;
    }
  }
}

// The image under the series, both clipped to the data box.
void draw_data(const Axes& ax, const PixelFrame& pf, const DataToPixels& m) {
  set_viewport(pf, m.b);
  plwind(m.lim.x0, m.lim.x1, m.lim.y0, m.lim.y1);
  if (ax.img) draw_image(ax.img->z, ax.img->map, ax.img->vmin, ax.img->vmax, ax.img->extent);
  draw_series(ax.series, m);
}

// Legend, in page pixels.

constexpr double kLegendRow = 1.45 * kFontPx, kLegendSample = 30;  // row height, line sample

// The legend's box in corner c of the data box, 8 px in from its sides.
Box legend_box(const std::vector<LegendEntry>& entries, const Box& b, Corner c) {
  double tw = 0;
  for (const auto& e : entries) tw = std::max(tw, text_width_px(e.label, kFontPx));
  const double w = 10 + kLegendSample + 8 + tw + 10, h = 8 + kLegendRow * entries.size() + 4;
  const bool right = c == Corner::upper_right || c == Corner::lower_right;
  const bool upper = c == Corner::upper_right || c == Corner::upper_left;
  return {right ? b.x + b.w - w - 8 : b.x + 8, upper ? b.y + 8 : b.y + b.h - h - 8, w, h};
}

// What a box at r would hide: every dot, and lines sampled every ~3 pixels.
size_t points_under(const std::vector<Axes::Series>& series, const DataToPixels& m, const Box& r) {
  const auto inside = [&](double px, double py) {
    return px >= r.x && px <= r.x + r.w && py >= r.y && py <= r.y + r.h;
  };
  size_t hidden = 0;
  for (const auto& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      const double px = m.x(s.x[i]), py = m.y(s.y[i]);
      hidden += inside(px, py);
      if (s.kind != Axes::Series::Kind::line || i + 1 >= n || !std::isfinite(s.x[i + 1]) ||
          !std::isfinite(s.y[i + 1]))
        continue;
      const double qx = m.x(s.x[i + 1]), qy = m.y(s.y[i + 1]);
      const int steps = std::min(2000, static_cast<int>(std::hypot(qx - px, qy - py) / 3));
      for (int k = 1; k < steps; ++k)
        hidden += inside(px + (qx - px) * k / steps, py + (qy - py) * k / steps);
    }
  }
  return hidden;
}

// Corner::best resolved: the corner that hides the fewest points (the first such in the order
// tried).
Corner legend_corner(const Axes& ax, const DataToPixels& m) {
  if (ax.legend_corner != Corner::best) return ax.legend_corner;
  Corner corner = Corner::best;
  size_t fewest = SIZE_MAX;
  for (Corner c :
       {Corner::upper_right, Corner::upper_left, Corner::lower_left, Corner::lower_right}) {
    const size_t hidden = points_under(ax.series, m, legend_box(ax.legend_entries, m.b, c));
    if (hidden < fewest) fewest = hidden, corner = c;
  }
  return corner;
}

void draw_legend(const Axes& ax, const PixelFrame& pf, const DataToPixels& m) {
  const Box r = legend_box(ax.legend_entries, m.b, legend_corner(ax, m));
  PLFLT bx[4] = {r.x, r.x + r.w, r.x + r.w, r.x};
  PLFLT by[4] = {pf.y(r.y), pf.y(r.y), pf.y(r.y + r.h), pf.y(r.y + r.h)};
  set_color({1, 1, 1}, 0.85);
  plfill(4, bx, by);
  set_color({0.8, 0.8, 0.8});
  plwidth(1);
  outline(pf, r);
  for (size_t i = 0; i < ax.legend_entries.size(); ++i) {
    const LegendEntry& e = ax.legend_entries[i];
    const double y = r.y + 6 + kLegendRow * (i + 0.5);
    set_color(e.color);
    if (e.dot) {
      plarc(r.x + 10 + kLegendSample / 2, pf.y(y), 4, 4, 0, 360, 0, 1);
    } else {
      plwidth(2);
      seg(pf, r.x + 10, y, r.x + 10 + kLegendSample, y);
    }
    set_color(colors::black);
    text_at(pf, r.x + 10 + kLegendSample + 8, y, e.label, 0.0, kFontPx);
  }
}

// Ticks, text and colour bar, in page pixels.

// Crowded x labels (e.g. 21 bin edges) are written on every 2nd, 3rd, ... tick only.
size_t x_label_stride(const TickSet& xt, const DataToPixels& m) {
  size_t stride = 1;
  if (xt.values.size() > 1) {
    const double spacing = std::abs(m.x(xt.values[1]) - m.x(xt.values[0]));
    while (stride < xt.values.size() &&
           xt.max_label_px + 10 > spacing * static_cast<double>(stride))
      ++stride;
  }
  return stride;
}

// Tick marks with their labels below and left of the data box, in the current pen.
void draw_ticks(const PixelFrame& pf, const DataToPixels& m, const AxesTicks& t) {
  const Box& b = m.b;
  const size_t stride = x_label_stride(t.x, m);
  for (size_t i = 0; i < t.x.values.size(); ++i) {
    const double x = m.x(t.x.values[i]);
    seg(pf, x, b.y + b.h, x, b.y + b.h + kTickPx);
    if (i % stride == 0)
      text_at(pf, x, b.y + b.h + kTickPx + 4 + 0.5 * kFontPx, t.x.labels[i], 0.5, kFontPx);
  }
  for (size_t i = 0; i < t.y.values.size(); ++i) {
    const double y = m.y(t.y.values[i]);
    seg(pf, b.x - kTickPx, y, b.x, y);
    text_at(pf, b.x - kTickPx - 4, y, t.y.labels[i], 1.0, kFontPx);
  }
}

// Axes::text labels, placed in fractions of the data box.
void draw_text_labels(const std::vector<Axes::Label>& labels, const PixelFrame& pf, const Box& b) {
  for (const auto& l : labels) {
    set_color(l.color);
    text_at(pf, b.x + l.fx * b.w, b.y + (1 - l.fy) * b.h, l.s, 0.0, kFontPx);
  }
}

// The x and y axis labels, beyond the tick labels, and the title above the box.
void draw_axis_labels(const Axes& ax, const PixelFrame& pf, const Box& b, const AxesTicks& t) {
  if (!ax.xlabel.empty())
    text_at(pf, b.x + b.w / 2,
            b.y + b.h + (t.x.values.empty() ? 6 : kTickPx + 6 + kFontPx) + 0.85 * kFontPx,
            ax.xlabel, 0.5, kFontPx);
  if (!ax.ylabel.empty())
    text_at(pf, b.x - (t.y.values.empty() ? 6 : kTickPx + 6 + t.y.max_label_px) - 0.9 * kFontPx,
            b.y + b.h / 2, ax.ylabel, 0.5, kFontPx, true);
  if (!ax.title.empty()) text_at(pf, b.x + b.w / 2, b.y - 0.9 * kTitlePx, ax.title, 0.5, kTitlePx);
}

// The colour bar right of the data box b: a 256-step ramp of the image's map, framed, with
// ticks `ct` and the label along it.
void draw_colorbar(const Axes::Image& img, const std::string& label, const PixelFrame& pf,
                   const Box& b, const TickSet& ct) {
  const Box cb{b.x + b.w + kBarGap, b.y, kBarWidth, b.h};
  set_viewport(pf, cb);
  plwind(0, 1, img.vmin, img.vmax);
  RowMatD ramp(256, 1);  // (256, 1), vmax at the top
  for (int i = 0; i < 256; ++i) ramp(i, 0) = img.vmax - (img.vmax - img.vmin) * (i + 0.5) / 256;
  draw_image(ramp, img.map, img.vmin, img.vmax, Extent{0, 1, img.vmin, img.vmax});
  pf.use();
  draw_frame(pf, cb);
  for (size_t i = 0; i < ct.values.size(); ++i) {
    const double y = cb.y + cb.h - (ct.values[i] - img.vmin) / (img.vmax - img.vmin) * cb.h;
    seg(pf, cb.x + cb.w, y, cb.x + cb.w + kTickPx, y);
    text_at(pf, cb.x + cb.w + kTickPx + 4, y, ct.labels[i], 0.0, kFontPx);
  }
  if (!label.empty())
    text_at(pf, cb.x + cb.w + kTickPx + 8 + ct.max_label_px + 0.8 * kFontPx, cb.y + cb.h / 2, label,
            0.5, kFontPx, true);
}

// One axes: the layout first (limits, ticks, margins), then the data clipped to its box, then
// the decorations over it in page pixels.
void draw_axes(const Axes& ax, const PixelFrame& pf) {
  const Resolved lim = resolve_limits(ax);
  const AxesTicks ticks = make_axes_ticks(ax, lim);
  Box b = data_box(ax, ticks);
  if (ax.equal_aspect) b = fit_equal_aspect(b, lim);
  const DataToPixels m{b, lim};
  draw_data(ax, pf, m);
  pf.use();
  draw_text_labels(ax.labels, pf, b);
  if (!ax.legend_entries.empty()) draw_legend(ax, pf, m);
  draw_frame(pf, b);
  draw_ticks(pf, m, ticks);
  draw_axis_labels(ax, pf, b, ticks);
  if (has_colorbar(ax)) draw_colorbar(*ax.img, *ax.colorbar_label, pf, b, ticks.bar);
}

std::mutex g_plplot_mutex;

// PLplot exits the process when asked for a device it lacks, so the device is looked up first.
bool have_pngcairo() {
  static const bool found = [] {
    const char* menu_buf[128];
    const char* name_buf[128];
    const char** menu = menu_buf;
    const char** names = name_buf;
    int n = 128;  // in: room in the arrays; out: devices found
    plgDevs(&menu, &names, &n);
    for (int i = 0; i < n; ++i)
      if (names[i] && std::strcmp(names[i], "pngcairo") == 0) return true;
    return false;
  }();
  return found;
}

}  // namespace

void Axes::line(const std::vector<double>& x, const std::vector<double>& y, Rgb color,
                double width_px) {
  series.push_back({x, y, color, width_px, 1.0, Series::Kind::line});
}

void Axes::dots(const std::vector<double>& x, const std::vector<double>& y, Rgb color,
                double diameter_px, double alpha) {
  series.push_back({x, y, color, diameter_px, alpha, Series::Kind::dots});
}

void Axes::bars(const std::vector<double>& edges, const std::vector<double>& heights, Rgb color) {
  series.push_back({edges, heights, color, 0, 1.0, Series::Kind::bars});
}

void Axes::image(const RowMatD& z, ColorMap map, double vmin, double vmax,
                 std::optional<Extent> extent, Resample r) {
  Image im;
  im.map = map;
  im.vmin = vmin;
  im.vmax = vmax > vmin ? vmax : vmin + 1;
  im.extent = extent.value_or(Extent{-0.5, z.cols() - 0.5, z.rows() - 0.5, -0.5});
  im.z = resample(z, r);
  img = std::move(im);
}

void Axes::colorbar(std::string label) {
  colorbar_label = std::move(label);
}

void Axes::legend(std::vector<LegendEntry> entries, Corner where) {
  legend_entries = std::move(entries);
  legend_corner = where;
}

void Axes::text(double fx, double fy, std::string s, Rgb color) {
  labels.push_back({fx, fy, std::move(s), color});
}

Figure::Figure(int width_px, int height_px) : width_(width_px), height_(height_px) {}

Axes& Figure::subplot(int rows, int cols, int index) {
  Axes& a = axes_.emplace_back();
  const int r = index / cols, c = index % cols;
  a.cell_w = static_cast<double>(width_) / cols;
  a.cell_h = static_cast<double>(height_ - (suptitle.empty() ? 0 : 30)) / rows;
  a.cell_x = c * a.cell_w;
  a.cell_y = (suptitle.empty() ? 0 : 30) + r * a.cell_h;
  return a;
}

Axes& Figure::add_cell_px(double x, double y, double w, double h) {
  Axes& a = axes_.emplace_back();
  a.cell_x = x, a.cell_y = y, a.cell_w = w, a.cell_h = h;
  return a;
}

Axes& Figure::add_axes_px(double x, double y, double w, double h) {
  Axes& a = axes_.emplace_back();
  a.cell_x = x, a.cell_y = y, a.cell_w = w, a.cell_h = h;
  a.fixed_box = true;
  return a;
}

void Figure::save(const std::string& path) const {
  const std::lock_guard<std::mutex> lock(g_plplot_mutex);
  if (!have_pngcairo())
    throw IoError(
        path +
        ": cannot draw: PLplot's pngcairo device is missing (Debian package plplot-driver-cairo)");
  // PLplot exits the process when it cannot open its output file, so the temporary file is
  // created (and checked) here first; the device then truncates and writes it.
  const std::string tmp = temp_path_for(path);
  std::FILE* probe = std::fopen(tmp.c_str(), "wb");
  if (!probe) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
  std::fclose(probe);
  try {
    plsstrm(0);
    plsdev("pngcairo");
    plsfnam(tmp.c_str());
    plspage(90, 90, width_, height_, 0, 0);
    plscolbg(255, 255, 255);
    plscmap0n(16);
    plinit();
    pladv(0);
    plsfont(PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_MEDIUM);
    plsmaj(0, 0);
    plsmin(0, 0);
    const PixelFrame pf{static_cast<double>(width_), static_cast<double>(height_)};
    for (const Axes& a : axes_) draw_axes(a, pf);
    if (!suptitle.empty()) {
      pf.use();
      set_color(colors::black);
      text_at(pf, width_ / 2.0, 16, suptitle, 0.5, kTitlePx);
    }
    plend1();
    commit_temp_file(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

namespace {

template <class T>
double percentile_of(std::vector<T> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](T x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  const double a = v[i];
  if (i + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end());
  return a + (pos - static_cast<double>(i)) * (b - a);
}

// z (n_rows x n_cols) given by at(a, c), averaged over blocks (or sampled) down to r's limits.
template <class At>
RowMatD resample_of(int64_t n_rows, int64_t n_cols, const At& at, const Resample& r) {
  const int64_t rows = std::min<int64_t>(n_rows, std::max(1, r.max_rows));
  const int64_t cols = std::min<int64_t>(n_cols, std::max(1, r.max_cols));
  RowMatD out(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t r0 = i * n_rows / rows, r1 = std::max(r0 + 1, (i + 1) * n_rows / rows);
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t c0 = j * n_cols / cols, c1 = std::max(c0 + 1, (j + 1) * n_cols / cols);
      if (!r.mean) {
        out(i, j) = at((r0 + r1 - 1) / 2, (c0 + c1 - 1) / 2);
        continue;
      }
      double s = 0;
      int64_t k = 0;
      for (int64_t a = r0; a < r1; ++a)
        for (int64_t c = c0; c < c1; ++c)
          if (const double v = at(a, c); std::isfinite(v)) s += v, ++k;
      out(i, j) = k ? s / static_cast<double>(k) : NAN;
    }
  }
  return out;
}

}  // namespace

double percentile(std::vector<double> v, double q) {
  return percentile_of(std::move(v), q);
}

double percentile_of_floats(std::vector<float> v, double q) {
  return percentile_of(std::move(v), q);
}

RowMatD resample(const RowMatD& z, const Resample& r) {
  if (z.rows() <= std::max(1, r.max_rows) && z.cols() <= std::max(1, r.max_cols)) return z;
  return resample_of(
      z.rows(), z.cols(), [&](int64_t a, int64_t c) { return z(a, c); }, r);
}

RowMatD resample(CMatMap z, const std::vector<int64_t>& order, const Resample& r) {
  if (order.empty())
    return resample_of(
        z.rows(), z.cols(), [&](int64_t a, int64_t c) { return static_cast<double>(z(a, c)); }, r);
  return resample_of(
      z.rows(), static_cast<int64_t>(order.size()),
      [&](int64_t a, int64_t c) {
        return static_cast<double>(z(a, order[static_cast<size_t>(c)]));
      },
      r);
}

std::string format_tick(double value, double step) {
  int decimals = 0;
  while (decimals < 8) {
    const double scaled = step * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, std::abs(scaled))) break;
    ++decimals;
  }
  if (std::abs(value) < 0.5 * step * 1e-6) value = 0;
  char buf[64];
  if (std::abs(value) >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3g", value);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = buf;
  if (s.rfind("-0", 0) == 0 && std::strtod(buf, nullptr) == 0.0) s = s.substr(1);  // no "-0.0"
  // A true minus sign, as matplotlib draws it.
  if (!s.empty() && s[0] == '-') s = "\u2212" + s.substr(1);
  return s;
}

double nice_step(double lo, double hi, int target, bool integer) {
  const double range = std::abs(hi - lo);
  if (!(range > 0) || !std::isfinite(range)) return 1;
  const double a = std::min(lo, hi), b = std::max(lo, hi);
  const auto count = [&](double s) {
    return std::floor(b / s + 1e-9) - std::ceil(a / s - 1e-9) + 1;
  };
  // As matplotlib's MaxNLocator: the smallest step of 1, 2, 2.5, 5 x 10^k that gives at most
  // target + 1 ticks (whole-number axes skip 2.5 and steps below 1).
  const double mag = std::pow(10.0, std::floor(std::log10(range / std::max(1, target))) - 1);
  for (int e = 0; e < 4; ++e) {
    for (double f : {1.0, 2.0, 2.5, 5.0}) {
      const double s = f * mag * std::pow(10.0, e);
      if (integer && (s < 1 || s != std::round(s))) continue;
      if (count(s) <= target + 1) return s;
    }
  }
  return integer ? std::max(1.0, std::round(range)) : range;
}

}  // namespace nc::report
