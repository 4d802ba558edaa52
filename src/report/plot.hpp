#pragma once
// A thin plotting layer over PLplot (C API, pngcairo device): figures made of axes that hold
// lines, dots, heatmaps with colour bars, legends and text, drawn in the style of the
// tutorial's matplotlib figures and written atomically as PNG.
//
// Why PLplot: of the two plotting libraries in Debian that were evaluated, PLplot
// (libplplot-dev + plplot-driver-cairo) renders anti-aliased PNG through Cairo with UTF-8 text
// (°, sub/superscripts, bold), takes ~0.1 s per figure and pulls in few packages; MathGL
// (libmgl-dev) draws comparable images but its -dev package drags in Qt5, wxWidgets, FLTK,
// MPI and HDF, spends ~2 s loading its fonts per process and needs colour schemes spelled as
// strings. The layer is retained-mode (an Axes records what to draw, Figure::save() draws it)
// so that limits can be computed from the data, as matplotlib does, before PLplot is called.
//
// PLplot keeps global state and is not thread-safe: Figure::save() serialises on a mutex.
// Text goes through PLplot's escapes: '#' starts one ("#d" subscript, "#u" superscript,
// "#<bold/>" ... "#<medium/>"), so literal '#' must be written "##".
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.hpp"
#include "report/colormap.hpp"

namespace nc::report {

// Tick marks of one axis.
struct Ticks {
  enum class Kind { automatic, none, step };
  Kind kind = Kind::automatic;
  double step = 0;                  // Kind::step: a tick at every multiple of step in the limits
  double first = 0;                 // with labels: the value that labels[0] names
  std::vector<std::string> labels;  // optional text per tick (first + i*step -> labels[i])
  bool integer = false;             // automatic ticks on whole numbers only (image rows/columns)

  static Ticks none() { return {.kind = Kind::none, .step = 0, .first = 0, .labels = {}}; }
  static Ticks every(double step) {
    return {.kind = Kind::step, .step = step, .first = 0, .labels = {}};
  }
  static Ticks labelled(double first, double step, std::vector<std::string> labels) {
    return {.kind = Kind::step, .step = step, .first = first, .labels = std::move(labels)};
  }
  static Ticks whole() {
    return {.kind = Kind::automatic, .step = 0, .first = 0, .labels = {}, .integer = true};
  }
};

// An optional lower and upper limit; an absent one is taken from the data.
struct Limits {
  std::optional<double> lo, hi;
};

// Where an image's cell edges lie in data coordinates. `bottom` is the value at the lower edge
// of the axes, so bottom > top turns the axis over (matplotlib's imshow: row 0 at the top).
struct Extent {
  double left = 0, right = 1, bottom = 1, top = 0;
};

// best: the corner where the legend covers the fewest drawn points (matplotlib's loc='best').
enum class Corner { best, upper_right, upper_left, lower_left, lower_right };

struct LegendEntry {
  std::string label;
  Rgb color;
  bool dot = false;  // a dot instead of a line sample
};

// How a matrix larger than the axes is reduced before drawing: block means (what an
// anti-aliased imshow shows) or every k-th row/column (imshow's 'nearest').
struct Resample {
  int max_rows = 1000, max_cols = 1200;
  bool mean = true;
};

class Axes {
 public:
  // x, y: same length; non-finite values break the line.
  void line(const std::vector<double>& x, const std::vector<double>& y, Rgb color,
            double width_px = 2.0);
  // Round dots ('.' markers).
  void dots(const std::vector<double>& x, const std::vector<double>& y, Rgb color,
            double diameter_px = 5.0, double alpha = 1.0);
  // A histogram: bars of `heights` over the bins [edges[i], edges[i+1]).
  void bars(const std::vector<double>& edges, const std::vector<double>& heights, Rgb color);
  // A heatmap of z (rows x cols), row 0 at the top, cells coloured by `map` from vmin to vmax
  // (values outside are clamped, as imshow's vmin/vmax). Default extent: imshow's
  // (-0.5 .. cols-0.5, rows-0.5 .. -0.5), in the original matrix's indices whatever the
  // resampling.
  void image(const RowMatD& z, ColorMap map, double vmin, double vmax,
             std::optional<Extent> extent = {}, Resample resample = {});
  // A colour bar for this axes' image, on its right, with a label along it.
  void colorbar(std::string label = "");
  void legend(std::vector<LegendEntry> entries, Corner where = Corner::best);
  // Text at (fx, fy) in axes fractions (0,0 lower left .. 1,1 upper right), left-aligned,
  // like matplotlib's ax.text(..., transform=ax.transAxes).
  void text(double fx, double fy, std::string s, Rgb color = colors::black);

