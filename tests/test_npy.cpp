#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/npy.hpp"

namespace nc::io {
namespace {

// Fixtures come from tests/data/make_numpy_fixtures.py; the expected values below are the same
// closed-form functions of arange that the script uses.
std::string fixture(const std::string& name) {
  return std::string(NC_TEST_DATA_DIR) + "/numpy/" + name;
}

std::vector<std::byte> to_bytes(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

// A fresh directory, removed with everything in it at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("nc_npy_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_raw(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs `f`, which must throw nc::InputError whose message contains every one of `needles`.
template <class F>
void expect_input_error(F f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "expected nc::InputError, nothing was thrown";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message should be one line: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected nc::InputError, got another exception: " << e.what();
  }
}

// A .npy image with the given header dict and raw data, padded as numpy pads it.
std::vector<std::byte> npy_image(const std::string& dict, std::span<const std::byte> data,
                                 int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < prefix - 8; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  out += header;
  auto bytes = to_bytes(out);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

std::vector<std::byte> zeros(size_t n) {
  return std::vector<std::byte>(n, std::byte{0});
}

const std::vector<int64_t> kShape23 = {2, 3};

// i * 0.1 - 0.25 as numpy computes it: two roundings. GCC contracts a*b+c into one fused
// multiply-add (one rounding) by default, so the product is forced to memory first.
double f8_fixture_value(int i) {
  volatile double product = i * 0.1;
  return product - 0.25;
}

TEST(NpyFixtures, Float32BothByteOrders) {
  for (const char* name : {"f4_le.npy", "f4_be.npy"}) {
    SCOPED_TRACE(name);
    const NpyArray a = read_npy(fixture(name));
    EXPECT_EQ(a.dtype, DType::f32);
    EXPECT_EQ(a.shape, kShape23);
    const auto v = a.to_float();
    ASSERT_EQ(v.size(), 6u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(v[i], i * 0.5f - 1.25f);
  }
}

TEST(NpyFixtures, Float64BothByteOrders) {
  for (const char* name : {"f8_le.npy", "f8_be.npy"}) {
    SCOPED_TRACE(name);
    const NpyArray a = read_npy(fixture(name));
    EXPECT_EQ(a.dtype, DType::f64);
    EXPECT_EQ(a.shape, kShape23);
    const auto v = a.to_double();
    ASSERT_EQ(v.size(), 6u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(v[i], f8_fixture_value(i));
  }
}

TEST(NpyFixtures, Int32BothByteOrders) {
  for (const char* name : {"i4_le.npy", "i4_be.npy"}) {
    SCOPED_TRACE(name);
    const NpyArray a = read_npy(fixture(name));
    EXPECT_EQ(a.dtype, DType::i32);
    EXPECT_EQ(a.shape, kShape23);
    const auto v = a.to_int64();
    ASSERT_EQ(v.size(), 6u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(v[i], (i - 3) * int64_t{1000003});
  }
}

TEST(NpyFixtures, Int64BothByteOrders) {
  for (const char* name : {"i8_le.npy", "i8_be.npy"}) {
    SCOPED_TRACE(name);
    const NpyArray a = read_npy(fixture(name));
    EXPECT_EQ(a.dtype, DType::i64);
    EXPECT_EQ(a.shape, kShape23);
    const auto v = a.to_int64();
    ASSERT_EQ(v.size(), 6u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(v[i], (i - 3) * int64_t{1000000000007});
  }
}

TEST(NpyFixtures, Bool) {
  const NpyArray a = read_npy(fixture("b1.npy"));
  EXPECT_EQ(a.dtype, DType::b1);
  EXPECT_EQ(a.shape, std::vector<int64_t>{7});
  const auto v = a.to_int64();
  const auto f = a.to_float();
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(v[i], i % 3 == 0 ? 1 : 0);
    EXPECT_EQ(f[i], i % 3 == 0 ? 1.0f : 0.0f);
  }
}

TEST(NpyFixtures, FortranOrder2DComesBackInCOrder) {
  // The file holds arange(12).reshape(3, 4) in column-major order: 0, 4, 8, 1, 5, 9, ...
  const NpyArray a = read_npy(fixture("fortran_f8_3x4.npy"));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 4}));
  const auto v = a.to_double();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) EXPECT_EQ(v[r * 4 + c], r * 4 + c) << r << "," << c;
  }
}

TEST(NpyFixtures, FortranOrder3DComesBackInCOrder) {
  const NpyArray a = read_npy(fixture("fortran_i4_2x3x4.npy"));
  EXPECT_EQ(a.dtype, DType::i32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4}));
  const auto v = a.to_int64();
  for (int i = 0; i < 24; ++i) EXPECT_EQ(v[i], i);
}

