// Datasets: np.digitize semantics, classes, re-binning, splits and the file loaders
// (DESIGN.md "Data").
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"

namespace nc::data {
namespace {

std::string golden(const std::string& name) {
  return std::string(NC_GOLDEN_DIR) + "/" + name;
}

// A fresh directory, removed with everything in it at the end of the test. Its name avoids the
// key names the tests look for in messages ("resp", "stimuli", ...).
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("nc_ds_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Runs f, expects nc::InputError whose one-line message contains every needle.
template <class F>
void expect_input_error(F f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "expected nc::InputError, nothing was thrown";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const auto& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message should be one line: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected nc::InputError, got another exception: " << e.what();
  }
}

io::NpyArray f32(const std::vector<float>& v, std::vector<int64_t> shape) {
  return io::NpyArray::from_float(v, std::move(shape));
}
io::NpyArray i64(const std::vector<int64_t>& v) {
  return io::NpyArray::from_int64(v, {static_cast<int64_t>(v.size())});
}

// ---------------------------------------------------------------------------------------------
// digitize, classes

TEST(Digitize, MatchesNumpySemantics) {
  const std::vector<double> edges = {0.0, 10.0, 20.0};
  EXPECT_EQ(digitize(-1.0, edges), 0);  // below the first edge
  EXPECT_EQ(digitize(-1e-12, edges), 0);
  EXPECT_EQ(digitize(0.0, edges), 1);  // equal to an edge goes to the bin on its right
  EXPECT_EQ(digitize(5.0, edges), 1);
  EXPECT_EQ(digitize(9.999999, edges), 1);
  EXPECT_EQ(digitize(10.0, edges), 2);
  EXPECT_EQ(digitize(19.5, edges), 2);
  EXPECT_EQ(digitize(20.0, edges), 3);  // >= last edge -> len(edges)
  EXPECT_EQ(digitize(1e9, edges), 3);
}

TEST(Digitize, RepeatedEdgesAndEmptyEdges) {
  // np.digitize([10], [0, 10, 10, 20]) == 3 (searchsorted side='right')
  EXPECT_EQ(digitize(10.0, {0.0, 10.0, 10.0, 20.0}), 3);
  EXPECT_EQ(digitize(9.0, {0.0, 10.0, 10.0, 20.0}), 1);
  EXPECT_EQ(digitize(3.0, {}), 0);
}

TEST(StimulusClasses, TwentyClasses) {
  const std::vector<float> a = {0.0f, 17.999f, 18.0f, 35.9f, 36.0f, 180.0f, 342.0f, 359.9f};
  const std::vector<int32_t> c = stimulus_classes(a, 20);
  const std::vector<int32_t> want = {0, 0, 1, 1, 2, 10, 19, 19};
  EXPECT_EQ(c, want);
}

TEST(StimulusClasses, ThreeClasses) {
  const std::vector<float> a = {0.0f, 119.99f, 120.0f, 239.99f, 240.0f, 359.99f};
  const std::vector<int32_t> want = {0, 0, 1, 1, 2, 2};
  EXPECT_EQ(stimulus_classes(a, 3), want);
}

TEST(StimulusClasses, AllClassesInRange) {
  std::vector<float> a;
  for (int i = 0; i < 3600; ++i) a.push_back(static_cast<float>(i) * 0.1f);
  for (int C : {2, 7, 20, 36}) {
    const auto c = stimulus_classes(a, C);
    ASSERT_EQ(c.size(), a.size());
    for (size_t i = 0; i < c.size(); ++i) {
      ASSERT_GE(c[i], 0);
      ASSERT_LT(c[i], C);
      if (i > 0) {
        ASSERT_GE(c[i], c[i - 1]) << "classes must not decrease with the angle";
      }
    }
    EXPECT_EQ(c.front(), 0);
    EXPECT_EQ(c.back(), C - 1);
  }
}

TEST(ClassCentre, MiddleOfTheBin) {
  EXPECT_DOUBLE_EQ(class_centre(0, 20), 9.0);
  EXPECT_DOUBLE_EQ(class_centre(1, 20), 27.0);
  EXPECT_DOUBLE_EQ(class_centre(19, 20), 351.0);
  EXPECT_DOUBLE_EQ(class_centre(1, 3), 180.0);
  EXPECT_DOUBLE_EQ(class_centre(2, 3), 300.0);
  // The centre of each class is classified as that class.
  for (int C : {3, 20}) {
    std::vector<float> centres;
    for (int c = 0; c < C; ++c) centres.push_back(static_cast<float>(class_centre(c, C)));
    const auto cls = stimulus_classes(centres, C);
    for (int c = 0; c < C; ++c) EXPECT_EQ(cls[static_cast<size_t>(c)], c);
  }
}

// ---------------------------------------------------------------------------------------------
// bin_dataset

Dataset small_dataset() {
  // 8 rows, 2 neurons; angles chosen to hit the edges of 10-degree bins.
  Dataset d;
  d.stimuli = {15.0f, 5.0f, 10.0f, 355.0f, 7.0f, 359.0f, 100.0f, 9.5f};
  RowMat resp(8, 2);
  resp << 1, 10,  //
      2, 20,      //
      3, 30,      //
      4, 40,      //
      5, 50,      //
      6, 60,      //
      7, 70,      //
      8, 80;
  d.resp = std::move(resp);
  return d;
}

TEST(BinDataset, WidthOneIsIdentity) {
  const Dataset d = small_dataset();
  for (double w : {1.0, 0.5, 0.0}) {
    const Dataset b = bin_dataset(d, w);
    EXPECT_EQ(b.stimuli, d.stimuli);
    ASSERT_EQ(b.resp.rows(), d.resp.rows());
    ASSERT_EQ(b.resp.cols(), d.resp.cols());
    EXPECT_TRUE(cmap(b.resp) == cmap(d.resp));
  }
}

TEST(BinDataset, WidthTenGivesPerBinMeansInBinOrder) {
  const Dataset b = bin_dataset(small_dataset(), 10.0);
  // Bins arange(0, 370, 10); digitize: 5, 7, 9.5 -> 1; 15, 10 -> 2 (10 is an edge: right bin);
  // 100 -> 11; 355, 359 -> 36. Empty bins dropped, rows in increasing bin index.
  //   bin 1: rows 1, 4, 7 -> resp (2+5+8)/3 = 5, angle (5+7+9.5)/3 = 7.1666..
  //   bin 2: rows 0, 2    -> resp (1+3)/2 = 2,   angle (15+10)/2 = 12.5
  //   bin 11: row 6       -> resp 7,             angle 100
  //   bin 36: rows 3, 5   -> resp (4+6)/2 = 5,   angle (355+359)/2 = 357
  ASSERT_EQ(b.resp.rows(), 4);
  ASSERT_EQ(b.resp.cols(), 2);
  ASSERT_EQ(b.stimuli.size(), 4u);
  const std::vector<float> want_angle = {static_cast<float>(21.5 / 3.0), 12.5f, 100.0f, 357.0f};
  const float want_resp[4][2] = {{5, 50}, {2, 20}, {7, 70}, {5, 50}};
  for (int r = 0; r < 4; ++r) {
    EXPECT_FLOAT_EQ(b.stimuli[static_cast<size_t>(r)], want_angle[static_cast<size_t>(r)])
        << "row " << r;
    for (int c = 0; c < 2; ++c)
      EXPECT_FLOAT_EQ(b.resp(r, c), want_resp[r][c]) << "row " << r << " col " << c;
  }
}

TEST(BinDataset, WideBinsAverageEverything) {
  // Width 360: bins {0, 360}, every angle in [0, 360) falls in bin 1 -> one row, the grand mean.
  const Dataset b = bin_dataset(small_dataset(), 360.0);
  ASSERT_EQ(b.resp.rows(), 1);
  EXPECT_FLOAT_EQ(b.resp(0, 0), 4.5f);
  EXPECT_FLOAT_EQ(b.resp(0, 1), 45.0f);
  EXPECT_FLOAT_EQ(b.stimuli[0],
                  static_cast<float>((15 + 5 + 10 + 355 + 7 + 359 + 100 + 9.5) / 8.0));
}

// ---------------------------------------------------------------------------------------------
// splits

void expect_partition(const Split& s, int64_t n) {
  std::set<int64_t> all;
  for (int64_t i : s.train_idx) all.insert(i);
  for (int64_t i : s.test_idx) {
    EXPECT_EQ(std::count(s.train_idx.begin(), s.train_idx.end(), i), 0)
        << "index " << i << " in both";
    all.insert(i);
  }
  EXPECT_EQ(static_cast<int64_t>(all.size()), n) << "duplicates or missing rows";
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), n - 1);
}

