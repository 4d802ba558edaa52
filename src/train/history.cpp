#include "train/history.hpp"

#include <algorithm>
#include <string>

namespace nc::train {

bool is_progress_iteration(int64_t iteration, int64_t n_iter, int64_t lines, bool first_too) {
  const int64_t every = std::max<int64_t>(1, n_iter / lines);
  return (first_too && iteration == 1) || iteration % every == 0;
}

Outcome diverged_outcome(int64_t it, const char* which, double value) {
  Outcome out;
  out.diverged = true;
  out.diverged_at = it;
  out.message = std::string("training diverged: ") + which + " loss is " + std::to_string(value) +
                " at iteration " + std::to_string(it) +
                "; kept the parameters from before its step";
  return out;
}

}  // namespace nc::train
