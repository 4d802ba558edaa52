// Malformed input and bad options through the neurocodec command (issue 5, DESIGN.md
// "Reliability rules"): each case must give exit status 1 (2 for a usage error), exactly one
// stderr line "error: ..." naming the file, key or option, and no output files. Unusual but
// valid encodings of the same data (compressed, Fortran order, float64, big-endian, stimuli as a
// column) must give results identical to the plain file.
//
// The malformed files are made here, in a temporary folder, from the golden data set: arrays
// through nc::io, hand-written .npy headers, zip archives through libzip, then byte surgery.
#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cli_helpers.hpp"
#include "golden_helpers.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define NC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NC_TEST_ASAN 1
#endif
#endif

namespace nc {
namespace {

namespace fs = std::filesystem;
using testing::golden;
using Bytes = std::vector<std::byte>;

// --- Making files ---------------------------------------------------------------------------

Bytes bytes_of(const std::string& s) {
  Bytes b(s.size());
  std::memcpy(b.data(), s.data(), s.size());
  return b;
}

void write_bytes(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  ASSERT_TRUE(f.good()) << path;
}

Bytes read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return bytes_of(s);
}

// A .npy image (format 1.0) with a hand-written header: any descr, either order, any shape
// text, any payload; numpy's padding (data starts at a multiple of 64).
Bytes npy_raw(const std::string& descr, bool fortran, const std::string& shape,
              const Bytes& payload) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                  ", 'shape': " + shape + ", }";
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string img = "\x93NUMPY";
  img += '\x01';
  img += '\x00';
  img += static_cast<char>(h.size() & 0xff);
  img += static_cast<char>(h.size() >> 8);
  Bytes out = bytes_of(img + h);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

template <class T>
Bytes raw_values(const std::vector<T>& v, bool big_endian = false) {
  Bytes b(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  if (big_endian != (std::endian::native == std::endian::big)) {
    for (size_t i = 0; i < b.size(); i += sizeof(T))
      std::reverse(b.begin() + i, b.begin() + i + sizeof(T));
  }
  return b;
}

// A zip of named members with any bytes, through libzip (stored, or deflated).
void write_zip(const std::string& path, const std::vector<std::pair<std::string, Bytes>>& members,
               bool deflate = false) {
  int code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(z, nullptr) << path;
  for (const auto& [name, data] : members) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    ASSERT_NE(src, nullptr);
    const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    ASSERT_GE(idx, 0) << zip_strerror(z);
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx),
                             deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(z), 0) << zip_strerror(z);
}

// The golden decoder data set (48 stimuli x 32 neurons, float32), the base of every case.
struct Data {
  std::vector<float> resp;     // (rows, cols) C order
  std::vector<float> stimuli;  // (rows)
  int64_t rows = 0, cols = 0;
};

Data golden_data() {
  const io::NpzContents npz = io::read_npz(golden("decoder_data.npz"));
  Data d;
  d.resp = npz.at("resp").to_float();
  d.stimuli = npz.at("stimuli").to_float();
  d.rows = npz.at("resp").shape[0];
  d.cols = npz.at("resp").shape[1];
  return d;
}

Bytes resp_npy(const Data& d) {
  return io::serialize_npy(io::NpyArray::from_float(d.resp, {d.rows, d.cols}));
}
Bytes stimuli_npy(const Data& d) {
  return io::serialize_npy(
      io::NpyArray::from_float(d.stimuli, {static_cast<int64_t>(d.stimuli.size())}));
}

// --- Running the command --------------------------------------------------------------------

