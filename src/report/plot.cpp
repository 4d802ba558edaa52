#include "report/plot.hpp"

#include <plplot.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

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

struct Box {
  double x, y, w, h;  // pixels, from the top-left corner
};

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

constexpr double kBarGap = 14, kBarWidth = 18;

void draw_axes(const Axes& ax, const PixelFrame& pf) {
  const Resolved lim = resolve_limits(ax);
  // Ticks first: their labels decide the margins.
  Box cell{ax.cell_x, ax.cell_y, ax.cell_w, ax.cell_h};
  const TickSet xt = make_ticks(ax.xticks, lim.x0, lim.x1, cell.w * 0.8);
  const TickSet yt = make_ticks(ax.yticks, lim.y0, lim.y1, cell.h * 0.75, 50);
  const bool bar = ax.colorbar_label.has_value() && ax.img.has_value();
  const TickSet ct =
      bar ? make_ticks(Ticks{}, ax.img->vmin, ax.img->vmax, cell.h * 0.75, 50) : TickSet{};
  Box b = cell;
  if (!ax.fixed_box) {
    const double left = 10 + (ax.ylabel.empty() ? 0 : 1.6 * kFontPx) +
                        (yt.values.empty() ? 0 : yt.max_label_px + kTickPx + 6) + ax.pad_left_px;
    const double bottom = 8 + (xt.values.empty() ? 0 : kFontPx + kTickPx + 6) +
                          (ax.xlabel.empty() ? 0 : 1.6 * kFontPx);
    const double top = ax.title.empty() ? 12 : 2.0 * kTitlePx;
    double right = 14;
    if (bar)
      right += kBarGap + kBarWidth + kTickPx + 6 + ct.max_label_px +
               (ax.colorbar_label->empty() ? 0 : 1.8 * kFontPx);
    b = {cell.x + left, cell.y + top, std::max(10.0, cell.w - left - right),
         std::max(10.0, cell.h - top - bottom)};
  }
  if (ax.equal_aspect) {
    const double ratio = std::abs((lim.y1 - lim.y0) / (lim.x1 - lim.x0));  // height / width wanted
    if (b.h / b.w > ratio) {
      const double h = b.w * ratio;
      b.y += (b.h - h) / 2, b.h = h;
    } else {
      const double w = b.h / ratio;
      b.x += (b.w - w) / 2, b.w = w;
    }
  }

  // Data, clipped to the box.
  plvpor(b.x / pf.w, (b.x + b.w) / pf.w, 1 - (b.y + b.h) / pf.h, 1 - b.y / pf.h);
  plwind(lim.x0, lim.x1, lim.y0, lim.y1);
  if (ax.img) draw_image(ax.img->z, ax.img->map, ax.img->vmin, ax.img->vmax, ax.img->extent);
  const double wx = (lim.x1 - lim.x0) / b.w, wy = (lim.y1 - lim.y0) / b.h;  // world units per pixel
  for (const auto& s : ax.series) {
    set_color(s.color, s.alpha);
    const size_t n = std::min(s.x.size(), s.y.size());
    if (s.kind == Axes::Series::Kind::bars) {
      for (size_t i = 0; i + 1 < s.x.size() && i < s.y.size(); ++i) {
        if (!(s.y[i] > 0)) continue;
        PLFLT bx[4] = {s.x[i], s.x[i + 1], s.x[i + 1], s.x[i]}, by[4] = {0, 0, s.y[i], s.y[i]};
        plfill(4, bx, by);
      }
      continue;
    }
    if (s.kind == Axes::Series::Kind::dots) {
      const double r = s.size_px / 2;
      for (size_t i = 0; i < n; ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
          plarc(s.x[i], s.y[i], r * std::abs(wx), r * std::abs(wy), 0, 360, 0, 1);
      continue;
    }
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

  // Decorations in page pixels.
  pf.use();
  const auto px_x = [&](double v) { return b.x + (v - lim.x0) / (lim.x1 - lim.x0) * b.w; };
  const auto px_y = [&](double v) { return b.y + b.h - (v - lim.y0) / (lim.y1 - lim.y0) * b.h; };
  for (const auto& l : ax.labels) {
    set_color(l.color);
    text_at(pf, b.x + l.fx * b.w, b.y + (1 - l.fy) * b.h, l.s, 0.0, kFontPx);
  }
  if (!ax.legend_entries.empty()) {
    double tw = 0;
    for (const auto& e : ax.legend_entries) tw = std::max(tw, text_width_px(e.label, kFontPx));
    const double row = 1.45 * kFontPx, lw = 30;
    const double w = 10 + lw + 8 + tw + 10, h = 8 + row * ax.legend_entries.size() + 4;
    const auto place = [&](Corner c, double& x, double& y) {
      const bool right = c == Corner::upper_right || c == Corner::lower_right;
      const bool upper = c == Corner::upper_right || c == Corner::upper_left;
      x = right ? b.x + b.w - w - 8 : b.x + 8;
      y = upper ? b.y + 8 : b.y + b.h - h - 8;
    };
    Corner corner = ax.legend_corner;
    if (corner == Corner::best) {
      // Count what the box would hide: every dot, and lines sampled every ~3 pixels.
      size_t fewest = SIZE_MAX;
      for (Corner c :
           {Corner::upper_right, Corner::upper_left, Corner::lower_left, Corner::lower_right}) {
        double x0, y0;
        place(c, x0, y0);
        size_t hidden = 0;
        const auto inside = [&](double px, double py) {
          return px >= x0 && px <= x0 + w && py >= y0 && py <= y0 + h;
        };
        for (const auto& s : ax.series) {
          const size_t n = std::min(s.x.size(), s.y.size());
          for (size_t i = 0; i < n; ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            const double px = px_x(s.x[i]), py = px_y(s.y[i]);
            hidden += inside(px, py);
            if (s.kind != Axes::Series::Kind::line || i + 1 >= n || !std::isfinite(s.x[i + 1]) ||
                !std::isfinite(s.y[i + 1]))
              continue;
            const double qx = px_x(s.x[i + 1]), qy = px_y(s.y[i + 1]);
            const int steps = std::min(2000, static_cast<int>(std::hypot(qx - px, qy - py) / 3));
            for (int k = 1; k < steps; ++k)
              hidden += inside(px + (qx - px) * k / steps, py + (qy - py) * k / steps);
          }
        }
        if (hidden < fewest) fewest = hidden, corner = c;
      }
    }
    double x, y;
    place(corner, x, y);
    PLFLT bx[4] = {x, x + w, x + w, x}, by[4] = {pf.y(y), pf.y(y), pf.y(y + h), pf.y(y + h)};
    set_color({1, 1, 1}, 0.85);
    plfill(4, bx, by);
    set_color({0.8, 0.8, 0.8});
    plwidth(1);
    PLFLT cx[5] = {x, x + w, x + w, x, x},
          cy[5] = {pf.y(y), pf.y(y), pf.y(y + h), pf.y(y + h), pf.y(y)};
    plline(5, cx, cy);
    for (size_t i = 0; i < ax.legend_entries.size(); ++i) {
      const double yy = y + 6 + row * (i + 0.5);
      set_color(ax.legend_entries[i].color);
      if (ax.legend_entries[i].dot) {
        plarc(x + 10 + lw / 2, pf.y(yy), 4, 4, 0, 360, 0, 1);
      } else {
        plwidth(2);
        seg(pf, x + 10, yy, x + 10 + lw, yy);
      }
      set_color(colors::black);
      text_at(pf, x + 10 + lw + 8, yy, ax.legend_entries[i].label, 0.0, kFontPx);
    }
  }
  set_color(colors::black);
  plwidth(1);
  PLFLT fx[5] = {b.x, b.x + b.w, b.x + b.w, b.x, b.x};
  PLFLT fy[5] = {pf.y(b.y), pf.y(b.y), pf.y(b.y + b.h), pf.y(b.y + b.h), pf.y(b.y)};
  plline(5, fx, fy);
  // Crowded x labels (e.g. 21 bin edges) are written on every 2nd, 3rd, ... tick only.
  size_t stride = 1;
  if (xt.values.size() > 1) {
    const double spacing = std::abs(px_x(xt.values[1]) - px_x(xt.values[0]));
    while (stride < xt.values.size() &&
           xt.max_label_px + 10 > spacing * static_cast<double>(stride))
      ++stride;
  }
  for (size_t i = 0; i < xt.values.size(); ++i) {
    const double x = px_x(xt.values[i]);
    seg(pf, x, b.y + b.h, x, b.y + b.h + kTickPx);
    if (i % stride == 0)
      text_at(pf, x, b.y + b.h + kTickPx + 4 + 0.5 * kFontPx, xt.labels[i], 0.5, kFontPx);
  }
  for (size_t i = 0; i < yt.values.size(); ++i) {
    const double y = px_y(yt.values[i]);
    seg(pf, b.x - kTickPx, y, b.x, y);
    text_at(pf, b.x - kTickPx - 4, y, yt.labels[i], 1.0, kFontPx);
  }
  if (!ax.xlabel.empty())
    text_at(pf, b.x + b.w / 2,
            b.y + b.h + (xt.values.empty() ? 6 : kTickPx + 6 + kFontPx) + 0.85 * kFontPx, ax.xlabel,
            0.5, kFontPx);
  if (!ax.ylabel.empty())
    text_at(pf, b.x - (yt.values.empty() ? 6 : kTickPx + 6 + yt.max_label_px) - 0.9 * kFontPx,
            b.y + b.h / 2, ax.ylabel, 0.5, kFontPx, true);
  if (!ax.title.empty()) text_at(pf, b.x + b.w / 2, b.y - 0.9 * kTitlePx, ax.title, 0.5, kTitlePx);

  if (bar) {
    const Box cb{b.x + b.w + kBarGap, b.y, kBarWidth, b.h};
    plvpor(cb.x / pf.w, (cb.x + cb.w) / pf.w, 1 - (cb.y + cb.h) / pf.h, 1 - cb.y / pf.h);
    plwind(0, 1, ax.img->vmin, ax.img->vmax);
    RowMatD ramp(256, 1);
    for (int i = 0; i < 256; ++i)
      ramp(i, 0) = ax.img->vmax - (ax.img->vmax - ax.img->vmin) * (i + 0.5) / 256;
    draw_image(ramp, ax.img->map, ax.img->vmin, ax.img->vmax,
               Extent{0, 1, ax.img->vmin, ax.img->vmax});
    pf.use();
    set_color(colors::black);
    plwidth(1);
    PLFLT bx[5] = {cb.x, cb.x + cb.w, cb.x + cb.w, cb.x, cb.x};
    PLFLT by[5] = {pf.y(cb.y), pf.y(cb.y), pf.y(cb.y + cb.h), pf.y(cb.y + cb.h), pf.y(cb.y)};
    plline(5, bx, by);
    for (size_t i = 0; i < ct.values.size(); ++i) {
      const double y =
          cb.y + cb.h - (ct.values[i] - ax.img->vmin) / (ax.img->vmax - ax.img->vmin) * cb.h;
      seg(pf, cb.x + cb.w, y, cb.x + cb.w + kTickPx, y);
      text_at(pf, cb.x + cb.w + kTickPx + 4, y, ct.labels[i], 0.0, kFontPx);
    }
    if (!ax.colorbar_label->empty())
      text_at(pf, cb.x + cb.w + kTickPx + 8 + ct.max_label_px + 0.8 * kFontPx, cb.y + cb.h / 2,
              *ax.colorbar_label, 0.5, kFontPx, true);
  }
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
  const std::string tmp = io::temp_path_for(path);
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
    io::commit_temp_file(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

double percentile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  const double a = v[i];
  if (i + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end());
  return a + (pos - static_cast<double>(i)) * (b - a);
}

RowMatD resample(const RowMatD& z, const Resample& r) {
  const int64_t rows = std::min<int64_t>(z.rows(), std::max(1, r.max_rows));
  const int64_t cols = std::min<int64_t>(z.cols(), std::max(1, r.max_cols));
  if (rows == z.rows() && cols == z.cols()) return z;
  RowMatD out(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t r0 = i * z.rows() / rows, r1 = std::max(r0 + 1, (i + 1) * z.rows() / rows);
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t c0 = j * z.cols() / cols, c1 = std::max(c0 + 1, (j + 1) * z.cols() / cols);
      if (!r.mean) {
        out(i, j) = z((r0 + r1 - 1) / 2, (c0 + c1 - 1) / 2);
        continue;
      }
      double s = 0;
      int64_t k = 0;
      for (int64_t a = r0; a < r1; ++a)
        for (int64_t c = c0; c < c1; ++c)
          if (std::isfinite(z(a, c))) s += z(a, c), ++k;
      out(i, j) = k ? s / static_cast<double>(k) : NAN;
    }
  }
  return out;
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