TEST(SplitRandom, SizesAreFloorOfFraction) {
  struct Case {
    int64_t n;
    double f;
    int64_t n_train;
  };
  for (const Case c : {Case{48, 0.6, 28}, Case{10, 0.55, 5}, Case{7, 0.5, 3}, Case{360, 0.6, 216},
                       Case{3, 0.9, 2}}) {
    Rng rng(1);
    const Split s = split_random(c.n, c.f, rng);
    EXPECT_EQ(static_cast<int64_t>(s.train_idx.size()), c.n_train) << "n=" << c.n << " f=" << c.f;
    EXPECT_EQ(static_cast<int64_t>(s.test_idx.size()), c.n - c.n_train)
        << "n=" << c.n << " f=" << c.f;
    expect_partition(s, c.n);
  }
}

TEST(SplitRandom, SeededAndReproducible) {
  Rng a(7), b(7), c(8);
  const Split sa = split_random(100, 0.6, a);
  const Split sb = split_random(100, 0.6, b);
  const Split sc = split_random(100, 0.6, c);
  EXPECT_EQ(sa.train_idx, sb.train_idx);
  EXPECT_EQ(sa.test_idx, sb.test_idx);
  EXPECT_NE(sa.train_idx, sc.train_idx);
  // Not just the identity permutation.
  std::vector<int64_t> first(60);
  for (int64_t i = 0; i < 60; ++i) first[static_cast<size_t>(i)] = i;
  EXPECT_NE(sa.train_idx, first);
}

