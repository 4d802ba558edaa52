// Input that is not loaded (io/mapped_file.hpp, data/responses.hpp): .npy files and stored .npz
// members are memory-mapped, a folder of .npy files is a dataset, a fit reads rows through
// index lists, and mapped input gives the same bits as loaded input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/responses.hpp"
#include "io/mapped_file.hpp"
#include "io/npz.hpp"
#include "nn/gram.hpp"
#include "random_helpers.hpp"
#include "runs/fit.hpp"

namespace nc {
namespace {

using testing::fresh_dir;
using testing::run_cli;
using testing::slurp;

io::NpyArray f32(const RowMat& m) {
  return io::NpyArray::from_float({m.data(), static_cast<size_t>(m.size())}, {m.rows(), m.cols()});
}

struct Files {
  std::string dir, folder, stored, deflated;
};

// The same small dataset as a folder of .npy files, a stored .npz and a deflated .npz.
Files write_three_ways(const RowMat& resp, const std::vector<float>& stim) {
  Files f;
  f.dir = fresh_dir("mapped");
  f.folder = f.dir + "/rec";
  std::filesystem::create_directories(f.folder);
  io::write_npy(f.folder + "/resp.npy", f32(resp));
  io::write_npy(f.folder + "/stimuli.npy",
                io::NpyArray::from_float(stim, {static_cast<int64_t>(stim.size())}));
  io::NpzContents npz;
  npz["resp"] = f32(resp);
  npz["stimuli"] = io::NpyArray::from_float(stim, {static_cast<int64_t>(stim.size())});
  f.stored = f.dir + "/stored.npz";
  f.deflated = f.dir + "/deflated.npz";
  io::write_npz(f.stored, npz, false);
  io::write_npz(f.deflated, npz, true);
  return f;
}

RowMat random_resp(int64_t rows, int64_t cols, uint64_t seed) {
  Rng rng(seed);
  return testing::random_mat(rows, cols, rng);
}

std::vector<float> angles(int64_t n) {
  std::vector<float> a(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) a[static_cast<size_t>(i)] = static_cast<float>((i * 37) % 360);
  return a;
}

TEST(MappedInput, NpyAndStoredMembersAreMappedDeflatedOnesRead) {
  const RowMat resp = random_resp(40, 300, 1);
  const Files f = write_three_ways(resp, angles(40));
  const data::Dataset a = data::load_dataset(f.folder);
  const data::Dataset c = data::load_dataset(f.deflated);
  EXPECT_TRUE(a.resp.mapped());
  EXPECT_FALSE(c.resp.mapped());
  const io::StoredMember m = io::npz_stored_member(f.stored, "resp");
  ASSERT_GE(m.offset, 0);  // libzip stores uncompressed members when asked
  const data::Dataset b = data::load_dataset(f.stored);
  // Mapped exactly when the member's data start on a float boundary in the file.
  const std::string head = slurp(f.stored).substr(static_cast<size_t>(m.offset), 256);
  const io::NpyHeader h = io::parse_npy_header(
      std::as_bytes(std::span<const char>(head.data(), head.size())), "member");
  EXPECT_EQ(b.resp.mapped(), (m.offset + static_cast<int64_t>(h.data_offset)) % 4 == 0);
  for (const data::Dataset* d : {&a, &b, &c}) {
    EXPECT_TRUE(cmap(d->resp) == resp);
    EXPECT_EQ(d->stimuli, angles(40));
  }
  std::filesystem::remove_all(f.dir);
}

TEST(MappedInput, FolderWithoutItsFilesNamesWhatIsMissing) {
  const std::string dir = fresh_dir("mapped_missing");
  try {
    (void)data::load_dataset(dir);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing stimuli.npy"), std::string::npos) << e.what();
  }
  io::write_npy(dir + "/stimuli.npy", io::NpyArray::from_float(angles(3), {3}));
  try {
    (void)data::load_dataset(dir);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("resp.npy"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// A header that claims more rows than the file holds is refused before anything is mapped.
TEST(MappedInput, LyingNpyHeaderIsRefusedBeforeMapping) {
  const std::string dir = fresh_dir("mapped_lying");
  io::write_npy(dir + "/stimuli.npy", io::NpyArray::from_float(angles(4), {4}));
  std::vector<std::byte> bytes = io::serialize_npy(f32(random_resp(4, 8, 2)));
  std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const size_t at = text.find("(4, 8)");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "(9, 8)");  // same length: the header stays well formed
  std::ofstream(dir + "/resp.npy", std::ios::binary) << text;
  try {
    (void)data::load_dataset(dir);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated .npy data"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("resp.npy"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// A file truncated while mapped: the next access to a page that is gone raises SIGBUS, which
// ends the process with a one-line error naming the file instead of a crash.
TEST(MappedInputDeathTest, TruncatedWhileMappedIsReportedByName) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string dir = fresh_dir("mapped_sigbus");
  const std::string path = dir + "/resp.npy";
  io::write_npy(path, f32(random_resp(64, 4096, 3)));  // 1 MiB: many pages
  EXPECT_EXIT(
      {
        const io::FloatArray a = io::open_npy_floats(path);
        if (!a.mapped()) std::_Exit(7);
        if (::truncate(path.c_str(), 0) != 0) std::_Exit(8);
        volatile float sink = a.data[64 * 4096 - 1];  // the last page: gone
        (void)sink;
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(1), "resp.npy: changed while neurocodec was reading it");
  std::filesystem::remove_all(dir);
}

// The split's Gram blocks depend only on the listed rows' values, not where they lie in X, and
// equal the full Gram's blocks within float rounding.
TEST(SplitGram, DependsOnTheListedRowsOnlyAndMatchesTheFullGram) {
  const RowMat x = random_resp(30, 9000, 4);  // three neuron blocks, the last one short
  const std::vector<int64_t> a = {5, 1, 17, 29, 0, 12, 3, 22}, b = {8, 2, 25};
  const SplitGram g = split_gram(cmap(x), a, b);
  const Eigen::MatrixXd xd = x.cast<double>();
  // The same rows at other positions in another matrix.
  RowMat y = RowMat::Zero(40, 9000);
  std::vector<int64_t> a2, b2;
  for (size_t i = 0; i < a.size(); ++i) {
    y.row(static_cast<int64_t>(39 - i)) = x.row(a[i]);
    a2.push_back(static_cast<int64_t>(39 - i));
  }
  for (size_t i = 0; i < b.size(); ++i) {
    y.row(static_cast<int64_t>(2 * i)) = x.row(b[i]);
    b2.push_back(static_cast<int64_t>(2 * i));
  }
  int gathers = 0;
  BlockReader counting = memory_block_reader(cmap(y));
  counting.gather_to = [&, inner = counting.gather_to](const std::vector<int64_t>& rows, int64_t c0,
                                                       int64_t n, float* out) {
    ++gathers;
    inner(rows, c0, n, out);
  };
  const RowMat w = random_resp(3, 9000, 6);  // projections of 3 "hidden units"
  const SplitGram h = split_gram(counting, a2, b2, &w);
  EXPECT_EQ(gathers, 6);  // the a and b rows of three blocks, one pass
  EXPECT_TRUE(g.train == h.train);
  EXPECT_TRUE(g.cross == h.cross);
  // The projections: with the Gram products they ride in them (w's rows under X_a's), alone
  // they are products of their own; the same within float rounding, and near X wᵀ. Riding
  // leaves the Gram blocks' bits alone (g above has no w).
  const SplitGram p = split_projections(memory_block_reader(cmap(x)), a, b, w);
  EXPECT_LE((p.proj_a - h.proj_a).cwiseAbs().maxCoeff(), 1e-5f * p.proj_a.cwiseAbs().maxCoeff());
  EXPECT_LE((p.proj_b - h.proj_b).cwiseAbs().maxCoeff(), 1e-5f * p.proj_b.cwiseAbs().maxCoeff());
  EXPECT_GT(p.proj_a.cwiseAbs().maxCoeff(), 1.0f);
  EXPECT_EQ(p.train.size(), 0);
  const Eigen::MatrixXd wd = w.cast<double>();
  for (size_t i = 0; i < a.size(); ++i)
    for (int64_t u = 0; u < 3; ++u) {
      const double exact = xd.row(a[i]).dot(wd.row(u));
      EXPECT_NEAR(h.proj_a(static_cast<int64_t>(i), u), exact, 1e-4 * std::abs(exact) + 1e-2);
    }
  const RowMat full = gram_matrix(cmap(x));
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < a.size(); ++j) {
      const double exact = xd.row(a[i]).dot(xd.row(a[j]));
      EXPECT_NEAR(g.train(static_cast<int64_t>(i), static_cast<int64_t>(j)), exact,
                  1e-4 * std::abs(exact) + 1e-2);
      EXPECT_NEAR(full(a[i], a[j]), exact, 1e-4 * std::abs(exact) + 1e-2);
    }
    for (size_t j = 0; j < b.size(); ++j) {
      const double exact = xd.row(b[j]).dot(xd.row(a[i]));
      EXPECT_NEAR(g.cross(static_cast<int64_t>(j), static_cast<int64_t>(i)), exact,
                  1e-4 * std::abs(exact) + 1e-2);
    }
  }
}

// A mapped matrix's blocks are read with pread (Responses::gather), and equal the copy from
// memory; a file cut short under the mapping is reported by name, not with SIGBUS.
TEST(MappedInput, GatherReadsTheFileAndNamesItWhenCut) {
  const std::string dir = fresh_dir("mapped_gather");
  const std::string path = dir + "/resp.npy";
  const RowMat x = random_resp(20, 5000, 8);
  io::write_npy(path, f32(x));
  const data::Responses mapped(io::open_npy_floats(path));
  ASSERT_TRUE(mapped.mapped());
  const std::vector<int64_t> rows = {19, 0, 7, 7, 3};
  RowMat from_file, from_memory;
  mapped.gather(rows, 4000, 1000, from_file);
  memory_block_reader(cmap(x)).gather(rows, 4000, 1000, from_memory);
  EXPECT_TRUE(from_file == from_memory);
  EXPECT_TRUE(data::take_rows(mapped, rows) == data::take_rows(x, rows));
  ASSERT_EQ(::truncate(path.c_str(), 128 + 4 * 5000 * 10), 0);  // rows 10.. gone
  mapped.gather({2, 9}, 0, 5000, from_file);                    // still in the file
  try {
    mapped.gather({2, 15}, 0, 5000, from_file);
    ADD_FAILURE() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("resp.npy: changed while neurocodec was reading it"),
              std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

// The dual form's hidden activity of every row comes from its Gram blocks and W0 projections,
// not a second pass over the data: it matches running the rows forward through the trained
// network (to float rounding), and a split that leaves a row out gets none (the analysis then
// runs the rows forward itself).
TEST(MappedInput, DualFitsHiddenActivityOfEveryRowMatchesTheForwardPass) {
  data::Dataset ds;
  ds.resp = data::Responses(random_resp(90, 700, 11));
  ds.stimuli = angles(90);
  data::Split split;
  for (int64_t i = 0; i < 90; ++i) (i % 3 == 0 ? split.test_idx : split.train_idx).push_back(i);
  runs::DecoderConfig cfg;
  cfg.train.iters = 25;
  cfg.train.lr = 1e-3f;
  cfg.train.penalty.l2 = 1e-3f;
  const runs::DecoderFit fit = runs::fit_decoder(ds, split, cfg);
  ASSERT_EQ(fit.hidden.rows(), 90);
  ASSERT_EQ(fit.hidden.cols(), 20);
  models::DecoderWorkspace ws;
  models::decoder_forward(fit.net, cmap(ds.resp), ws);
  ASSERT_GT(ws.hidden.maxCoeff(), 0.1f);  // units that are on, so the comparison means something
  EXPECT_LE((fit.hidden - ws.hidden).cwiseAbs().maxCoeff(),
            1e-4f * ws.hidden.cwiseAbs().maxCoeff());
  split.test_idx.pop_back();
  EXPECT_EQ(runs::fit_decoder(ds, split, cfg).hidden.size(), 0);
}

// decode on the same data mapped (a folder of .npy files) and loaded (a deflated .npz): the
// dual form (classifier without L1), the fused form (with L1) and ridge give the same bits.
// More neurons than one block of the mapped passes (kGramBlockNeurons = 4,096), so the mapped
// run's Gram and W_in passes take two blocks, the last a short one.
TEST(MappedInput, DecodeGivesTheSameBitsMappedOrLoaded) {
  const std::string dir = fresh_dir("mapped_decode");
  ASSERT_EQ(run_cli("simulate --neurons 4200 --trials 720 --out " + dir + "/sim.npz").status, 0);
  const io::NpzContents sim = io::read_npz(dir + "/sim.npz");
  std::filesystem::create_directories(dir + "/rec");
  io::write_npy(dir + "/rec/resp.npy", sim.at("resp"));
  io::write_npy(dir + "/rec/stimuli.npy", sim.at("stimuli"));
  io::write_npz(dir + "/deflated.npz", sim, true);
  for (const std::string opts : {"--iters 30", "--iters 30 --l1 1e-4 --l2 1e-3", "--model ridge",
                                 "--iters 30 --model regression"}) {
    const std::string common = " --quiet --no-plots --seed 3 " + opts;
    ASSERT_EQ(run_cli("decode --data " + dir + "/rec --out " + dir + "/m" + common).status, 0)
        << opts;
    ASSERT_EQ(run_cli("decode --data " + dir + "/deflated.npz --out " + dir + "/l" + common).status,
              0)
        << opts;
    // Every array of both files, byte for byte (the archives' member times may differ).
    for (const char* file : {"model.npz", "analysis.npz"}) {
      const io::NpzContents a = io::read_npz(dir + "/m/" + file),
                            b = io::read_npz(dir + "/l/" + file);
      ASSERT_EQ(a.size(), b.size()) << opts << " " << file;
      for (const auto& [key, arr] : a) {
        ASSERT_EQ(b.count(key), 1u) << key;
        EXPECT_TRUE(arr.data == b.at(key).data) << opts << " " << file << ":" << key;
      }
    }
    const auto losses = [](const std::string& metrics) {
      return metrics.substr(metrics.find("\"test_loss\""));
    };
    if (opts.find("ridge") == std::string::npos)
      EXPECT_EQ(losses(slurp(dir + "/m/metrics.json")), losses(slurp(dir + "/l/metrics.json")))
          << opts;
    std::filesystem::remove_all(dir + "/m");
    std::filesystem::remove_all(dir + "/l");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc

namespace nc {
namespace {

// simulate --format npy writes resp a block of neurons at a time (sim::simulate_in_blocks),
// with the same values as the .npz; 5,000 neurons make two blocks.
TEST(SimulateNpy, BlockwiseFolderEqualsTheNpz) {
  const std::string dir = testing::fresh_dir("sim_npy");
  for (const std::string extra : {"", " --single-trials --trials 300"}) {
    const std::string common = " --neurons 5000" + extra;
    ASSERT_EQ(testing::run_cli("simulate --format npy --out " + dir + "/f" + common).status, 0);
    ASSERT_EQ(testing::run_cli("simulate --out " + dir + "/a.npz" + common).status, 0);
    const data::Dataset f = data::load_dataset(dir + "/f"), a = data::load_dataset(dir + "/a.npz");
    EXPECT_TRUE(f.resp.mapped());
    EXPECT_TRUE(cmap(f.resp) == cmap(a.resp)) << extra;
    EXPECT_EQ(f.stimuli, a.stimuli) << extra;
    std::filesystem::remove_all(dir + "/f");
  }
  const auto r = testing::run_cli("simulate --format npy --compress --out " + dir + "/g");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--compress"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc

namespace nc {
namespace {

// A stored archive without resp: the error names the key and lists the keys present, read
// from the zip records before anything is mapped.
TEST(MappedInput, MissingRespListsTheKeysPresent) {
  const std::string dir = testing::fresh_dir("mapped_nokey");
  io::NpzContents npz;
  npz["stimuli"] = io::NpyArray::from_float(angles(3), {3});
  npz["other"] = io::NpyArray::from_float(angles(2), {2});
  io::write_npz(dir + "/x.npz", npz, false);
  try {
    (void)data::load_dataset(dir + "/x.npz");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing key 'resp' (keys present: "), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("stimuli"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc
