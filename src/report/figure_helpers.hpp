#pragma once
// What the decode and encode figures share, written once: which neurons a figure shows, the
// stimuli in angle order for tuning curves, orientation axes, and the train/test loss panel.
// Number formatting for labels is nc::format_number (core/format.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "report/plot.hpp"
#include "train/history.hpp"

namespace nc::report {

// k distinct random indices below n (all n if k >= n), in random order: the neurons a figure
// draws. Drawn from (seed, stream) so that they do not depend on the training's random stream,
// and each figure (its own stream) picks independently of the others.
std::vector<int64_t> random_picks(int64_t n, int64_t k, uint64_t seed, uint64_t stream);

// 0, 1, ..., n-1 as doubles (numpy's arange): x values of iterations or bins.
std::vector<double> arange(size_t n);

// The stimuli sorted by angle, ties in file order: tuning curves are drawn as lines along the
// orientation axis, and the data files list the stimuli in any order.
struct AngleOrder {
  std::vector<int64_t> rows;   // (n_stimuli) stimulus indices, by ascending angle
  std::vector<double> angles;  // (n_stimuli) degrees, angles[i] = stimuli[rows[i]]
};
AngleOrder angle_order(const std::vector<float>& stimuli);  // stimuli: (n_stimuli) degrees

// Column j of m, (n_rows, n_cols), as doubles: (n_rows).
std::vector<double> column(CMatMap m, int64_t j);
// Column j of m at the given rows, in their order: (rows.size()).
std::vector<double> column(CMatMap m, int64_t j, const std::vector<int64_t>& rows);

// "what (°)": an axis label in degrees.
std::string degrees_label(const std::string& what);

// An x axis of stimulus orientation: labelled in degrees and ticked every 90°, as the
// tutorial's tuning curves and decoding plots are.
void orientation_xaxis(Axes& ax, const std::string& what = "stimulus orientation");

// Where the loss panels differ besides the loss: the x label (each follows its tutorial
// section), the axes' lower limits, and how often the test loss was evaluated.
struct LossPanelStyle {
  std::string xlabel = "iterations of gradient descent";
  bool from_zero = true;  // both axes start at 0 (the decoding sections' xlim/ylim)
  // Unset: the test loss is a line over every iteration (the decoders evaluate it at each).
  // Set: dots at the iterations this schedule prints, the only ones where the tutorial's
  // encoder evaluates it.
  std::optional<train::ProgressSchedule> test_dots;
};

// Training loss over iterations as a line, test loss as a line or dots, with a legend; the y
// axis is labelled with the loss's name.
void draw_loss_panel(Axes& ax, const train::History& h, const std::string& loss_name,
                     const LossPanelStyle& style = {});

}  // namespace nc::report