TEST(SplitRandom, RefusesFractionsThatLeaveAnEmptySide) {
  Rng rng(1);
  EXPECT_THROW(split_random(10, 0.0, rng), InputError);
  EXPECT_THROW(split_random(10, 1.0, rng), InputError);
  EXPECT_THROW(split_random(10, 0.05, rng), InputError);  // floor(0.5) = 0 train rows
  EXPECT_THROW(split_random(10, std::numeric_limits<double>::quiet_NaN(), rng), InputError);
}

TEST(ValidateSplit, AcceptsAValidSplit) {
  EXPECT_NO_THROW(validate_split({{0, 2, 4}, {1, 3}}, 5, "split.npz"));
  EXPECT_NO_THROW(validate_split({{3}, {0}}, 5, "split.npz"));  // need not cover every row
}

TEST(ValidateSplit, ErrorsNameTheKey) {
  expect_input_error(
      [] {
        validate_split({{0, 1, 5}, {2, 3}}, 5, "sp.npz");
      },
      {"sp.npz", "train_idx", "5"});
  expect_input_error(
      [] {
        validate_split({{0, 1}, {2, -1}}, 5, "sp.npz");
      },
      {"sp.npz", "test_idx", "-1"});
  expect_input_error(
      [] {
        validate_split({{0, 1, 2}, {2, 3}}, 5, "sp.npz");
      },
      {"sp.npz", "train_idx", "test_idx", "2"});  // overlap
  expect_input_error(
      [] {
        validate_split({{0, 1, 1}, {2, 3}}, 5, "sp.npz");
      },
      {"train_idx", "twice"});
  expect_input_error([] { validate_split({{0, 1}, {3, 2, 3}}, 5, "sp.npz"); }, {"test_idx"});
  expect_input_error([] { validate_split({{}, {2, 3}}, 5, "sp.npz"); }, {"train_idx", "empty"});
  expect_input_error([] { validate_split({{0, 1}, {}}, 5, "sp.npz"); }, {"test_idx", "empty"});
}

