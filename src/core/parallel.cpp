#include "core/parallel.hpp"

#include <cstdlib>
#include <string>

namespace nc {

int thread_count() {
  if (const char* env = std::getenv("NEUROCODEC_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace nc
