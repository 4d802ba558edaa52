#include "runs/memory_budget.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/format.hpp"
#include "nn/gram.hpp"

namespace nc::runs {
namespace {

constexpr uint64_t kNone = UINT64_MAX;

// "123", "64M", "1.5G": bytes. Throws InputError naming the variable when malformed.
uint64_t parse_bytes(const std::string& text, const std::string& what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string suffix = text.substr(used);
  const char unit = suffix.empty() ? 'B' : static_cast<char>(std::toupper(suffix[0]));
  const double scale = unit == 'K'   ? 1024.0
                       : unit == 'M' ? 1048576.0
                       : unit == 'G' ? 1073741824.0
                                     : 1.0;
  if (used == 0 || !(v > 0) || suffix.size() > 1 ||
      (suffix.size() == 1 && scale == 1.0 && unit != 'B'))
    throw InputError(what + ": expected a number of bytes such as 800M or 16G, got '" + text + "'");
  return static_cast<uint64_t>(v * scale);
}

uint64_t mem_available() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return kNone;
}

uint64_t cgroup_room() {
  std::ifstream max("/sys/fs/cgroup/memory.max"), cur("/sys/fs/cgroup/memory.current");
  std::string m;
  uint64_t used = 0;
  if (!(max >> m) || m == "max" || !(cur >> used)) return kNone;
  const uint64_t limit = std::stoull(m);
  return limit > used ? limit - used : 0;
}

std::string gigabytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  return b < 1073741824.0 ? format_number("%.0f", b / 1048576.0) + " MB"
                          : format_number("%.2f", b / 1073741824.0) + " GB";
}

}  // namespace

uint64_t memory_budget() {
  if (const char* env = std::getenv("NEUROCODEC_MEMORY_BUDGET"); env != nullptr && *env != '\0')
    return parse_bytes(env, "NEUROCODEC_MEMORY_BUDGET");
  return std::min(mem_available(), cgroup_room());
}

uint64_t estimate_decoder_bytes(int64_t n_train, int64_t n_test, int64_t n_neurons, int64_t hidden,
                                int64_t outputs, train::DecoderAlgorithm algorithm) {
  const auto f = [](int64_t count) {
    return static_cast<uint64_t>(std::max<int64_t>(count, 0)) * 4;
  };
  const int64_t n = n_train + n_test;
  // in_layer.weight: value, gradient, step backup, the dual's W0 (or the fused form's spare).
  uint64_t bytes = 4 * f(hidden * n_neurons) + f(outputs * hidden);
  if (algorithm == train::DecoderAlgorithm::dual) {
    // K, its panels for the per-iteration product (rows rounded up to 64), K in double (l2)
    bytes += f(n * n_train) + f((n + 63) / 64 * 64 * n_train) +
             8 * static_cast<uint64_t>(n_train) * n_train +
             f(n * kGramBlockNeurons)                      // gathered block
             + 8 * static_cast<uint64_t>(n) * hidden * 4;  // P0, pre, B, dPre
  } else {
    bytes += f(n * n_neurons);  // the rows, gathered: read at every iteration
  }
  bytes += std::min<uint64_t>(f(n_test * n_neurons), uint64_t{512} << 20);  // test outputs
  bytes += 16 * static_cast<uint64_t>(n) * 512;  // preferred orientation's blocks (double)
  return bytes;
}

uint64_t estimate_encoder_bytes(int64_t n_stimuli, int64_t n_neurons, int64_t features) {
  const uint64_t weights = static_cast<uint64_t>(n_neurons) * (features + 1) * 4;
  const uint64_t outputs = static_cast<uint64_t>(n_stimuli) * n_neurons * 4;
  return 5 * weights + 4 * outputs;
}

void check_memory(uint64_t estimate, const std::string& what, const std::string& advice) {
  const char* env = std::getenv("NEUROCODEC_MEMORY_BUDGET");
  const uint64_t budget = memory_budget();
  if (estimate <= budget) return;
  const std::string source =
      env != nullptr && *env != '\0' ? "NEUROCODEC_MEMORY_BUDGET" : "MemAvailable";
  throw InputError(what + ": needs about " + gigabytes(estimate) + " of memory beyond its input, " +
                   gigabytes(budget) + " are available (" + source + "); " + advice);
}

}  // namespace nc::runs