// Runs the command with its virtual memory bounded (ASan reserves terabytes of address space, so
// under ASan the bound is its largest allowed single allocation instead). An attempt to allocate
// what a lying header declares then fails as "out of memory" or an ASan report, not as the
// error naming the file that the checks want.
testing::CliResult run_cli_bounded(const std::string& args, int mib) {
  const std::string dir = testing::fresh_dir("bounded");
#ifdef NC_TEST_ASAN
  const std::string prefix =
      "ASAN_OPTIONS=\"${ASAN_OPTIONS}:max_allocation_size_mb=" + std::to_string(mib) + "\" ";
#else
  // One BLAS thread: OpenBLAS reserves address space per thread at load, which would make the
  // bound depend on the machine's core count.
  const std::string prefix =
      "ulimit -v " + std::to_string(mib * 1024) + " && OPENBLAS_NUM_THREADS=1 ";
#endif
  const std::string cmd = prefix + NC_CLI_PATH + " " + args + " >" + dir + "/out 2>" + dir + "/err";
  const int rc = std::system(cmd.c_str());
  testing::CliResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = testing::slurp(dir + "/out");
  r.err = testing::slurp(dir + "/err");
  fs::remove_all(dir);
  return r;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_dir("badinput");
    out_ = dir_ + "/run";
    data_ = golden_data();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // A resp/stimuli file from the given member images.
  std::string data_file(const std::string& name,
                        const std::vector<std::pair<std::string, Bytes>>& members,
                        bool deflate = false) {
    const std::string p = path(name);
    write_zip(p, members, deflate);
    return p;
  }

  // The checks every rejection shares: status, one "error: " line naming each of `mentions`,
  // nothing written under --out. `args` must not contain --out; it is added here.
  void expect_rejected(const std::string& args, int status,
                       std::initializer_list<std::string> mentions, int bound_mib = 0) {
    const std::string cmd = args + " --quiet --out " + out_;
    const auto r = bound_mib ? run_cli_bounded(cmd, bound_mib) : testing::run_cli(cmd);
    EXPECT_EQ(r.status, status) << cmd << "\n" << r.err;
    EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    for (const std::string& m : mentions)
      EXPECT_NE(r.err.find(m), std::string::npos) << "no '" << m << "' in " << r.err;
    expect_no_output(out_);
  }

  // No file under the output folder. A failed run should not leave the folder either.
  static void expect_no_output(const std::string& out) {
    if (!fs::exists(out)) return;
    std::vector<std::string> left;
    for (const auto& e : fs::recursive_directory_iterator(out)) left.push_back(e.path().string());
    EXPECT_TRUE(left.empty()) << "left behind: " << (left.empty() ? "" : left.front());
    EXPECT_FALSE(fs::exists(out)) << "a failed run left the (empty) output folder " << out;
  }

  std::string dir_, out_;
  Data data_;
};

// --- Malformed data files -------------------------------------------------------------------

TEST_F(BadInput, EmptyFile) {
  write_bytes(path("empty.npz"), {});
  expect_rejected("decode --data " + path("empty.npz"), 1, {path("empty.npz"), "empty"});
}

TEST_F(BadInput, RandomBytes) {
  std::mt19937 gen(5);
  Bytes b(4096);
  for (auto& x : b) x = static_cast<std::byte>(gen() & 0xff);
  write_bytes(path("random.npz"), b);
  expect_rejected("decode --data " + path("random.npz"), 1, {path("random.npz")});
}

