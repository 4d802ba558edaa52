#pragma once
// Number formatting for progress lines, reports and figure labels: printf-style, one place.
#include <cstdio>
#include <string>

namespace nc {

// `f` is a printf format for one double, e.g. format_number("%.3f", 0.5) == "0.500".
inline std::string format_number(const char* f, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace nc
