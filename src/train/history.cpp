#include "train/history.hpp"

#include <algorithm>

namespace nc::train {

bool is_progress_iteration(int64_t iteration, int64_t n_iter, int64_t lines, bool first_too) {
  const int64_t every = std::max<int64_t>(1, n_iter / lines);
  return (first_too && iteration == 1) || iteration % every == 0;
}

}  // namespace nc::train
