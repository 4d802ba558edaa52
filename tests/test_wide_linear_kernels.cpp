// The hand-written wide kernels (nn/wide_linear_kernels.hpp) against plain double-precision
// arithmetic and against the one update rule (nn/update_rule.hpp) bit for bit, and the
// column-blocked step with them against the same step on the library (train::WideKernels::library,
// Eigen on OpenBLAS), on shapes that hit every tail: columns not a multiple of the kernels'
// vector block (32 columns with 256-bit vectors, 64 with 512-bit) or of the pass's block
// (128 or 384 columns), rows not a multiple of the forward tile, hidden units not a multiple of
// the gradient tile (2 units with AVX2 alone, 5 with AVX-512VL) or the vector width (8), fewer
// than 8 and more than 24 units.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "nn/update_rule.hpp"
#include "nn/wide_linear_kernels.hpp"
#include "random_helpers.hpp"
#include "train/column_blocked_step.hpp"

namespace nc {
namespace {

using testing::random_mat;

// Largest |a - b| relative to the largest |b|.
double max_rel(const RowMat& a, const RowMat& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-30f);
}

struct Shape {
  int64_t h, rows, n, k0, cols;
};

void PrintTo(const Shape& s, std::ostream* os) {
  *os << "h" << s.h << "_rows" << s.rows << "_n" << s.n << "_k0" << s.k0 << "_cols" << s.cols;
}

class WideKernel : public ::testing::TestWithParam<Shape> {};

TEST_P(WideKernel, GradientStepMatchesPlainArithmetic) {
  const Shape s = GetParam();
  Rng rng(11);
  const RowMat x = random_mat(s.rows, s.n, rng), dpre = random_mat(s.rows, s.h, rng, 0.1f);
  RowMat w = random_mat(s.h, s.n, rng, 0.05f);
  w(0, s.k0) = 0.0f;  // sign(0) = 0: the L1 term leaves an exact zero alone
  const RowMat w0 = w;
  RowMat backup = RowMat::Constant(s.h, s.n, -7.0f);
  const float lr = 0.3f, l1 = 1e-3f, l2 = 5e-2f;
  WeightSums sums;
  wide_gradient_step(w.data(), s.n, backup.data(), x.data() + s.k0, s.n, s.rows, dpre.data(), s.h,
                     s.k0, s.cols, lr, l1, l2, sums);

  double sq = 0, ab = 0;
  RowMat expect = w0;
  for (int64_t j = 0; j < s.h; ++j) {
    for (int64_t k = s.k0; k < s.k0 + s.cols; ++k) {
      double g = 0;
      for (int64_t i = 0; i < s.rows; ++i) g += double(dpre(i, j)) * x(i, k);
      const double wv = w0(j, k), sg = (wv > 0) - (wv < 0);
      const double nw = wv - lr * (g + 2.0 * l2 * wv + l1 * sg);
      expect(j, k) = static_cast<float>(nw);
      sq += nw * nw;
      ab += std::abs(nw);
    }
  }
  EXPECT_LT(max_rel(w, expect), 1e-5);
  // columns outside the block are untouched; backup holds the old block and nothing else
  for (int64_t j = 0; j < s.h; ++j) {
    for (int64_t k = 0; k < s.n; ++k) {
      const bool in = k >= s.k0 && k < s.k0 + s.cols;
      if (!in) {
        ASSERT_EQ(w(j, k), w0(j, k)) << j << "," << k;
        ASSERT_EQ(backup(j, k), -7.0f) << j << "," << k;
      } else {
        ASSERT_EQ(backup(j, k), w0(j, k)) << j << "," << k;
      }
    }
  }
  EXPECT_NEAR(sums.sum_sq, sq, 1e-5 * sq);
  EXPECT_NEAR(sums.sum_abs, ab, 1e-5 * ab);
  // the step moved the weights: the comparisons above are not vacuous
  EXPECT_GT((w - w0).cwiseAbs().maxCoeff(), 1e-3f);

  // the forward-only sums of the new weights are the step's, bit for bit (resume relies on it)
  WeightSums again;
  wide_weight_sums(w.data(), s.n, s.h, s.k0, s.cols, again);
  EXPECT_EQ(again.sum_sq, sums.sum_sq);
  EXPECT_EQ(again.sum_abs, sums.sum_abs);
}

TEST_P(WideKernel, ForwardAccumulatesTheBlockProduct) {
  const Shape s = GetParam();
  Rng rng(12);
  const RowMat x = random_mat(s.rows, s.n, rng), w = random_mat(s.h, s.n, rng);
  const int64_t hp = wide_padded_units(s.h);
  ASSERT_EQ(hp % 8, 0);
  ASSERT_GE(hp, s.h);
  ASSERT_LT(hp - s.h, 8);
  std::vector<float> wt(static_cast<size_t>(s.cols * hp), 99.0f);
  wide_transpose_block(wt.data(), w.data(), s.n, s.h, s.k0, s.cols);
  for (int64_t k = 0; k < s.cols; ++k) {
    for (int64_t j = 0; j < hp; ++j) {
      ASSERT_EQ(wt[static_cast<size_t>(k * hp + j)], j < s.h ? w(j, s.k0 + k) : 0.0f);
    }
  }
  const int64_t ldp = hp + 3;  // a leading dimension wider than the units
  RowMat pre = random_mat(s.rows, ldp, rng);
  for (int64_t i = 0; i < s.rows; ++i) {
    for (int64_t j = s.h; j < ldp; ++j) pre(i, j) = 0.0f;
  }
  const RowMat pre0 = pre;
  wide_forward(pre.data(), ldp, x.data() + s.k0, s.n, s.rows, wt.data(), hp, s.cols);
  RowMat expect = pre0;
  for (int64_t i = 0; i < s.rows; ++i) {
    for (int64_t j = 0; j < s.h; ++j) {
      double acc = pre0(i, j);
      for (int64_t k = s.k0; k < s.k0 + s.cols; ++k) acc += double(x(i, k)) * w(j, k);
      expect(i, j) = static_cast<float>(acc);
    }
  }
  EXPECT_LT(max_rel(pre, expect), 1e-5);
  EXPECT_EQ(pre.rightCols(ldp - s.h), expect.rightCols(ldp - s.h));  // padding stays zero
}

TEST_P(WideKernel, VectorAndScalarColumnsAgreeBitForBit) {
  // The vector tiles do each weight's multiplies and adds in the scalar path's order (the file
  // is compiled without contraction): stepping the block at once, or one column at a time
  // (which takes the scalar path), gives the same weights.
  const Shape s = GetParam();
  Rng rng(13);
  const RowMat x = random_mat(s.rows, s.n, rng), dpre = random_mat(s.rows, s.h, rng, 0.1f);
  const RowMat w0 = random_mat(s.h, s.n, rng, 0.05f);
  RowMat whole = w0, by_column = w0;
  WeightSums a, b;
  wide_gradient_step(whole.data(), s.n, nullptr, x.data() + s.k0, s.n, s.rows, dpre.data(), s.h,
                     s.k0, s.cols, 0.3f, 1e-3f, 5e-2f, a);
  for (int64_t k = s.k0; k < s.k0 + s.cols; ++k)
    wide_gradient_step(by_column.data(), s.n, nullptr, x.data() + k, s.n, s.rows, dpre.data(), s.h,
                       k, 1, 0.3f, 1e-3f, 5e-2f, b);
  EXPECT_EQ(whole, by_column);
  EXPECT_NE(whole, w0);
}

TEST_P(WideKernel, UpdateIsTheSharedRuleBitForBit) {
  // The kernels' vector code spells nn/update_rule.hpp's FMAs in intrinsics: the same gradient
  // (summed over rows in order, one FMA each, as the kernels do) through sgd_update_block gives
  // the kernels' weights exactly.
  const Shape s = GetParam();
  Rng rng(17);
  const RowMat x = random_mat(s.rows, s.n, rng), dpre = random_mat(s.rows, s.h, rng, 0.1f);
  RowMat w = random_mat(s.h, s.n, rng, 0.05f);
  w(0, s.k0) = 0.0f;
  RowMat expect = w;
  const SgdOptions rule{.lr = 0.3f, .l1 = 1e-3f, .l2 = 5e-2f};
  WeightSums sums;
  wide_gradient_step(w.data(), s.n, nullptr, x.data() + s.k0, s.n, s.rows, dpre.data(), s.h, s.k0,
                     s.cols, rule.lr, rule.l1, rule.l2, sums);
  for (int64_t j = 0; j < s.h; ++j)
    for (int64_t k = s.k0; k < s.k0 + s.cols; ++k) {
      float g = 0.0f;
      for (int64_t i = 0; i < s.rows; ++i) g = std::fma(dpre(i, j), x(i, k), g);
      sgd_update_block<false, false>(&expect(j, k), nullptr, &g, 1, rule);
    }
  EXPECT_EQ(w, expect);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WideKernel,
    ::testing::Values(Shape{20, 37, 300, 0, 256},   // the tutorial's 20 units, two tiles deep
                      Shape{20, 8, 200, 32, 128},   // exact tiles, offset block
                      Shape{3, 13, 100, 5, 77},     // < 8 units, odd offset, column tail
                      Shape{7, 1, 64, 0, 64},       // one row
                      Shape{29, 27, 160, 17, 131},  // > 24 units, every tail
                      Shape{1, 5, 40, 3, 31},       // one unit, scalar columns only
                      Shape{26, 24, 96, 0, 96}));   // 26 units: 3 vectors + 1

struct WideCase {
  int64_t h, n_train, n_test, n;
};

void PrintTo(const WideCase& c, std::ostream* os) {
  *os << "h" << c.h << "_train" << c.n_train << "_test" << c.n_test << "_n" << c.n;
}

class WideStep : public ::testing::TestWithParam<WideCase> {};

struct StepResult {
  RowMat w, backup, pre_train, pre_test;
  WeightSums sums;
};

StepResult run_step(const WideCase& c, train::WideKernels kernels) {
  Rng rng(21);
  const RowMat x_tr = random_mat(c.n_train, c.n, rng), x_te = random_mat(c.n_test, c.n, rng);
  const RowMat dpre = random_mat(c.n_train, c.h, rng, 0.1f);
  StepResult r;
  r.w = random_mat(c.h, c.n, rng, 0.05f);
  r.backup = RowMat::Zero(c.h, c.n);
  r.pre_train = RowMat::Zero(c.n_train, c.h);
  r.pre_test = RowMat::Zero(c.n_test, c.h);
  train::column_blocked_sgd_step(
      r.w.data(), r.backup.data(), c.h, c.n, CMatMap(x_tr.data(), c.n_train, c.n),
      CMatMap(x_te.data(), c.n_test, c.n), CMatMap(dpre.data(), c.n_train, c.h),
      MatMap(r.pre_train.data(), c.n_train, c.h), MatMap(r.pre_test.data(), c.n_test, c.h),
      {.lr = 0.3f, .l1 = 1e-3f, .l2 = 5e-2f}, &r.sums, kernels);
  return r;
}

TEST_P(WideStep, HandKernelsMatchTheLibrary) {
  const WideCase c = GetParam();
  const StepResult lib = run_step(c, train::WideKernels::library),
                   hand = run_step(c, train::WideKernels::hand);
  EXPECT_LT(max_rel(hand.w, lib.w), 1e-5);
  EXPECT_EQ(hand.backup, lib.backup);  // both: exactly the weights before the step
  EXPECT_LT(max_rel(hand.pre_train, lib.pre_train), 1e-5);
  EXPECT_LT(max_rel(hand.pre_test, lib.pre_test), 1e-5);
  EXPECT_NEAR(hand.sums.sum_sq, lib.sums.sum_sq, 1e-5 * lib.sums.sum_sq);
  EXPECT_NEAR(hand.sums.sum_abs, lib.sums.sum_abs, 1e-5 * lib.sums.sum_abs);
  EXPECT_GT((lib.w - lib.backup).cwiseAbs().maxCoeff(), 1e-3f);
}

TEST_P(WideStep, HandKernelsAreDeterministicAndForwardAgreesWithTheStep) {
  const WideCase c = GetParam();
  const StepResult a = run_step(c, train::WideKernels::hand),
                   b = run_step(c, train::WideKernels::hand);
  EXPECT_EQ(a.w, b.w);
  EXPECT_EQ(a.pre_train, b.pre_train);
  EXPECT_EQ(a.pre_test, b.pre_test);
  EXPECT_EQ(a.sums.sum_sq, b.sums.sum_sq);
  EXPECT_EQ(a.sums.sum_abs, b.sums.sum_abs);

  // A forward-only pass over the stepped weights (what a resumed run starts with) gives the
  // step's outputs and sums bit for bit.
  Rng rng(21);
  const RowMat x_tr = random_mat(c.n_train, c.n, rng), x_te = random_mat(c.n_test, c.n, rng);
  RowMat pre_tr(c.n_train, c.h), pre_te(c.n_test, c.h);
  WeightSums sums;
  train::column_blocked_forward(
      a.w.data(), c.h, c.n, CMatMap(x_tr.data(), c.n_train, c.n),
      CMatMap(x_te.data(), c.n_test, c.n), MatMap(pre_tr.data(), c.n_train, c.h),
      MatMap(pre_te.data(), c.n_test, c.h), &sums, train::WideKernels::hand);
  EXPECT_EQ(pre_tr, a.pre_train);
  EXPECT_EQ(pre_te, a.pre_test);
  EXPECT_EQ(sums.sum_sq, a.sums.sum_sq);
  EXPECT_EQ(sums.sum_abs, a.sums.sum_abs);
}

// K Bᵀ from K's panels (the dual-form decoder's per-iteration product): every entry is one FMA
// chain over k in order, so the vector kernels give the scalar loop's bits, and both are K Bᵀ
// to float rounding. Rows past the panels' 64, units not a multiple of the 5-unit tile.
TEST(WidePanels, ProductIsOneFmaChainPerEntryOnEveryPath) {
  for (const auto [rows, depth, h] : {std::tuple<int64_t, int64_t, int64_t>{150, 77, 20},
                                      {64, 64, 5},
                                      {3, 9, 7},
                                      {129, 300, 1},
                                      {70, 1, 23},
                                      {65, 20, 9}}) {
    SCOPED_TRACE(::testing::Message() << rows << "x" << depth << " h" << h);
    Rng rng(31);
    const RowMat k = random_mat(rows, depth + 3, rng), b = random_mat(h, depth + 2, rng);
    const int64_t n_panels = (rows + kPanelRows - 1) / kPanelRows;
    std::vector<float> panels(static_cast<size_t>(n_panels * depth * kPanelRows), 99.0f);
    wide_make_panels(panels.data(), k.data(), depth + 3, rows, depth);
    for (int64_t i = 0; i < n_panels * kPanelRows; ++i)
      for (int64_t kk = 0; kk < depth; ++kk)
        ASSERT_EQ(panels[static_cast<size_t>((i / kPanelRows * depth + kk) * kPanelRows +
                                             i % kPanelRows)],
                  i < rows ? k(i, kk) : 0.0f);
    const int64_t ldo = h + 2;
    RowMat fast = RowMat::Constant(rows + 2, ldo, 7.0f), slow = fast;  // 2 sentinel rows
    wide_panel_product(fast.data(), ldo, panels.data(), rows, depth, 0, n_panels, b.data(),
                       depth + 2, h);
    wide_panel_product(slow.data(), ldo, panels.data(), rows, depth, 0, n_panels, b.data(),
                       depth + 2, h, /*vectors=*/false);
    EXPECT_EQ(fast, slow);
    const RowMat expect =
        (k.leftCols(depth).cast<double>() * b.leftCols(depth).transpose().cast<double>())
            .cast<float>();
    EXPECT_LT(max_rel(fast.topLeftCorner(rows, h), expect), 1e-5);
    EXPECT_EQ(fast.rightCols(2), RowMat::Constant(rows + 2, 2, 7.0f));  // beyond h: untouched
    EXPECT_EQ(fast.bottomRows(2), RowMat::Constant(2, ldo, 7.0f));      // past the last row
  }
}

// W_in = B X_train from X's rows read in place: the same FMA chains, so the vector tiles (64,
// 16 and 8 columns) and the scalar tail agree bit for bit with the scalar loop, and a split of
// the columns at any point changes nothing.
TEST(WidePanels, RowCombinationIsOneFmaChainPerEntryForAnySplit) {
  for (const auto [depth, cols, h] : {std::tuple<int64_t, int64_t, int64_t>{37, 200, 20},
                                      {64, 64, 5},
                                      {5, 7, 3},
                                      {130, 91, 1},
                                      {1, 129, 23},
                                      {20, 80, 9},
                                      {9, 24, 7}}) {
    SCOPED_TRACE(::testing::Message() << depth << "x" << cols << " h" << h);
    Rng rng(37);
    const RowMat x = random_mat(depth, cols + 5, rng), b = random_mat(h, depth + 1, rng);
    const int64_t ldo = cols + 3;
    RowMat fast = RowMat::Constant(h + 1, ldo, 7.0f), slow = fast, split = fast;  // sentinel row
    wide_row_combination(fast.data(), ldo, x.data(), cols + 5, depth, 0, cols, b.data(), depth + 1,
                         h);
    wide_row_combination(slow.data(), ldo, x.data(), cols + 5, depth, 0, cols, b.data(), depth + 1,
                         h, /*vectors=*/false);
    const int64_t cut = cols / 3;  // rarely a multiple of a tile
    wide_row_combination(split.data(), ldo, x.data(), cols + 5, depth, 0, cut, b.data(), depth + 1,
                         h);
    wide_row_combination(split.data(), ldo, x.data(), cols + 5, depth, cut, cols, b.data(),
                         depth + 1, h);
    EXPECT_EQ(fast, slow);
    EXPECT_EQ(fast, split);
    const RowMat expect =
        (b.leftCols(depth).cast<double>() * x.leftCols(cols).cast<double>()).cast<float>();
    EXPECT_LT(max_rel(fast.topLeftCorner(h, cols), expect), 1e-5);
    EXPECT_EQ(fast.rightCols(3), RowMat::Constant(h + 1, 3, 7.0f));  // beyond cols: untouched
    EXPECT_EQ(fast.bottomRows(1), RowMat::Constant(1, ldo, 7.0f));   // past the last unit
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WideStep,
    ::testing::Values(WideCase{20, 43, 17, 1000},  // tutorial-like, n not a multiple of 128
                      WideCase{20, 64, 16, 512},   // everything aligned
                      WideCase{3, 9, 2, 257},      // < 8 units, one column past a block
                      WideCase{29, 30, 7, 700},    // > 24 units
                      WideCase{20, 5, 3, 90}));    // less than one block

}  // namespace
}  // namespace nc