TEST(NpyFixtures, FortranOrderBigEndian) {
  const NpyArray a = read_npy(fixture("fortran_f4_be_3x4.npy"));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 4}));
  const auto v = a.to_float();
  for (int i = 0; i < 12; ++i) EXPECT_EQ(v[i], i - 5.5f);
}

TEST(NpyFixtures, ZeroDimensional) {
  const NpyArray a = read_npy(fixture("scalar_f8.npy"));
  EXPECT_EQ(a.ndim(), 0u);
  EXPECT_EQ(a.numel(), 1);
  EXPECT_EQ(a.to_double(), std::vector<double>{3.5});
}

TEST(NpyFixtures, ThreeDimensional) {
  const NpyArray a = read_npy(fixture("cube_f4.npy"));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4}));
  const auto v = a.to_float();
  ASSERT_EQ(v.size(), 24u);
  for (int i = 0; i < 24; ++i) EXPECT_EQ(v[i], i * 0.25f);
}

TEST(NpyFixtures, EmptyArray) {
  const NpyArray a = read_npy(fixture("empty_f4_0x3.npy"));
  EXPECT_EQ(a.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(a.numel(), 0);
  EXPECT_TRUE(a.data.empty());
}

TEST(NpyFixtures, FormatVersions2And3) {
  const NpyArray v2 = read_npy(fixture("v2_i8.npy"));
  EXPECT_EQ(v2.to_int64(), (std::vector<int64_t>{0, 7, 14, 21, 28}));
  const NpyArray v3 = read_npy(fixture("v3_f4.npy"));
  EXPECT_EQ(v3.to_float(), (std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f}));
}

TEST(NpyRefuse, ObjectDtype) {
  const std::string p = fixture("object.npy");
  expect_input_error([&] { read_npy(p); },
                     {p, "'|O'", "not supported", "object arrays are refused"});
}

TEST(NpyRefuse, StringDtypes) {
  const std::string u = fixture("unicode.npy");
  expect_input_error([&] { read_npy(u); }, {u, "'<U3'", "string arrays are refused"});
  const std::string s = fixture("bytes.npy");
  expect_input_error([&] { read_npy(s); }, {s, "'|S3'", "string arrays are refused"});
}

TEST(NpyRefuse, OtherDtypes) {
  const std::string c = fixture("complex.npy");
  expect_input_error([&] { read_npy(c); }, {c, "'<c8'", "complex"});
  const std::string st = fixture("structured.npy");
  expect_input_error([&] { read_npy(st); }, {st, "structured"});
  const std::string h = fixture("float16.npy");
  expect_input_error([&] { read_npy(h); }, {h, "'<f2'", "astype"});
  expect_input_error(
      [&] {
        parse_npy(npy_image("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", zeros(4)),
                  "x.npy");
      },
      {"x.npy", "byte order"});
}

TEST(NpyRefuse, EmptyFile) {
  TempDir dir;
  const std::string p = dir.file("empty.npy");
  write_raw(p, {});
  expect_input_error([&] { read_npy(p); }, {p, "empty"});
}

TEST(NpyRefuse, MissingFile) {
  TempDir dir;
  const std::string p = dir.file("nope.npy");
  expect_input_error([&] { read_npy(p); }, {p, "cannot read", "No such file"});
}

TEST(NpyRefuse, RandomBytes) {
  TempDir dir;
  const std::string p = dir.file("random.npy");
  std::mt19937 gen(1);
  std::vector<std::byte> junk(300);
  for (auto& b : junk) b = static_cast<std::byte>(gen());
  write_raw(p, junk);
  expect_input_error([&] { read_npy(p); }, {p, "bad magic"});
}

TEST(NpyRefuse, BadMagic) {
  auto img = read_file_bytes(fixture("f4_le.npy"));
  img[3] = std::byte{'X'};
  expect_input_error([&] { parse_npy(img, "bad.npy"); }, {"bad.npy", "bad magic"});
}

TEST(NpyRefuse, UnsupportedVersion) {
  auto img = read_file_bytes(fixture("f4_le.npy"));
  img[6] = std::byte{4};
  expect_input_error([&] { parse_npy(img, "v4.npy"); }, {"v4.npy", "version 4.0"});
  img[6] = std::byte{1};
  img[7] = std::byte{1};
  expect_input_error([&] { parse_npy(img, "v11.npy"); }, {"v11.npy", "version 1.1"});
}

TEST(NpyRefuse, Truncated) {
  const auto img = read_file_bytes(fixture("f8_le.npy"));
  for (size_t cut : {size_t{3}, size_t{9}, size_t{11}, size_t{60}, img.size() - 1}) {
    SCOPED_TRACE(cut);
    const std::vector<std::byte> part(img.begin(), img.begin() + static_cast<ptrdiff_t>(cut));
    expect_input_error([&] { parse_npy(part, "cut.npy"); }, {"cut.npy", "truncated"});
  }
}

