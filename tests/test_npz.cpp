#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/npz.hpp"

namespace nc::io {
namespace {

// Fixtures come from tests/data/make_numpy_fixtures.py (np.savez / np.savez_compressed).
std::string fixture(const std::string& name) {
  return std::string(NC_TEST_DATA_DIR) + "/numpy/" + name;
}

// A fresh directory, removed with everything in it at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("nc_npz_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

void write_raw(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

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

size_t find_bytes(const std::vector<std::byte>& hay, std::string_view needle) {
  const auto* h = reinterpret_cast<const char*>(hay.data());
  const auto it = std::search(h, h + hay.size(), needle.begin(), needle.end());
  return it == h + hay.size() ? std::string::npos : static_cast<size_t>(it - h);
}

void put_u32(std::vector<std::byte>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}

// resp (5, 7) float32, stimuli (5,) float64, idx (4,) int64: as in make_numpy_fixtures.py.
void expect_decoder_arrays(const NpzContents& z) {
  ASSERT_EQ(z.size(), 3u);
  const NpyArray& resp = z.at("resp");
  EXPECT_EQ(resp.dtype, DType::f32);
  EXPECT_EQ(resp.shape, (std::vector<int64_t>{5, 7}));
  const auto r = resp.to_float();
  for (int i = 0; i < 35; ++i) EXPECT_EQ(r[i], i * 0.25f - 3.0f);
  const NpyArray& stim = z.at("stimuli");
  EXPECT_EQ(stim.dtype, DType::f64);
  EXPECT_EQ(stim.shape, std::vector<int64_t>{5});
  const auto s = stim.to_double();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s[i], i * 1.5 - 2);
  const NpyArray& idx = z.at("idx");
  EXPECT_EQ(idx.dtype, DType::i64);
  EXPECT_EQ(idx.to_int64(), (std::vector<int64_t>{0, 3, 6, 9}));
}

// One array of each dtype, including a 0-d and an empty one.
NpzContents sample_arrays() {
  std::vector<float> resp(35);
  for (int i = 0; i < 35; ++i) resp[i] = i * 0.25f - 3.0f;
  std::vector<double> stim(5);
  for (int i = 0; i < 5; ++i) stim[i] = i * 1.5 - 2;
  const std::vector<int64_t> idx = {0, 3, 6, 9};
  const std::vector<int32_t> counts = {-200000, -100000, 0, 100000};
  const std::vector<uint8_t> mask = {1, 0, 1, 0, 1};
  const std::vector<double> scalar = {3.5};
  NpzContents z;
  z["resp"] = NpyArray::from_float(resp, {5, 7});
  z["stimuli"] = NpyArray::from_double(stim, {5});
  z["idx"] = NpyArray::from_int64(idx, {4});
  z["counts"] = NpyArray::from_int32(counts, {2, 2});
  z["mask"] = NpyArray::from_bool(mask, {5});
  z["scalar"] = NpyArray::from_double(scalar, {});
  z["none"] = NpyArray::from_float({}, {0, 3});
  return z;
}

TEST(NpzRead, SavezStored) {
  expect_decoder_arrays(read_npz(fixture("savez.npz")));
}

TEST(NpzRead, SavezCompressed) {
  expect_decoder_arrays(read_npz(fixture("savez_compressed.npz")));
}

TEST(NpzRead, Float64Archive) {
  const NpzContents z = read_npz(fixture("f8.npz"));
  ASSERT_EQ(z.size(), 2u);
  EXPECT_EQ(z.at("w").shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(z.at("w").to_double(), (std::vector<double>{0, 0.125, 0.25, 0.375, 0.5, 0.625}));
  EXPECT_EQ(z.at("b").to_double(), (std::vector<double>{-1.0, 2.0}));
}

TEST(NpzRead, KeysInArchiveOrder) {
  EXPECT_EQ(npz_keys(fixture("savez.npz")), (std::vector<std::string>{"resp", "stimuli", "idx"}));
  EXPECT_EQ(npz_keys(fixture("savez_compressed.npz")),
            (std::vector<std::string>{"resp", "stimuli", "idx"}));
}

TEST(NpzRequire, ReturnsThePresentKey) {
  const NpzContents z = read_npz(fixture("savez.npz"));
  EXPECT_EQ(npz_require(z, "savez.npz", "idx").dtype, DType::i64);
}

TEST(NpzRequire, MissingKeyListsThePresentOnes) {
  const std::string p = fixture("savez.npz");
  const NpzContents z = read_npz(p);
  expect_input_error([&] { npz_require(z, p, "weights"); },
                     {p, "missing key 'weights'", "keys present: idx, resp, stimuli"});
  expect_input_error([&] { npz_require(NpzContents{}, "e.npz", "w"); },
                     {"e.npz", "keys present: none"});
}

TEST(NpzRefuse, EmptyFile) {
  TempDir dir;
  const std::string p = dir.file("empty.npz");
  write_raw(p, {});
  expect_input_error([&] { read_npz(p); }, {p, "empty file, expected a .npz archive"});
  expect_input_error([&] { npz_keys(p); }, {p, "empty file"});
}

TEST(NpzRefuse, MissingFileAndDirectory) {
  TempDir dir;
  const std::string p = dir.file("nope.npz");
  expect_input_error([&] { read_npz(p); }, {p, "cannot read", "No such file"});
  expect_input_error([&] { read_npz(dir.path.string()); }, {dir.path.string(), "cannot read"});
}

TEST(NpzRefuse, RandomBytes) {
  TempDir dir;
  const std::string p = dir.file("random.npz");
  std::mt19937 gen(2);
  std::vector<std::byte> junk(500);
  for (auto& b : junk) b = static_cast<std::byte>(gen());
  write_raw(p, junk);
  expect_input_error([&] { read_npz(p); }, {p, "not a valid .npz (zip) archive"});
}

TEST(NpzRefuse, TruncatedZip) {
  const auto whole = read_file_bytes(fixture("savez_compressed.npz"));
  TempDir dir;
  for (size_t keep : {whole.size() / 2, whole.size() - 10, size_t{30}}) {
    SCOPED_TRACE(keep);
    const std::string p = dir.file("cut.npz");
    write_raw(p, std::span(whole).first(keep));
    expect_input_error([&] { read_npz(p); }, {p, "not a valid .npz (zip) archive"});
  }
}

TEST(NpzRefuse, NonNpyMember) {
  const std::string p = fixture("non_npy_member.npz");
  expect_input_error([&] { read_npz(p); }, {p, "'readme.txt'", "not a .npy"});
  expect_input_error([&] { npz_keys(p); }, {p, "'readme.txt'"});
}

TEST(NpzRefuse, MemberInflatesPastDeclaredSize) {
  // Both zip headers say 100 bytes; the deflate stream holds 384, whose .npy header alone needs
  // 128. It is refused from the .npy header, before the data are inflated (reading only the
  // declared size would silently truncate the array).
  const std::string p = fixture("inflates_past_size.npz");
  expect_input_error([&] { read_npz(p); },
                     {p + ":x", "needs 128 bytes before any data, the zip entry declares 100"});
}

TEST(NpzRefuse, AbsurdDeclaredSizeIsRefusedBeforeAllocating) {
  auto bytes = read_file_bytes(fixture("inflates_past_size.npz"));
  const size_t local = find_bytes(bytes, "PK\x03\x04");
  const size_t central = find_bytes(bytes, "PK\x01\x02");
  ASSERT_EQ(local, 0u);
  ASSERT_NE(central, std::string::npos);
  put_u32(bytes, local + 22, 0xF0000000u);  // ~4 GB from a couple of hundred compressed bytes
  put_u32(bytes, central + 24, 0xF0000000u);
  TempDir dir;
  const std::string p = dir.file("bomb.npz");
  write_raw(p, bytes);
  expect_input_error([&] { read_npz(p); }, {p + ":x", "more than deflate can produce"});
}

TEST(NpzRefuse, CorruptDataFailsTheCrc) {
  auto bytes = read_file_bytes(fixture("savez.npz"));  // stored, so the data bytes are visible
  const size_t npy = find_bytes(bytes, "\x93NUMPY");
  ASSERT_NE(npy, std::string::npos);
  bytes[npy + 130] ^= std::byte{0x5a};
  TempDir dir;
  const std::string p = dir.file("crc.npz");
  write_raw(p, bytes);
  expect_input_error([&] { read_npz(p); }, {p + ":resp", "CRC"});
}

TEST(NpzRefuse, BadNpyInsideAValidZipNamesTheMember) {
  TempDir dir;
  const std::string p = dir.file("bad_member.npz");
  int code = 0;
  zip_t* z = zip_open(p.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(z, nullptr);
  static const char junk[] = "this is not an npy image";
  zip_source_t* src = zip_source_buffer(z, junk, sizeof junk, 0);
  ASSERT_NE(src, nullptr);
  ASSERT_GE(zip_file_add(z, "bad.npy", src, 0), 0);
  ASSERT_EQ(zip_close(z), 0);
  expect_input_error([&] { read_npz(p); }, {p + ":bad", "bad magic"});
}

TEST(NpzWrite, RoundTripStoredAndCompressed) {
  const NpzContents in = sample_arrays();
  TempDir dir;
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress);
    const std::string p = dir.file(compress ? "c.npz" : "s.npz");
    write_npz(p, in, compress);
    const NpzContents out = read_npz(p);
    ASSERT_EQ(out.size(), in.size());
    for (const auto& [key, a] : in) {
      SCOPED_TRACE(key);
      const NpyArray& b = out.at(key);
      EXPECT_EQ(b.dtype, a.dtype);
      EXPECT_EQ(b.shape, a.shape);
      EXPECT_EQ(b.data, a.data);
    }
  }
  // Deflate must actually have been used: the resp ramp compresses well.
  EXPECT_LT(std::filesystem::file_size(dir.file("c.npz")),
            std::filesystem::file_size(dir.file("s.npz")));
}

TEST(NpzWrite, EmptyArchive) {
  TempDir dir;
  const std::string p = dir.file("empty.npz");
  write_npz(p, {});
  EXPECT_TRUE(read_npz(p).empty());
  EXPECT_TRUE(npz_keys(p).empty());
}

TEST(NpzWrite, RefusesEmptyKey) {
  TempDir dir;
  NpzContents z;
  z[""] = NpyArray::from_float(std::vector<float>{1}, {1});
  expect_input_error([&] { write_npz(dir.file("k.npz"), z); }, {"k.npz"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(NpzWrite, LoadsInNumpy) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  }
  TempDir dir;
  write_npz(dir.file("s.npz"), sample_arrays(), false);
  write_npz(dir.file("c.npz"), sample_arrays(), true);
  write_npz(dir.file("e.npz"), {}, true);
  const std::string script = dir.file("check.py");
  std::ofstream(script) << R"(import sys
import numpy as np
for path in sys.argv[1:3]:
    with np.load(path) as z:
        assert sorted(z.files) == ['counts', 'idx', 'mask', 'none', 'resp', 'scalar', 'stimuli'], z.files
        def check(key, want):
            got = z[key]
            assert got.dtype == want.dtype, (path, key, got.dtype, want.dtype)
            assert got.shape == want.shape, (path, key, got.shape, want.shape)
            assert np.array_equal(got, want), (path, key, got, want)
        check('resp', (np.arange(35) * 0.25 - 3).astype(np.float32).reshape(5, 7))
        check('stimuli', np.arange(5) * 1.5 - 2)
        check('idx', np.arange(4, dtype=np.int64) * 3)
        check('counts', np.array([[-200000, -100000], [0, 100000]], dtype=np.int32))
        check('mask', np.arange(5) % 2 == 0)
        check('scalar', np.array(3.5))
        check('none', np.zeros((0, 3), dtype=np.float32))
with np.load(sys.argv[3]) as z:
    assert z.files == [], z.files
)";
  const std::string cmd = "/usr/bin/python3 " + script + " " + dir.file("s.npz") + " " +
                          dir.file("c.npz") + " " + dir.file("e.npz");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(AtomicFile, WriteNpzLeavesNoTemporaries) {
  TempDir dir;
  const std::string p = dir.file("out.npz");
  write_npz(p, sample_arrays(), true);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.npz"});
  // Replacing an existing archive swaps it whole.
  NpzContents small;
  small["x"] = NpyArray::from_int64(std::vector<int64_t>{5}, {1});
  write_npz(p, small, false);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.npz"});
  EXPECT_EQ(npz_keys(p), std::vector<std::string>{"x"});
}

TEST(AtomicFile, NonexistentDirectoryThrowsIoErrorAndLeavesNothing) {
  TempDir dir;
  const std::string p = dir.file("missing/out.npz");
  for (bool compress : {false, true}) {
    try {
      write_npz(p, sample_arrays(), compress);
      ADD_FAILURE() << "expected nc::IoError";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(write_file_atomic(p, std::string("text")), IoError);
  EXPECT_THROW(write_npz(p, {}), IoError);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, TextRoundTripAndTempNames) {
  TempDir dir;
  const std::string p = dir.file("note.txt");
  write_file_atomic(p, std::string("hello\n"));
  write_file_atomic(p, std::string("bye\n"));
  const auto back = read_file_bytes(p);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(back.data()), back.size()), "bye\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"note.txt"});

  const std::string t1 = temp_path_for(p), t2 = temp_path_for(p);
  EXPECT_NE(t1, t2);
  EXPECT_EQ(t1.rfind(dir.file(".note.txt.tmp."), 0), 0u) << t1;
  EXPECT_EQ(temp_path_for("bare.npz").rfind(".bare.npz.tmp.", 0), 0u);
}

TEST(AtomicFile, ReadMissingFileIsInputError) {
  TempDir dir;
  const std::string p = dir.file("absent.bin");
  expect_input_error([&] { read_file_bytes(p); },
                     {p + ": cannot read (No such file or directory)"});
}

}  // namespace
}  // namespace nc::io
