#pragma once
// Reading back the PNG figures in tests: signature, IHDR size, and the decoded pixels (zlib
// inflate + PNG row filters, 8-bit RGB/RGBA/grey only, no interlace) so that a test can tell
// a drawn figure from a blank page.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace nc::testing {

struct PngInfo {
  bool ok = false;
  std::string error;
  int width = 0, height = 0;
  size_t file_size = 0;
  size_t distinct_colours = 0;  // in the decoded pixels (capped at 4096)
  double non_white_fraction = 0;
};

inline uint32_t png_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline PngInfo read_png(const std::string& path) {
  PngInfo info;
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  info.file_size = bytes.size();
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 33 || !std::equal(sig, sig + 8, b)) {
    info.error = "not a PNG signature";
    return info;
  }
  if (std::string(bytes.data() + 12, 4) != "IHDR") {
    info.error = "first chunk is not IHDR";
    return info;
  }
  info.width = static_cast<int>(png_be32(b + 16));
  info.height = static_cast<int>(png_be32(b + 20));
  const int depth = b[24], colour = b[25], interlace = b[28];
  const int channels = colour == 2 ? 3 : colour == 6 ? 4 : colour == 0 ? 1 : colour == 4 ? 2 : 0;
  if (depth != 8 || channels == 0 || interlace != 0) {
    info.error = "unsupported PNG layout (depth " + std::to_string(depth) + ", colour " +
                 std::to_string(colour) + ")";
    return info;
  }
  std::string idat;
  bool iend = false;
  for (size_t p = 8; p + 12 <= bytes.size();) {
    const uint32_t len = png_be32(b + p);
    const std::string type(bytes.data() + p + 4, 4);
    if (p + 12 + len > bytes.size()) break;
    if (type == "IDAT") idat.append(bytes.data() + p + 8, len);
    if (type == "IEND") iend = true;
    p += 12 + len;
  }
  if (!iend) {
    info.error = "no IEND chunk (truncated file)";
    return info;
  }
  const size_t stride = static_cast<size_t>(info.width) * channels;
  std::vector<unsigned char> raw((stride + 1) * static_cast<size_t>(info.height));
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_len != raw.size()) {
    info.error = "image data does not inflate to width x height";
    return info;
  }
  std::vector<unsigned char> img(stride * static_cast<size_t>(info.height)), prev(stride, 0);
  for (int y = 0; y < info.height; ++y) {
    const unsigned char* in = &raw[static_cast<size_t>(y) * (stride + 1)];
    unsigned char* row = &img[static_cast<size_t>(y) * stride];
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(channels) ? row[x - channels] : 0;
      const int up = prev[x];
      const int c = x >= static_cast<size_t>(channels) ? prev[x - channels] : 0;
      int v = in[1 + x];
      switch (in[0]) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += up;
          break;
        case 3:
          v += (a + up) / 2;
          break;
        case 4: {
          const int p = a + up - c, pa = std::abs(p - a), pb = std::abs(p - up),
                    pc = std::abs(p - c);
          v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c);
          break;
        }
        default:
          info.error = "bad filter type";
          return info;
      }
      row[x] = static_cast<unsigned char>(v);
    }
    prev.assign(row, row + stride);
  }
  std::set<uint32_t> colours;
  size_t non_white = 0;
  for (size_t i = 0; i + channels <= img.size(); i += channels) {
    uint32_t c = 0;
    bool white = true;
    for (int k = 0; k < std::min(channels, 3); ++k) {
      c = (c << 8) | img[i + k];
      white = white && img[i + k] >= 250;
    }
    non_white += !white;
    if (colours.size() < 4096) colours.insert(c);
  }
  info.distinct_colours = colours.size();
  info.non_white_fraction =
      static_cast<double>(non_white) / (static_cast<double>(img.size()) / channels);
  info.ok = true;
  return info;
}

}  // namespace nc::testing
