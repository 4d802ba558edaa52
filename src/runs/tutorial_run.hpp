#pragma once
// `neurocodec tutorial` as a library call: the tutorial's sections 1 to 3 in order, each a
// decode/encode run into a subfolder of `out`, then `out`/index.html gathering every figure,
// the metrics, the timings and the options.
//   section1_regression/    Section 1: regression decoder, weights, hidden units, errors
//   section2_classifier/    Section 2.2: 20-class classifier
//   section2_regularized/   Section 2.3: the classifier with L2 1e-2 and L1 5e-4 on W_in
//   section3_encoder/       Section 3: convolutional encoder
#include <cstdint>
#include <iosfwd>
#include <string>

namespace nc::runs {

struct TutorialOptions {
  // Folder holding the tutorial's W3D4_stringer_oribinned1.npz (sections 1-2) and
  // W3D4_stringer_oribinned6_split.npz (section 3); empty = the built-in simulated population.
  std::string data_dir;
  std::string out = "neurocodec_tutorial";
  uint64_t seed = 1;
  // For tests: a small simulated population (and few iterations) instead of the full tutorial.
  bool quick = false;
};

inline constexpr const char* kTutorialDecodeFile = "W3D4_stringer_oribinned1.npz";
inline constexpr const char* kTutorialEncodeFile = "W3D4_stringer_oribinned6_split.npz";

struct TutorialResult {
  double seconds = 0;      // wall time of the whole run
  std::string index_path;  // out/index.html
  bool diverged = false;   // some training run diverged (its section says so)
};

// Progress, one line per stage (and the runs' own progress lines), goes to `log`.
TutorialResult run_tutorial(const TutorialOptions& opt, std::ostream& log);

}  // namespace nc::runs