TEST(NpyRefuse, DataLengthMismatch) {
  const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  expect_input_error([&] { parse_npy(npy_image(dict, zeros(16)), "short.npy"); },
                     {"short.npy", "needs 24 bytes, 16 present"});
  expect_input_error([&] { parse_npy(npy_image(dict, zeros(32)), "long.npy"); },
                     {"long.npy", "8 bytes of trailing data"});
  EXPECT_NO_THROW(parse_npy(npy_image(dict, zeros(24)), "exact.npy"));
}

TEST(NpyRefuse, AbsurdShapesThrowWithoutAllocating) {
  // Under AddressSanitizer an attempt to allocate any of these would abort the test.
  const auto data = zeros(8);
  const auto image = [&](const std::string& shape) {
    return npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }", data);
  };
  expect_input_error([&] { parse_npy(image("(1000000000000, 1000000000000)"), "a.npy"); },
                     {"a.npy", "too large"});
  // 4e18 elements fit in 64 bits, their 3.2e19 bytes do not.
  expect_input_error([&] { parse_npy(image("(2000000000, 2000000000)"), "b.npy"); },
                     {"b.npy", "too large"});
  expect_input_error([&] { parse_npy(image("(1000000000, 1000000000)"), "b2.npy"); },
                     {"b2.npy", "needs 8000000000000000000 bytes, 8 present"});
  expect_input_error([&] { parse_npy(image("(1000000, 1000000)"), "c.npy"); },
                     {"c.npy", "needs 8000000000000 bytes, 8 present"});
  expect_input_error([&] { parse_npy(image("(1000000000000, 1000000000000, 0)"), "d.npy"); },
                     {"d.npy", "too large"});
  expect_input_error([&] { parse_npy(image("(99999999999999999999999,)"), "e.npy"); },
                     {"e.npy", "64 bits"});
  expect_input_error([&] { parse_npy(image("(-1, 3)"), "f.npy"); }, {"f.npy", "negative"});
}

TEST(NpyRefuse, MalformedHeaders) {
  const std::vector<std::string> headers = {
      "",
      "[1, 2]",
      "{'descr': '<f8', 'fortran_order': False}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': [1]}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1.0,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': ('1',)}",
      "{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': Falsey, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,),,}",
      "{'descr': 7, 'fortran_order': False, 'shape': (1,)}",
      "{1: '<f8'}",
      std::string(5000, '(') + "1" + std::string(5000, ')'),
      std::string(5000, '['),
      "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::string(100, '1') + ",)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
          [] {
            std::string s;
            for (int i = 0; i < 65; ++i) s += "1,";
            return s;
          }() +
          ")}",
  };
  for (const auto& h : headers) {
    SCOPED_TRACE(h.substr(0, 80));
    expect_input_error([&] { parse_npy(npy_image(h, zeros(8)), "hdr.npy"); }, {"hdr.npy"});
  }
}