  std::string title, xlabel, ylabel;
  Limits xlim, ylim;
  Ticks xticks, yticks;
  double pad_left_px = 0;     // extra room on the left for long tick labels
  bool equal_aspect = false;  // one data unit as long on both axes (imshow's default aspect)

  // Internal: what is drawn, in order.
  struct Series {
    std::vector<double> x, y;
    Rgb color;
    double size_px = 2, alpha = 1;
    enum class Kind { line, dots, bars } kind = Kind::line;
  };
  struct Image {
    RowMatD z;  // after column averaging
    ColorMap map = ColorMap::viridis;
    double vmin = 0, vmax = 1;
    Extent extent;
  };
  struct Label {
    double fx = 0, fy = 0;
    std::string s;
    Rgb color;
  };
  std::vector<Series> series;
  std::optional<Image> img;
  std::optional<std::string> colorbar_label;  // present = draw a colour bar
  std::vector<LegendEntry> legend_entries;
  Corner legend_corner = Corner::best;
  std::vector<Label> labels;
  // Placement: a grid cell (margins are added when drawing) or a fixed box, in pixels from the
  // figure's top-left corner.
  double cell_x = 0, cell_y = 0, cell_w = 0, cell_h = 0;
  bool fixed_box = false;
};

class Figure {
 public:
  Figure(int width_px, int height_px);
  // plt.subplot(rows, cols, index + 1): the cell of a rows x cols grid, row-major from 0.
  Axes& subplot(int rows, int cols, int index);
  // A cell at (x, y, w, h) pixels from the top-left corner; margins are added as for subplot.
  Axes& add_cell_px(double x, double y, double w, double h);
  // An axes box at exactly (x, y, w, h) pixels from the top-left corner (no margins added).
  Axes& add_axes_px(double x, double y, double w, double h);

  std::string suptitle;
  int width() const { return width_; }
  int height() const { return height_; }

  // Draws the figure into `path` (PNG) through a temporary name beside it, renamed into place
  // when complete. Throws IoError naming the path when it cannot be written.
  void save(const std::string& path) const;

 private:
  int width_, height_;
  std::deque<Axes> axes_;  // a deque keeps the references handed out valid as axes are added
};

// Percentile of finite values with numpy's default (linear) interpolation; q in [0, 100].
double percentile(std::vector<double> values, double q);
// The same of float values (the same result as of their double copy).
double percentile_of_floats(std::vector<float> values, double q);

// Reduces z to at most max_rows x max_cols cells (block means or every k-th row/column).
RowMatD resample(const RowMatD& z, const Resample& r);
// The same of a float matrix whose columns are taken in `order` (empty: as they are), without a
// double copy of it: the same values as resample of that copy, bit for bit. At a million
// neurons a copy of W_in is 160 MB.
RowMatD resample(CMatMap z, const std::vector<int64_t>& order, const Resample& r);

// Number formatting for tick labels: the fewest decimals that show `step` exactly.
std::string format_tick(double value, double step);

// The step of "nice" ticks (1, 2, 2.5, 5 x 10^k) giving about `target` ticks over [lo, hi].
double nice_step(double lo, double hi, int target, bool integer = false);

}  // namespace nc::report
