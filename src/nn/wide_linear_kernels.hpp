#pragma once
// Hand-written AVX2/FMA kernels (AVX-512 where the build has it) for the decoder's fused wide
// step (train/column_blocked_step.hpp), where neurocodec beats its BLAS: OpenBLAS runs these
// thin products (one side H = 20 wide, the other a cache-sized block of X) at 35-50% of its own
// square-matrix speed, because each call re-packs its operands and the 20-wide side fills its
// micro-tiles badly.
// Here the loops keep their accumulators in registers for a whole column block:
//
//   wide_gradient_step   dW = dPreᵀ X[:, blk] with the dW tile held in registers while the
//                        rows of X stream past, then W's L1/L2/SGD update applied to the tile
//                        straight from the registers (vectorised over X's columns);
//   wide_forward         pre += X[:, blk] W[:, blk]ᵀ from a transposed, zero-padded copy of the
//                        W block, a tile of pre rows x units in registers (vectorised over units).
//
// and, below them, the dual-form decoder's two thin products (wide_panel_product,
// wide_row_combination), vectorised over the long side instead.
//
// All sum in a fixed order, so results depend only on the blocks, never on timing. W and pre
// are also the same with 256- or 512-bit vectors (each element sees the same operations in the
// same order); only the order of the weight sums differs. The
// library version (Eigen products on OpenBLAS) stays beside them as the reference in tests
// (tests/test_wide_linear_kernels.cpp) and as the fallback where AVX2/FMA is missing.
#include <cstdint>

#include "nn/losses.hpp"  // WeightSums

namespace nc {

// True when this build has the kernels (compiled with AVX2 and FMA, e.g. -march=native).
bool wide_kernels_available();
// True when they use 512-bit (AVX-512) vectors, else 256-bit (AVX2).
bool wide_kernels_512();

// For columns [k0, k0+cols) of W (h, ldw), with xb (rows, ldx) = those columns of X and
// dpre (rows, h):
//   g = dpreᵀ xb,  W[:, k0:k0+cols] <- W - lr (g + 2 l2 W + l1 sign W)
// with nn/update_rule.hpp's element-wise rule. backup (h, ldw) receives the old W
// (may be null). Adds Σ w², Σ |w| of the new W to sums. Any cols; full speed for multiples of 32
// (64 with AVX-512).
void wide_gradient_step(float* w, int64_t ldw, float* backup, const float* xb, int64_t ldx,
                        int64_t rows, const float* dpre, int64_t h, int64_t k0, int64_t cols,
                        float lr, float l1, float l2, WeightSums& sums);

// Adds Σ w², Σ |w| of W[:, k0:k0+cols] to sums, in exactly wide_gradient_step's order: a
// forward-only pass over weights a step wrote reports the same sums as that step.
void wide_weight_sums(const float* w, int64_t ldw, int64_t h, int64_t k0, int64_t cols,
                      WeightSums& sums);

// The padded width of a transposed W block: h rounded up to a multiple of 8.
int64_t wide_padded_units(int64_t h);

// wt (cols, hp) = W[:, k0:k0+cols]ᵀ, zero beyond h. hp = wide_padded_units(h).
void wide_transpose_block(float* wt, const float* w, int64_t ldw, int64_t h, int64_t k0,
                          int64_t cols);

// pre (rows, ldp) += xb (rows, ldx) · wt (cols, hp), over all hp padded columns (ldp >= hp;
// the padding columns of pre stay 0), with xb the block's columns of X as for the step.
void wide_forward(float* pre, int64_t ldp, const float* xb, int64_t ldx, int64_t rows,
                  const float* wt, int64_t hp, int64_t cols);

// A fixed matrix K (rows x depth) multiplied by a new thin B (H x depth) many times, out = K Bᵀ:
// the dual-form decoder's per-iteration product (train/decoder_dual.cpp), K its Gram blocks.
// Vectorised over K's rows, so every lane of every FMA is a useful one whatever H (the forward
// tile above pads H = 20 to 24 units, a 512-bit and a 256-bit vector). K is rearranged once
// into panels of kPanelRows rows: panel p holds K[64p + r, k] at [k * 64 + r] (zero past K's
// last row), so a product streams each panel once, contiguously.
inline constexpr int64_t kPanelRows = 64;

// panels (ceil(rows / 64) * depth * 64 floats) from k (rows, ldk).
void wide_make_panels(float* panels, const float* k, int64_t ldk, int64_t rows, int64_t depth);

// out (rows, ldo)[:, 0:h] = K bᵀ over panels [p0, p1), for b (h, ldb) with depth columns. Each
// entry is one FMA chain over k = 0 .. depth-1 in order, starting from 0: the same bits from the
// 512- or 256-bit kernels as from the scalar loop (vectors = false, the tests' reference).
void wide_panel_product(float* out, int64_t ldo, const float* panels, int64_t rows, int64_t depth,
                        int64_t p0, int64_t p1, const float* b, int64_t ldb, int64_t h,
                        bool vectors = true);

// out (h, ldo)[:, c0:c1] = b X[:, c0:c1] for b (h, ldb) and X (depth, ldx): combinations of X's
// rows, read in place (a row-major X's columns are panels with row stride ldx). The dual-form
// decoder's W_in = B X_train (train/decoder_dual.cpp). Each entry is one FMA chain over X's
// rows in order, as in wide_panel_product: any split of the columns, any vector width or
// none (vectors = false) gives the same bits.
void wide_row_combination(float* out, int64_t ldo, const float* x, int64_t ldx, int64_t depth,
                          int64_t c0, int64_t c1, const float* b, int64_t ldb, int64_t h,
                          bool vectors = true);

}  // namespace nc