TEST(NpyRefuse, MutatedImagesOnlyEverThrowInputError) {
  // A deterministic stand-in for the libFuzzer target: every mutation of a valid image must
  // either parse into a self-consistent array or throw InputError, never anything else.
  std::vector<std::vector<std::byte>> seeds;
  for (const char* name : {"f4_be.npy", "fortran_i4_2x3x4.npy", "scalar_f8.npy", "v2_i8.npy",
                           "b1.npy", "object.npy"}) {
    seeds.push_back(read_file_bytes(fixture(name)));
  }
  std::mt19937 gen(12345);
  int parsed = 0, refused = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    auto img = seeds[gen() % seeds.size()];
    const int edits = 1 + static_cast<int>(gen() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = gen() % img.size();
      switch (gen() % 4) {
        case 0:
          img[pos] = static_cast<std::byte>(gen());
          break;
        case 1:
          img.erase(img.begin() + static_cast<ptrdiff_t>(pos));
          break;
        case 2:
          img.insert(img.begin() + static_cast<ptrdiff_t>(pos), static_cast<std::byte>(gen()));
          break;
        case 3:
          img.resize(pos);
          break;
      }
      if (img.empty()) break;
    }
    try {
      const NpyArray a = parse_npy(img, "fuzz.npy");
      ASSERT_EQ(a.data.size(), static_cast<size_t>(a.numel()) * dtype_size(a.dtype));
      ++parsed;
    } catch (const InputError&) {
      ++refused;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(refused, 0);
}

TEST(NpyRoundTrip, EveryDtype) {
  const std::vector<float> f = {1.5f, -2.25f, 3e-38f, 7.0f, -0.0f, 1e30f};
  const std::vector<double> d = {0.1, -1e300, 2.5, 4e-310, 0.0, 42.0};
  const std::vector<int32_t> i4 = {INT32_MIN, -1, 0, 1, INT32_MAX, 123456};
  const std::vector<int64_t> i8 = {INT64_MIN, -1, 0, 1, INT64_MAX, 1234567890123};
  const std::vector<uint8_t> b = {1, 0, 0, 7, 1, 0};  // 7 is stored as true
  const std::vector<NpyArray> arrays = {
      NpyArray::from_float(f, {2, 3}),  NpyArray::from_double(d, {6}),
      NpyArray::from_int32(i4, {3, 2}), NpyArray::from_int64(i8, {1, 2, 3}),
      NpyArray::from_bool(b, {2, 3}),   NpyArray::from_double(std::span(d).first(1), {}),
      NpyArray::from_float({}, {0, 4}),
  };
  for (const NpyArray& a : arrays) {
    SCOPED_TRACE(std::string(dtype_name(a.dtype)) + " ndim " + std::to_string(a.ndim()));
    const NpyArray r = parse_npy(serialize_npy(a), "round.npy");
    EXPECT_EQ(r.dtype, a.dtype);
    EXPECT_EQ(r.shape, a.shape);
    EXPECT_EQ(r.data, a.data);
  }
  EXPECT_EQ(arrays[4].to_int64(), (std::vector<int64_t>{1, 0, 0, 1, 1, 0}));
}

TEST(NpyRoundTrip, ThroughAFile) {
  TempDir dir;
  const std::string p = dir.file("a.npy");
  const std::vector<double> v = {1, 2, 3, 4};
  write_npy(p, NpyArray::from_double(v, {2, 2}));
  const NpyArray r = read_npy(p);
  EXPECT_EQ(r.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(r.to_double(), v);
  EXPECT_THROW(write_npy(dir.file("missing/a.npy"), r), IoError);
}

TEST(NpyRoundTrip, HeaderLayoutMatchesNumpy) {
  const std::vector<float> v = {1, 2, 3};
  const auto img = serialize_npy(NpyArray::from_float(v, {3}));
  ASSERT_GE(img.size(), 10u);
  EXPECT_EQ(std::memcmp(img.data(), "\x93NUMPY\x01\x00", 8), 0);
  const size_t hlen = static_cast<size_t>(img[8]) | static_cast<size_t>(img[9]) << 8;
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ(img[10 + hlen - 1], std::byte{'\n'});
  const std::string header(reinterpret_cast<const char*>(img.data()) + 10, hlen);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 0), 0u);
  EXPECT_EQ(img.size(), 10 + hlen + 12);
}

TEST(NpyRoundTrip, HugeHeaderUsesVersion2) {
  // 40000 unit dimensions do not fit a 65535-byte header; numpy switches to format 2.0.
  const NpyArray a = NpyArray::from_float(std::vector<float>{1.0f}, std::vector<int64_t>(40000, 1));
  const auto img = serialize_npy(a);
  EXPECT_EQ(img[6], std::byte{2});
  const size_t hlen = static_cast<size_t>(img[8]) | static_cast<size_t>(img[9]) << 8 |
                      static_cast<size_t>(img[10]) << 16 | static_cast<size_t>(img[11]) << 24;
  EXPECT_GT(hlen, 65535u);
  EXPECT_EQ((12 + hlen) % 64, 0u);
  // numpy itself cannot hold that many dimensions, and neither does the reader.
  expect_input_error([&] { parse_npy(img, "dims.npy"); }, {"dims.npy", "dimensions"});
}

TEST(NpyConversions, NarrowingAndRefusals) {
  const std::vector<double> d = {0.1, -2.5, 1e300};
  const NpyArray a = NpyArray::from_double(d, {3});
  const auto f = a.to_float();
  EXPECT_EQ(f[0], 0.1f);
  EXPECT_EQ(f[1], -2.5f);
  EXPECT_TRUE(std::isinf(f[2]));
  EXPECT_THROW(a.to_int64(), InputError);
  EXPECT_THROW(NpyArray::from_float(std::vector<float>{1}, {1}).to_int64(), InputError);
  const std::vector<int64_t> big = {int64_t{1} << 53, -3};
  EXPECT_EQ(NpyArray::from_int64(big, {2}).to_double(),
            (std::vector<double>{9007199254740992.0, -3.0}));
  const std::vector<int32_t> small = {-7, 9};
  EXPECT_EQ(NpyArray::from_int32(small, {2}).to_int64(), (std::vector<int64_t>{-7, 9}));
}

TEST(NpyConversions, ConstructorsCheckTheCount) {
  const std::vector<float> v = {1, 2, 3};
  EXPECT_THROW(NpyArray::from_float(v, {2, 2}), std::invalid_argument);
  EXPECT_THROW(NpyArray::from_float(v, {-3}), std::invalid_argument);
  EXPECT_NO_THROW(NpyArray::from_float(v, {3, 1}));
}

}  // namespace
}  // namespace nc::io