TEST_F(BadInput, TruncatedZip) {
  const std::string full =
      data_file("full.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}});
  Bytes b = read_bytes(full);
  b.resize(b.size() / 2);
  write_bytes(path("truncated.npz"), b);
  expect_rejected("decode --data " + path("truncated.npz"), 1, {path("truncated.npz")});
}

TEST_F(BadInput, BrokenNpyHeader) {
  Bytes resp = resp_npy(data_);
  const std::string img(reinterpret_cast<const char*>(resp.data()), 64);
  const size_t at = img.find("'shape'");
  ASSERT_NE(at, std::string::npos);
  resp[at + 8] = std::byte{'['};  // "'shape': (48, 32)" -> "'shape':[48, 32)"
  const std::string f =
      data_file("header.npz", {{"resp.npy", resp}, {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f + ":resp", "header"});
}

TEST_F(BadInput, AbsurdShapeIsRefusedBeforeAllocating) {
  // 4e18 bytes (just within 64 bits), then 40 GB: both declared by a file of a few bytes.
  for (const std::string shape : {"(1000000000, 1000000000)", "(100000, 100000)"}) {
    const std::string f =
        data_file("absurd.npz", {{"resp.npy", npy_raw("<f4", false, shape, Bytes(64))},
                                 {"stimuli.npy", stimuli_npy(data_)}});
    expect_rejected("decode --data " + f, 1, {f + ":resp", shape}, 1024);
  }
}

TEST_F(BadInput, ShapeOverflowing64Bits) {
  const std::string f = data_file(
      "overflow.npz", {{"resp.npy", npy_raw("<f8", false, "(4294967296, 4294967296)", {})},
                       {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f + ":resp", "too large"}, 1024);
}

TEST_F(BadInput, ZipMemberInflatesPastItsDeclaredSize) {
  const std::string f = data_file(
      "inflates.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}},
      /*deflate=*/true);
  // Understate resp.npy's uncompressed size in its local header and its central directory entry.
  Bytes b = read_bytes(f);
  const std::string s(reinterpret_cast<const char*>(b.data()), b.size());
  const uint32_t lie = 100;
  const size_t local = s.find("PK\x03\x04");
  const size_t central = s.find("PK\x01\x02");
  ASSERT_EQ(local, 0u);
  ASSERT_NE(central, std::string::npos);
  ASSERT_EQ(s.compare(local + 30, 8, "resp.npy"), 0);
  ASSERT_EQ(s.compare(central + 46, 8, "resp.npy"), 0);
  std::memcpy(b.data() + local + 22, &lie, 4);
  std::memcpy(b.data() + central + 24, &lie, 4);
  write_bytes(f, b);
  expect_rejected("decode --data " + f, 1, {f + ":resp"});
}

TEST_F(BadInput, ZipMemberDeclaringAHugeSizeCostsOnlyWhatItHolds) {
  // A stored 2 MiB member whose headers claim 1.5 GB (within deflate's ratio of the archive).
  const int64_t rows = 1024, cols = 512;
  const std::string f = data_file(
      "huge_member.npz", {{"resp.npy", io::serialize_npy(io::NpyArray::from_float(
                                           std::vector<float>(rows * cols, 0.5f), {rows, cols}))},
                          {"stimuli.npy", stimuli_npy(data_)}});
  Bytes b = read_bytes(f);
  const std::string s(reinterpret_cast<const char*>(b.data()), b.size());
  const uint32_t claim = 1500000000u;
  const size_t local = s.find("PK\x03\x04");
  const size_t central = s.find("PK\x01\x02");
  ASSERT_EQ(s.compare(local + 30, 8, "resp.npy"), 0);
  ASSERT_EQ(s.compare(central + 46, 8, "resp.npy"), 0);
  std::memcpy(b.data() + local + 22, &claim, 4);
  std::memcpy(b.data() + central + 24, &claim, 4);
  write_bytes(f, b);
  expect_rejected("decode --data " + f, 1, {f + ":resp"}, 1024);
}

TEST_F(BadInput, ObjectDtype) {
  const Bytes pickle = bytes_of("\x80\x02]q\x00(K\x01NE.");
  const std::string f = data_file("object.npz", {{"resp.npy", npy_raw("|O", false, "(2,)", pickle)},
                                                 {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f + ":resp", "object"});
}

TEST_F(BadInput, StringDtype) {
  const std::string f = data_file(
      "string.npz",
      {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", npy_raw("<U3", false, "(2,)", Bytes(24))}});
  expect_rejected("decode --data " + f, 1, {f + ":stimuli", "string"});
}

TEST_F(BadInput, MissingKey) {
  const std::string f = data_file("missing.npz", {{"resp.npy", resp_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f, "stimuli"});
}

TEST_F(BadInput, WrongDimensionality) {
  const std::string f =
      data_file("dims.npz", {{"resp.npy", io::serialize_npy(io::NpyArray::from_float(
                                              data_.resp, {data_.rows, data_.cols / 2, 2}))},
                             {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f + ":resp", "2-D"});
  std::vector<float> two(data_.stimuli.size() * 2, 1.0f);
  const std::string g = data_file(
      "dims2.npz",
      {{"resp.npy", resp_npy(data_)},
       {"stimuli.npy", io::serialize_npy(io::NpyArray::from_float(two, {data_.rows, 2}))}});
  expect_rejected("decode --data " + g, 1, {g + ":stimuli", "shape"});
}

TEST_F(BadInput, EmptyArrays) {
  const std::string f =
      data_file("empty_arrays.npz",
                {{"resp.npy", io::serialize_npy(io::NpyArray::from_float({}, {0, data_.cols}))},
                 {"stimuli.npy", io::serialize_npy(io::NpyArray::from_float({}, {0}))}});
  expect_rejected("decode --data " + f, 1, {f, "empty"});
}

TEST_F(BadInput, NaNInResponses) {
  data_.resp[5 * data_.cols + 3] = std::numeric_limits<float>::quiet_NaN();
  const std::string f =
      data_file("nan.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f, "resp", "non-finite"});
}

TEST_F(BadInput, InfInStimuli) {
  data_.stimuli[7] = std::numeric_limits<float>::infinity();
  const std::string f =
      data_file("inf.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}});
  expect_rejected("decode --data " + f, 1, {f, "stimuli", "inf"});
}

TEST_F(BadInput, RespAndStimuliRowCountsDisagree) {
  Data d = data_;
  d.stimuli.pop_back();
  const std::string f =
      data_file("rows.npz", {{"resp.npy", resp_npy(d)}, {"stimuli.npy", stimuli_npy(d)}});
  expect_rejected("decode --data " + f, 1, {f, "resp", "stimuli", "48", "47"});
}

TEST_F(BadInput, EncodeRespTrainAndRespTestShapesDisagree) {
  const io::NpzContents enc = io::read_npz(golden("encoder_data.npz"));
  io::NpzContents bad = enc;
  const auto& rt = enc.at("resp_test");
  std::vector<float> v = rt.to_float();
  v.resize(v.size() - static_cast<size_t>(rt.shape[1]));
  bad["resp_test"] = io::NpyArray::from_float(v, {rt.shape[0] - 1, rt.shape[1]});
  io::write_npz(path("enc.npz"), bad);
  expect_rejected("encode --data " + path("enc.npz"), 1, {path("enc.npz"), "resp_test"});
}

// --- Split and init files -------------------------------------------------------------------

void write_split(const std::string& p, std::vector<int64_t> train, std::vector<int64_t> test) {
  const int64_t ntr = static_cast<int64_t>(train.size()), nte = static_cast<int64_t>(test.size());
  io::write_npz(p, {{"train_idx", io::NpyArray::from_int64(train, {ntr})},
                    {"test_idx", io::NpyArray::from_int64(test, {nte})}});
}

TEST_F(BadInput, SplitIndexOutOfRange) {
  write_split(path("split.npz"), {0, 1, 2, 48}, {3, 4});
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --split " + path("split.npz"),
                  1, {path("split.npz") + ":train_idx", "48", "out of range"});
  write_split(path("split.npz"), {0, 1, 2}, {-1, 4});
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --split " + path("split.npz"),
                  1, {path("split.npz") + ":test_idx", "-1", "out of range"});
}

TEST_F(BadInput, SplitIndicesOverlap) {
  write_split(path("split.npz"), {0, 1, 2, 3}, {3, 4, 5});
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --split " + path("split.npz"),
                  1, {path("split.npz"), "both train_idx and test_idx"});
}

TEST_F(BadInput, InitWithWrongShape) {
  io::NpzContents init = io::read_npz(golden("classification_init.npz"));
  const auto& w = init.at("in_layer.weight");
  std::vector<float> v = w.to_float();
  v.resize(v.size() - static_cast<size_t>(w.shape[1]));
  init["in_layer.weight"] = io::NpyArray::from_float(v, {w.shape[0] - 1, w.shape[1]});
  io::write_npz(path("init.npz"), init);
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --init " + path("init.npz"), 1,
                  {path("init.npz") + ":in_layer.weight", "(20, 32)", "(19, 32)"});
}

TEST_F(BadInput, InitWithWrongNames) {
  io::NpzContents init = io::read_npz(golden("classification_init.npz"));
  init["hidden.weight"] = init.at("in_layer.weight");
  init.erase("in_layer.weight");
  io::write_npz(path("init.npz"), init);
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --init " + path("init.npz"), 1,
                  {path("init.npz"), "hidden.weight"});
  init = io::read_npz(golden("classification_init.npz"));
  init.erase("out_layer.bias");
  io::write_npz(path("init.npz"), init);
  expect_rejected("decode --data " + golden("decoder_data.npz") + " --init " + path("init.npz"), 1,
                  {path("init.npz"), "missing", "out_layer.bias"});
}

TEST_F(BadInput, EncodeInitWithWrongShape) {
  io::NpzContents init = io::read_npz(golden("encoder_init.npz"));
  init["conv.weight"] = io::NpyArray::from_float(std::vector<float>(6 * 5 * 5, 0.1f), {6, 1, 5, 5});
  io::write_npz(path("init.npz"), init);
  expect_rejected("encode --data " + golden("encoder_data.npz") + " --init " + path("init.npz"), 1,
                  {path("init.npz") + ":conv.weight", "(6, 1, 7, 7)"});
}

// --- Options --------------------------------------------------------------------------------

struct OptionCase {
  std::string args;     // after the data file
  std::string mention;  // the option the error must name
};

class BadOption : public BadInput, public ::testing::WithParamInterface<OptionCase> {};

TEST_P(BadOption, OneLineErrorNamingTheOption) {
  const OptionCase& c = GetParam();
  const bool encode = c.args.rfind("encode", 0) == 0;
  const std::string data = golden(encode ? "encoder_data.npz" : "decoder_data.npz");
  const std::string cmd = c.args.substr(0, 7) + "--data " + data + " " + c.args.substr(7);
  expect_rejected(cmd, 1, {c.mention});
}

INSTANTIATE_TEST_SUITE_P(
    Values, BadOption,
    ::testing::Values(
        OptionCase{"decode --lr nan", "--lr"}, OptionCase{"decode --lr inf", "--lr"},
        OptionCase{"decode --lr -0.1", "--lr"}, OptionCase{"decode --lr 0", "--lr"},
        OptionCase{"decode --l1 -1e-3", "--l1"}, OptionCase{"decode --l1 nan", "--l1"},
        OptionCase{"decode --l2 inf", "--l2"}, OptionCase{"decode --l2 -1", "--l2"},
        OptionCase{"encode --lr -inf", "--lr"}, OptionCase{"encode --lr nan", "--lr"},
        OptionCase{"encode --l1 -1", "--l1"}, OptionCase{"encode --l2 inf", "--l2"},
        OptionCase{"encode --momentum nan", "--momentum"},
        OptionCase{"encode --momentum -0.5", "--momentum"},
        OptionCase{"decode --iters 0", "--iters"}, OptionCase{"decode --iters -3", "--iters"},
        OptionCase{"encode --iters 0", "--iters"}, OptionCase{"decode --hidden 0", "--hidden"},
        OptionCase{"decode --model regression --hidden -1", "--hidden"},
        OptionCase{"decode --classes 1", "--classes"},
        OptionCase{"decode --classes -5", "--classes"},
        OptionCase{"decode --train-fraction 0", "--train-fraction"},
        OptionCase{"decode --train-fraction 1", "--train-fraction"},
        OptionCase{"decode --train-fraction -0.2", "--train-fraction"},
        OptionCase{"decode --train-fraction nan", "--train-fraction"}),
    [](const ::testing::TestParamInfo<OptionCase>& info) {
      std::string name;
      for (char ch : info.param.args)
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name + "_" + std::to_string(info.index);
    });

// Values CLI11 cannot convert are usage errors (status 2), named by option.
TEST_F(BadInput, UnparsableOptionValuesAreUsageErrors) {
  expect_rejected("decode --iters lots", 2, {"--iters"});
  expect_rejected("decode --lr 1e-3x", 2, {"--lr"});
  expect_rejected("encode --kernel 7.5", 2, {"--kernel"});
  expect_rejected("decode --no-such-option 1", 2, {"--no-such-option"});
}

TEST_F(BadInput, UnwritableOutputDirectory) {
  // Tests run as root, which may write anywhere: a folder below a regular file can never exist.
  write_bytes(path("file.txt"), bytes_of("x"));
  for (const char* cmd : {"decode", "encode"}) {
    const std::string data =
        golden(std::string(cmd) == "decode" ? "decoder_data.npz" : "encoder_data.npz");
    const std::string out = path("file.txt") + "/sub";
    const auto r = testing::run_cli(std::string(cmd) + " --quiet --data " + data + " --out " + out);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
    EXPECT_EQ(testing::slurp(path("file.txt")), "x");
  }
}

// --- Unusual but valid encodings give identical results -------------------------------------

class SameResult : public BadInput {
 protected:
  // Trains a few iterations on `data` and returns what must not depend on the file's encoding.
  nlohmann::json train(const std::string& data, const std::string& tag) {
    const std::string out = path("out_" + tag);
    const auto r =
        testing::run_cli("decode --quiet --iters 5 --seed 3 --data " + data + " --out " + out);
    EXPECT_EQ(r.status, 0) << tag << ": " << r.err;
    const auto m = testing::read_json(out + "/metrics.json");
    nlohmann::json j;
    for (const char* k : {"train_loss", "test_loss", "fraction_correct", "confusion", "test_mse"})
      j[k] = m.at(k);
    const io::NpzContents model = io::read_npz(out + "/model.npz");
    for (const auto& [k, a] : model) j["model"][k] = a.to_double();
    return j;
  }

  void expect_same_as_plain(const std::string& file, const std::string& tag) {
    const std::string plain = data_file(
        "plain.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}});
    const auto ref = train(plain, "plain");
    const auto got = train(file, tag);
    EXPECT_EQ(got["train_loss"], ref["train_loss"]) << tag;
    EXPECT_EQ(got["test_loss"], ref["test_loss"]) << tag;
    EXPECT_EQ(got, ref) << tag;
  }

  Bytes resp_fortran(bool big_endian, const std::string& descr) const {
    std::vector<float> t(data_.resp.size());  // column-major copy
    for (int64_t i = 0; i < data_.rows; ++i)
      for (int64_t j = 0; j < data_.cols; ++j)
        t[j * data_.rows + i] = data_.resp[i * data_.cols + j];
    return npy_raw(descr, true,
                   "(" + std::to_string(data_.rows) + ", " + std::to_string(data_.cols) + ")",
                   raw_values(t, big_endian));
  }
};

TEST_F(SameResult, CompressedNpz) {
  const std::string f = data_file(
      "compressed.npz", {{"resp.npy", resp_npy(data_)}, {"stimuli.npy", stimuli_npy(data_)}},
      /*deflate=*/true);
  expect_same_as_plain(f, "compressed");
}

TEST_F(SameResult, FortranOrder) {
  const std::string f = data_file("fortran.npz", {{"resp.npy", resp_fortran(false, "<f4")},
                                                  {"stimuli.npy", stimuli_npy(data_)}});
  expect_same_as_plain(f, "fortran");
}

TEST_F(SameResult, Float64) {
  const std::vector<double> r(data_.resp.begin(), data_.resp.end()),
      s(data_.stimuli.begin(), data_.stimuli.end());
  const std::string f = data_file(
      "f64.npz",
      {{"resp.npy", io::serialize_npy(io::NpyArray::from_double(r, {data_.rows, data_.cols}))},
       {"stimuli.npy", io::serialize_npy(io::NpyArray::from_double(s, {data_.rows}))}});
  expect_same_as_plain(f, "float64");
}

TEST_F(SameResult, BigEndian) {
  const std::string shape =
      "(" + std::to_string(data_.rows) + ", " + std::to_string(data_.cols) + ")";
  const std::string f = data_file(
      "be.npz", {{"resp.npy", npy_raw(">f4", false, shape, raw_values(data_.resp, true))},
                 {"stimuli.npy", npy_raw(">f4", false, "(" + std::to_string(data_.rows) + ",)",
                                         raw_values(data_.stimuli, true))}});
  expect_same_as_plain(f, "big-endian");
}

TEST_F(SameResult, StimuliAsColumn) {
  const std::string f =
      data_file("column.npz", {{"resp.npy", resp_npy(data_)},
                               {"stimuli.npy", io::serialize_npy(io::NpyArray::from_float(
                                                   data_.stimuli, {data_.rows, 1}))}});
  expect_same_as_plain(f, "column");
}

TEST_F(SameResult, AllAtOnce) {
  // Fortran-order big-endian float64 responses, big-endian float64 column of stimuli, deflated.
  std::vector<double> t(data_.resp.size());
  for (int64_t i = 0; i < data_.rows; ++i)
    for (int64_t j = 0; j < data_.cols; ++j) t[j * data_.rows + i] = data_.resp[i * data_.cols + j];
  const std::vector<double> s(data_.stimuli.begin(), data_.stimuli.end());
  const std::string rows = std::to_string(data_.rows);
  const std::string f = data_file(
      "all.npz",
      {{"resp.npy", npy_raw(">f8", true, "(" + rows + ", " + std::to_string(data_.cols) + ")",
                            raw_values(t, true))},
       {"stimuli.npy", npy_raw(">f8", true, "(" + rows + ", 1)", raw_values(s, true))}},
      /*deflate=*/true);
  expect_same_as_plain(f, "all");
}

}  // namespace
}  // namespace nc
