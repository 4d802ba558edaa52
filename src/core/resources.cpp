#include "core/resources.hpp"

#include <sys/resource.h>

namespace nc {

double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;  // Linux reports kilobytes
}

}  // namespace nc