TEST(LoadSplit, GoldenSplit) {
  const Split s = load_split(golden("decoder_split.npz"), 48);
  EXPECT_EQ(s.train_idx.size(), 28u);
  EXPECT_EQ(s.test_idx.size(), 20u);
  expect_partition(s, 48);
  // Same values, same order as in the file.
  const io::NpzContents npz = io::read_npz(golden("decoder_split.npz"));
  EXPECT_EQ(s.train_idx, npz.at("train_idx").to_int64());
  EXPECT_EQ(s.test_idx, npz.at("test_idx").to_int64());
  // 48 rows' indices do not fit a 40-row data set.
  expect_input_error([] { load_split(golden("decoder_split.npz"), 40); },
                     {"decoder_split.npz", "out of range"});
}

TEST(LoadSplit, FileErrors) {
  TempDir dir;
  const std::string p = dir.file("s.npz");

  io::write_npz(p, {{"train_idx", i64({0, 1, 2})}, {"test_idx", i64({3, 4})}});
  const Split ok = load_split(p, 5);
  EXPECT_EQ(ok.train_idx, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(ok.test_idx, (std::vector<int64_t>{3, 4}));

  // int32 indices are accepted too
  const std::vector<int32_t> tr32 = {4, 0}, te32 = {1};
  io::write_npz(p, {{"train_idx", io::NpyArray::from_int32(tr32, {2})},
                    {"test_idx", io::NpyArray::from_int32(te32, {1})}});
  EXPECT_EQ(load_split(p, 5).train_idx, (std::vector<int64_t>{4, 0}));

  io::write_npz(p, {{"train_idx", i64({0, 1, 7})}, {"test_idx", i64({3, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "train_idx", "7"});

  io::write_npz(p, {{"train_idx", i64({0, 1, 3})}, {"test_idx", i64({3, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "train_idx", "test_idx"});

  io::write_npz(p, {{"train_idx", i64({0, 1})}, {"test_idx", i64({3, 4, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "test_idx"});

  io::write_npz(p, {{"train_idx", i64({})}, {"test_idx", i64({3, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "train_idx"});

  io::write_npz(p, {{"train_idx", i64({0, 1})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "test_idx"});

  io::write_npz(p, {{"train_idx", f32({0, 1}, {2})}, {"test_idx", i64({3, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "train_idx", "float32"});

  io::write_npz(p, {{"train_idx", io::NpyArray::from_int64(std::vector<int64_t>{0, 1}, {1, 2})},
                    {"test_idx", i64({3, 4})}});
  expect_input_error([&] { load_split(p, 5); }, {p, "train_idx"});
}

TEST(TakeRows, SelectsInIndexOrder) {
  RowMat m(4, 2);
  m << 0, 1, 10, 11, 20, 21, 30, 31;
  const RowMat t = take_rows(m, {3, 0, 3});
  ASSERT_EQ(t.rows(), 3);
  ASSERT_EQ(t.cols(), 2);
  EXPECT_EQ(t(0, 0), 30);
  EXPECT_EQ(t(0, 1), 31);
  EXPECT_EQ(t(1, 0), 0);
  EXPECT_EQ(t(2, 1), 31);
  EXPECT_EQ(take({5.f, 6.f, 7.f}, {2, 0}), (std::vector<float>{7.f, 5.f}));
  EXPECT_EQ(take_rows(m, {}).rows(), 0);
}

// ---------------------------------------------------------------------------------------------
// loaders

TEST(LoadDataset, GoldenDecoderData) {
  const std::string p = golden("decoder_data.npz");
  const Dataset d = load_dataset(p);
  ASSERT_EQ(d.n_stimuli(), 48);
  ASSERT_EQ(d.n_neurons(), 32);
  const io::NpzContents npz = io::read_npz(p);
  EXPECT_EQ(d.stimuli, npz.at("stimuli").to_float());
  const std::vector<float> resp = npz.at("resp").to_float();
  for (int64_t r = 0; r < 48; ++r)
    for (int64_t c = 0; c < 32; ++c) ASSERT_EQ(d.resp(r, c), resp[static_cast<size_t>(r * 32 + c)]);
  EXPECT_TRUE(std::is_sorted(d.stimuli.begin(), d.stimuli.end()));
}

TEST(LoadDataset, SplitFormatPointsToEncode) {
  expect_input_error([] { load_dataset(golden("encoder_data.npz")); },
                     {"encoder_data.npz", "encode"});
}

TEST(LoadSplitDataset, GoldenEncoderDataAndRefusal) {
  const SplitDataset d = load_split_dataset(golden("encoder_data.npz"));
  EXPECT_EQ(d.n_stimuli(), 60);
  EXPECT_EQ(d.n_neurons(), 24);
  EXPECT_EQ(d.resp_test.rows(), 60);
  EXPECT_FLOAT_EQ(d.stimuli.front(), 3.0f);
  EXPECT_FLOAT_EQ(d.stimuli.back(), 357.0f);
  EXPECT_FALSE(d.resp_train == d.resp_test);
  expect_input_error([] { load_split_dataset(golden("decoder_data.npz")); }, {"decoder_data.npz"});
}

class LoadDatasetFiles : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("d.npz");
  // 3 rows x 2 neurons
  std::vector<float> resp = {0.5f, -1.0f, 2.0f, 3.25f, -0.125f, 4.0f};
  std::vector<float> stim = {0.0f, 120.5f, 359.5f};

  void write(const io::NpyArray& r, const io::NpyArray& s) {
    io::write_npz(path, {{"resp", r}, {"stimuli", s}});
  }
};

TEST_F(LoadDatasetFiles, ValidFileRoundTrips) {
  write(f32(resp, {3, 2}), f32(stim, {3}));
  const Dataset d = load_dataset(path);
  ASSERT_EQ(d.n_stimuli(), 3);
  ASSERT_EQ(d.n_neurons(), 2);
  EXPECT_EQ(d.stimuli, stim);
  EXPECT_EQ(d.resp(1, 0), 2.0f);
  EXPECT_EQ(d.resp(2, 1), 4.0f);
}

TEST_F(LoadDatasetFiles, NanInRespNamesResp) {
  resp[3] = std::numeric_limits<float>::quiet_NaN();
  write(f32(resp, {3, 2}), f32(stim, {3}));
  expect_input_error([&] { load_dataset(path); }, {path, ":resp", "finite"});
  resp[3] = std::numeric_limits<float>::infinity();
  write(f32(resp, {3, 2}), f32(stim, {3}));
  expect_input_error([&] { load_dataset(path); }, {path, ":resp"});
}

TEST_F(LoadDatasetFiles, AnglesOutsideRangeRefused) {
  for (float bad : {360.0f, 400.0f, -0.5f, std::numeric_limits<float>::quiet_NaN()}) {
    stim[1] = bad;
    write(f32(resp, {3, 2}), f32(stim, {3}));
    expect_input_error([&] { load_dataset(path); }, {path, "stimuli", "[0, 360)"});
  }
}

TEST_F(LoadDatasetFiles, StimuliColumnEqualsVector) {
  write(f32(resp, {3, 2}), f32(stim, {3, 1}));
  const Dataset col = load_dataset(path);
  write(f32(resp, {3, 2}), f32(stim, {3}));
  const Dataset vec = load_dataset(path);
  EXPECT_EQ(col.stimuli, vec.stimuli);
  EXPECT_TRUE(cmap(col.resp) == cmap(vec.resp));
  // (1, n) and (n, 2) are not angle vectors
  write(f32(resp, {3, 2}), f32(stim, {1, 3}));
  expect_input_error([&] { load_dataset(path); }, {path, "stimuli"});
  write(f32(resp, {3, 2}), f32({0, 1, 2, 3, 4, 5}, {3, 2}));
  expect_input_error([&] { load_dataset(path); }, {path, "stimuli"});
}

TEST_F(LoadDatasetFiles, Float64RespGivesFloat32Values) {
  const std::vector<double> r64 = {0.1, -1.0 / 3.0, 2.0, 1e-8, 12345.678901, -0.7};
  const std::vector<double> s64 = {0.25, 180.1, 359.9};
  write(io::NpyArray::from_double(r64, {3, 2}), io::NpyArray::from_double(s64, {3}));
  const Dataset d = load_dataset(path);
  ASSERT_EQ(d.n_stimuli(), 3);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(d.resp(i / 2, i % 2), static_cast<float>(r64[static_cast<size_t>(i)]));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(d.stimuli[i], static_cast<float>(s64[i]));
}

TEST_F(LoadDatasetFiles, RowCountMismatchRefused) {
  write(f32(resp, {3, 2}), f32({0.0f, 1.0f}, {2}));
  expect_input_error([&] { load_dataset(path); }, {path, "resp", "stimuli"});
}

TEST_F(LoadDatasetFiles, OneDimensionalRespRefused) {
  write(f32(resp, {6}), f32(stim, {3}));
  expect_input_error([&] { load_dataset(path); }, {path, "resp", "2-D"});
}

TEST_F(LoadDatasetFiles, MissingKeysAndEmptyArraysRefused) {
  io::write_npz(path, {{"resp", f32(resp, {3, 2})}});
  expect_input_error([&] { load_dataset(path); }, {path, "stimuli"});
  io::write_npz(path, {{"stimuli", f32(stim, {3})}});
  expect_input_error([&] { load_dataset(path); }, {path, "resp"});
  write(f32({}, {0, 2}), f32({}, {0}));
  expect_input_error([&] { load_dataset(path); }, {path, "resp"});
  // bool arrays are not responses
  const std::vector<uint8_t> b = {1, 0, 1, 0, 1, 0};
  write(io::NpyArray::from_bool(b, {3, 2}), f32(stim, {3}));
  expect_input_error([&] { load_dataset(path); }, {path, "resp"});
}

TEST_F(LoadDatasetFiles, SplitDatasetShapeMismatchRefused) {
  io::write_npz(path, {{"resp_train", f32(resp, {3, 2})},
                       {"resp_test", f32({1, 2, 3}, {3, 1})},
                       {"stimuli", f32(stim, {3})}});
  expect_input_error([&] { load_split_dataset(path); }, {path, "resp_test"});
  io::write_npz(path, {{"resp_train", f32(resp, {3, 2})},
                       {"resp_test", f32(resp, {3, 2})},
                       {"stimuli", f32(stim, {3})}});
  const SplitDataset d = load_split_dataset(path);
  EXPECT_EQ(d.n_stimuli(), 3);
  EXPECT_EQ(d.n_neurons(), 2);
}

// Each row's place in a then b, or nothing when the lists miss a row, repeat one or leave [0, n).
TEST(PlacesInLists, MapRowsToTheirPlaceOnlyWhenEveryRowIsListedOnce) {
  EXPECT_EQ(places_in_lists({3, 0}, {1, 4, 2}, 5), (std::vector<int64_t>{1, 2, 4, 0, 3}));
  EXPECT_TRUE(places_in_lists({3, 0}, {1, 4}, 5).empty());     // row 2 missing
  EXPECT_TRUE(places_in_lists({3, 0}, {1, 4, 0}, 5).empty());  // row 0 twice
  EXPECT_TRUE(places_in_lists({3, 0}, {1, 4, 5}, 5).empty());  // row 5 outside
  EXPECT_TRUE(places_in_lists({}, {}, 0).empty());
}

}  // namespace
}  // namespace nc::data
