// libFuzzer target: nc::io::parse_npz (the in-memory form of read_npz). A malformed archive must
// end in an InputError; anything else (a crash, a sanitizer report, another exception, an
// allocation beyond -rss_limit_mb) is a finding. See docs/fuzzing.md.
//
// libzip is not instrumented, and a mutation inside a member fails its CRC before the .npy
// parser sees it, so raw bytes alone mostly exercise zip framing. The first byte picks a mode:
//   even: the rest of the input is the archive, as is;
//   odd:  the rest describes members, and a well-formed zip (correct CRCs) is built from them,
//         so member contents, names, methods and declared sizes are fuzzed past the framing.
//         Records, until the input ends:
//           u8 flags    bit 0: deflate; bit 1: declare half the real size; bit 2: declare
//                       the real size * 2 + 1000 (in both the local and central headers)
//           u8 n, then n bytes of name (".npy" is appended unless flags bit 3 is set)
//           u16 le m, then m bytes of member data (fewer when the input ends first)
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/npz.hpp"

namespace {

struct Writer {
  std::vector<uint8_t> out;
  void u16(uint32_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
};

struct Entry {
  std::string name;
  std::vector<uint8_t> stored;  // as written (deflated or not)
  uint32_t crc = 0, size = 0, declared = 0;
  uint16_t method = 0;
  uint32_t offset = 0;
};

std::vector<uint8_t> raw_deflate(std::span<const uint8_t> in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(in.size())) + 16);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::vector<uint8_t> build_zip(std::span<const uint8_t> in) {
  std::vector<Entry> entries;
  size_t p = 0;
  while (p + 2 <= in.size()) {
    Entry e;
    const uint8_t flags = in[p];
    const size_t n = std::min<size_t>(in[p + 1], in.size() - (p + 2));
    p += 2;
    e.name.assign(reinterpret_cast<const char*>(in.data() + p), n);
    p += n;
    if (!(flags & 8)) e.name += ".npy";
    size_t m = 0;
    if (p + 2 <= in.size()) {
      m = in[p] | (in[p + 1] << 8);
      p += 2;
    }
    m = std::min(m, in.size() - p);
    const std::span<const uint8_t> data = in.subspan(p, m);
    p += m;
    e.size = static_cast<uint32_t>(m);
    e.crc = static_cast<uint32_t>(crc32(0, data.data(), static_cast<uInt>(m)));
    e.method = (flags & 1) ? 8 : 0;
    e.stored = (flags & 1) ? raw_deflate(data) : std::vector<uint8_t>(data.begin(), data.end());
    e.declared = (flags & 2) ? e.size / 2 : (flags & 4) ? e.size * 2 + 1000 : e.size;
    entries.push_back(std::move(e));
  }
  Writer w;
  for (Entry& e : entries) {
    e.offset = static_cast<uint32_t>(w.out.size());
    w.u32(0x04034b50);
    w.u16(20);
    w.u16(0);
    w.u16(e.method);
    w.u32(0);  // time, date
    w.u32(e.crc);
    w.u32(static_cast<uint32_t>(e.stored.size()));
    w.u32(e.declared);
    w.u16(static_cast<uint32_t>(e.name.size()));
    w.u16(0);
    w.bytes(e.name.data(), e.name.size());
    w.bytes(e.stored.data(), e.stored.size());
  }
  const auto cd = static_cast<uint32_t>(w.out.size());
  for (const Entry& e : entries) {
    w.u32(0x02014b50);
    w.u16(20);
    w.u16(20);
    w.u16(0);
    w.u16(e.method);
    w.u32(0);
    w.u32(e.crc);
    w.u32(static_cast<uint32_t>(e.stored.size()));
    w.u32(e.declared);
    w.u16(static_cast<uint32_t>(e.name.size()));
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.u32(0);
    w.u32(e.offset);
    w.bytes(e.name.data(), e.name.size());
  }
  const auto cd_size = static_cast<uint32_t>(w.out.size()) - cd;
  w.u32(0x06054b50);
  w.u16(0);
  w.u16(0);
  w.u16(static_cast<uint32_t>(entries.size()));
  w.u16(static_cast<uint32_t>(entries.size()));
  w.u32(cd_size);
  w.u32(cd);
  w.u16(0);
  return w.out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  std::vector<uint8_t> built;
  std::span<const uint8_t> archive = rest;
  if (data[0] & 1) {
    built = build_zip(rest);
    archive = built;
  }
  try {
    const nc::io::NpzContents npz = nc::io::parse_npz(std::as_bytes(archive), "fuzz.npz");
    for (const auto& [key, a] : npz) {
      if (a.data.size() != static_cast<size_t>(a.numel()) * nc::io::dtype_size(a.dtype))
        __builtin_trap();
    }
  } catch (const nc::InputError&) {
  }
  return 0;
}
