// libFuzzer target: nc::io::parse_npy on arbitrary bytes. A malformed image must end in an
// InputError; anything else (a crash, a sanitizer report, another exception, an allocation
// beyond -rss_limit_mb) is a finding. See docs/fuzzing.md.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const nc::io::NpyArray a = nc::io::parse_npy(bytes, "fuzz.npy");
    // A parsed array must be self-consistent and survive the conversions callers make.
    if (a.data.size() != static_cast<size_t>(a.numel()) * nc::io::dtype_size(a.dtype))
      __builtin_trap();
    if (a.to_double().size() != static_cast<size_t>(a.numel())) __builtin_trap();
    // Round trip: what we write, we read back identically.
    const nc::io::NpyArray b = nc::io::parse_npy(nc::io::serialize_npy(a), "roundtrip.npy");
    if (b.dtype != a.dtype || b.shape != a.shape || b.data != a.data) __builtin_trap();
  } catch (const nc::InputError&) {
  }
  return 0;
}
