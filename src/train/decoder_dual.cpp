#include "train/decoder_dual.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/blas_threads.hpp"
#include "core/parallel.hpp"
#include "nn/activations.hpp"
#include "nn/gram.hpp"
#include "nn/wide_linear_kernels.hpp"
#include "train/column_blocked_step.hpp"
#include "train/decoder_trainer.hpp"

namespace nc::train {

void dual_forward(const Eigen::Ref<const RowMatD>& pre, models::DecoderWorkspace& ws,
                  const models::Decoder& d) {
  if (ws.out.rows() != pre.rows()) ws.resize(pre.rows(), d.shape);
  ws.hidden =
      (pre.rowwise() + models::decoder_values(d).in_b.cast<double>().transpose()).cast<float>();
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  models::decoder_forward_head(d, ws);
}

namespace {

// The dual pre-activations of the train rows then the test rows, for the current c and B:
//   pre = c P0 + K Bᵀ   with K = [X_train; X_test] X_trainᵀ, P0 = [X_train; X_test] W0ᵀ.
// One product serves the test loss after step t and the train loss of step t+1 (the same
// weights), so each iteration makes one (n_train + n_test) x n_train x H product. It is a float
// product: K's entries are float sums already (SSYRK/SGEMM over the neurons), and rounding B to
// float is the rounding PyTorch applies to W_in at every step; B, c and the sum with c P0 stay
// in double. SGEMM is twice DGEMM's speed, and this product is most of an iteration.
struct DualProducts {
  RowMat k;                   // (n_train + n_test, n_train)
  RowMatD p0;                 // (n_train + n_test, H)
  RowMatD pre;                // (n_train + n_test, H), without in_layer.bias
  RowMat b32, prod;           // B in float (H, n_train); K B32ᵀ (n_train + n_test, H)
  std::vector<float> panels;  // K as nn/wide_linear_kernels.hpp's panels (with the kernels)
  bool fresh = false;  // prod is of the current B (cleared when a step or rollback changes B)
  // K's panels, once K is complete.
  void make_panels() {
    if (!wide_kernels_available()) return;
    panels.resize(static_cast<size_t>(n_panels() * k.cols() * kPanelRows));
    parallel_for(0, n_panels(), [&](int64_t p) {
      const int64_t r0 = p * kPanelRows;
      wide_make_panels(panels.data() + r0 * k.cols(), k.data() + r0 * k.cols(), k.cols(),
                       std::min(kPanelRows, k.rows() - r0), k.cols());
    });
  }
  int64_t n_panels() const { return (k.rows() + kPanelRows - 1) / kPanelRows; }
  void update(double c, const RowMatD& b_dual) {
    b32 = b_dual.cast<float>();
    prod.resize(k.rows(), b32.rows());
    // K B32ᵀ streams all of K (38 MB at 4,000 rows) for a 20-wide result. The panel kernels
    // run it vectorised over K's rows, every lane useful; the fused L1 path's forward tile,
    // used before, pads 20 units to 24, half of them in 256-bit FMAs (1,000 iterations at
    // 4,000 rows, 2,400 train: 4.6 s before, 2.3-2.8 s now, AVX-512). OpenBLAS is slower still:
    // it packs all of K every call.
    if (panels.empty()) {
      prod.noalias() = k * b32.transpose();
    } else {
      parallel_for(0, n_panels(), [&](int64_t p) {
        wide_panel_product(prod.data(), prod.cols(), panels.data(), k.rows(), k.cols(), p, p + 1,
                           b32.data(), b32.cols(), b32.rows());
      });
    }
    pre = prod.cast<double>() + c * p0;
    fresh = true;
  }
};

// K's train and test blocks and the W0 projections from index lists over one response matrix
// (DecoderData's views): K from the shared Gram's blocks, or K and the projections together
// from nn/gram.hpp's split_gram (one pass over neuron blocks, the listed rows gathered a block
// at a time; a mapped file is read, not faulted in); no row is copied whole.
void dual_products_of_views(const DecoderData& data, const RowMat& w0, DualProducts& dual) {
  const data::Responses& x = *data.source;
  const int64_t n_tr = data.n_train(), n_te = data.n_test();
  if (data.gram != nullptr) {
    dual.k.topRows(n_tr) = gram_block(*data.gram, data.train_rows, data.train_rows);
    dual.k.bottomRows(n_te) = gram_block(*data.gram, data.test_rows, data.train_rows);
    // The projections alone: one pass over the blocks' rows, no Gram products.
    const SplitGram p =
        split_projections(x.block_reader(), data.train_rows, data.test_rows, w0, data.on_block);
    dual.p0.topRows(n_tr) = p.proj_a.cast<double>();
    dual.p0.bottomRows(n_te) = p.proj_b.cast<double>();
    return;
  }
  const SplitGram g =
      split_gram(x.block_reader(), data.train_rows, data.test_rows, &w0, data.on_block);
  dual.k.topRows(n_tr) = g.train;
  dual.k.bottomRows(n_te) = g.cross;
  dual.p0.topRows(n_tr) = g.proj_a.cast<double>();
  dual.p0.bottomRows(n_te) = g.proj_b.cast<double>();
}

// One pass over the data: Gram matrices and projections of W0, as float BLAS calls (with
// OpenBLAS's threads: these products are large). K is symmetric: Eigen hands a rank update into
// a column-major matrix to SSYRK, which computes one triangle, half of SGEMM's work. With a
// shared Gram (DecoderData::gram), K's blocks are read from it instead.
DualProducts dual_products(const DecoderData& data, const RowMat& w0) {
  const int64_t n_tr = data.n_train(), n_te = data.n_test(), h = w0.rows();
  DualProducts dual;
  dual.k.resize(n_tr + n_te, n_tr);
  dual.p0.resize(n_tr + n_te, h);
  dual.pre.resize(n_tr + n_te, h);
  if (data.source != nullptr) {
    dual_products_of_views(data, w0, dual);
    dual.make_panels();
    return dual;
  }
  const CMatMap x_tr = cmap(data.x_train), x_te = cmap(data.x_test);
  if (data.gram != nullptr) {
    dual.k.topRows(n_tr) = gram_block(*data.gram, data.train_rows, data.train_rows);
    dual.k.bottomRows(n_te) = gram_block(*data.gram, data.test_rows, data.train_rows);
  } else {
    Eigen::MatrixXf k_tr = Eigen::MatrixXf::Zero(n_tr, n_tr);  // (n_train, n_train)
    k_tr.selfadjointView<Eigen::Lower>().rankUpdate(x_tr);
    dual.k.topRows(n_tr) = k_tr.selfadjointView<Eigen::Lower>().toDenseMatrix();
    dual.k.bottomRows(n_te).noalias() = x_te * x_tr.transpose();
  }
  // The W0 projections are the fused L1 path's forward pass (column_blocked_step.hpp): its
  // kernels run these thin products (one side H wide) at 3-4x OpenBLAS's speed.
  RowMat p0_tr(n_tr, h), p0_te(n_te, h);
  column_blocked_forward(w0.data(), h, w0.cols(), x_tr, x_te, map(p0_tr), map(p0_te), nullptr);
  dual.p0.topRows(n_tr) = p0_tr.cast<double>();
  dual.p0.bottomRows(n_te) = p0_te.cast<double>();
  dual.make_panels();
  return dual;
}

class DualDecoderStep : public TrainerStep {
 public:
  DualDecoderStep(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                  DecoderTrainState& state)
      : d_(d), data_(data), opt_(opt), state_(state), ds_(state.dual) {
    const int64_t h = d.shape.n_hidden, n_tr = data.n_train();
    if (!ds_.active) {  // a fresh run: W_in(0) is the current weight; a resumed one keeps its own
      ds_.active = true;
      ds_.c = 1.0;
      ds_.w0 = models::decoder_values(d).in_w;
      ds_.b = RowMatD::Zero(h, n_tr);
    }
    w0_sq_ = ds_.w0.cast<double>().squaredNorm();
    dual_ = dual_products(data, ds_.w0);
    bk_.resize(h, n_tr);
    tr_.resize(n_tr, d.shape);
    te_.resize(data.n_test(), d.shape);
    head_before_.resize(models::decoder_head_values(d).size());
    // The per-iteration products are small (n_train x n_train x H): OpenBLAS's threads would
    // spend more time waking and yielding than computing, so they run on the calling thread.
    // W_in's materialisation is a large product again: finish() ends the guard first.
    single_threaded_blas_.emplace();
    dual_.update(ds_.c, ds_.b);
  }
  double train_loss() override {
    dual_forward(dual_.pre.topRows(data_.n_train()), tr_, d_);
    return models::decoder_data_loss(d_, data_.y_train, tr_) + penalty();
  }
  void step() override {
    // Backward to the hidden pre-activations, and the head's gradients; in_layer.weight's
    // gradient lives in dPre. The step W <- (1 - 2 lr l2) W - lr dPreᵀ X becomes
    // c <- decay c, B <- decay B - lr dPreᵀ.
    models::decoder_head_gradient(d_, data_.y_train, tr_);
    const std::span<float> head = models::decoder_head_values(d_),
                           head_grads = models::decoder_head_grads(d_);
    c_before_ = ds_.c;
    b_before_ = ds_.b;
    penalty_valid_ = false;
    dual_.fresh = false;
    std::copy(head.begin(), head.end(), head_before_.begin());
    const double decay = 1.0 - 2.0 * opt_.lr * opt_.penalty.l2;
    ds_.c *= decay;
    ds_.b *= decay;
    dpre_ = tr_.dhidden.cast<double>();
    ds_.b.noalias() -= static_cast<double>(opt_.lr) * dpre_.transpose();
    SgdState head_sgd;  // no momentum: nothing to carry between steps
    sgd_step(head, head_grads, head_sgd, {.lr = opt_.lr});
  }
  double test_loss() override {
    dual_.update(ds_.c, ds_.b);
    dual_forward(dual_.pre.bottomRows(data_.n_test()), te_, d_);
    return models::decoder_data_loss(d_, data_.y_test, te_) + penalty();
  }
  void rollback() override {
    ds_.c = c_before_;
    ds_.b = b_before_;
    penalty_valid_ = false;
    dual_.fresh = false;
    std::copy(head_before_.begin(), head_before_.end(), models::decoder_head_values(d_).begin());
  }
  // out (H, ldo)[:, 0:cols] = bf (H, n_train) x (n_train, ldx)[:, 0:cols]: W_in's columns
  // from the train rows. The kernels sum each entry over the rows in order whatever the split
  // of the columns, so a block of neurons at a time gives the whole product's bits (mapped and
  // loaded runs agree); OpenBLAS ran this shape at 67 GFLOP/s (2,400 x 4,096, 20 out), packing
  // the block first. Without the kernels (no AVX2/FMA), Eigen on OpenBLAS: usually the same
  // sums per block, but a block of one column goes to GEMV, whose order may differ.
  static void combine_train_rows(const RowMat& bf, const float* x, int64_t ldx, int64_t cols,
                                 float* out, int64_t ldo) {
    const int64_t n_tr = bf.cols(), h = bf.rows();
    if (!wide_kernels_available()) {
      using Strided = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
      using CStrided = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
      Strided(out, h, cols, Eigen::OuterStride<>(ldo)).noalias() =
          bf * CStrided(x, n_tr, cols, Eigen::OuterStride<>(ldx));
      return;
    }
    constexpr int64_t kChunk = 512;  // columns per task: 8 tasks for a block of 4,096
    parallel_for(0, (cols + kChunk - 1) / kChunk, [&](int64_t t) {
      wide_row_combination(out, ldo, x, ldx, n_tr, t * kChunk, std::min(cols, (t + 1) * kChunk),
                           bf.data(), n_tr, h);
    });
  }
  // W_in = c W0 + B X_train, into in_layer.weight, and the final pre-activations of the rows
  // into the state (DecoderDualState::final_pre). Over views, X_train's columns are gathered
  // a block of neurons at a time (one more pass over the source, no whole copy); each column
  // of W_in is the same sum over the train rows in their order as one product would make.
  void finish() override {
    if (!dual_.fresh) dual_.update(ds_.c, ds_.b);  // after a rollback, or with no iteration
    ds_.final_pre = dual_.pre;
    single_threaded_blas_.reset();
    MatMap w_in = models::decoder_values(d_).in_w;
    const RowMat bf = ds_.b.cast<float>();  // (H, n_train)
    if (data_.source != nullptr) {
      const data::Responses& x = *data_.source;
      RowMat xb;  // (n_train, block)
      for (int64_t c0 = 0; c0 < x.cols(); c0 += kGramBlockNeurons) {
        const int64_t cols = std::min(kGramBlockNeurons, x.cols() - c0);
        x.gather(data_.train_rows, c0, cols, xb);
        combine_train_rows(bf, xb.data(), cols, cols, w_in.data() + c0, w_in.cols());
      }
    } else {
      combine_train_rows(bf, data_.x_train.data(), data_.x_train.cols(), w_in.cols(), w_in.data(),
                         w_in.cols());
    }
    w_in += static_cast<float>(ds_.c) * ds_.w0;
  }

 private:
  // l2 ||W||² from the dual quantities: c² ||W0||² + 2c <B, P0_trainᵀ> + <B, B K>. The test
  // loss after step t and the train loss of step t+1 see the same c and B: the value is kept
  // until the next step (B K, a double product, costs as much as the rest of an iteration).
  double penalty() {
    const double l2 = opt_.penalty.l2;
    if (l2 == 0.0) return 0.0;
    if (!penalty_valid_) {
      penalty_ = penalty_of_current();
      penalty_valid_ = true;
    }
    return penalty_;
  }
  // <B, B K_train> comes from the float product K B32ᵀ the last update made for these c and B:
  // its top rows are K_train B32ᵀ = (B32 K_train)ᵀ (K is symmetric), so no second product (a
  // double B K_train cost as much as the rest of an iteration). Only the reported penalty
  // sees the float rounding; the step's arithmetic (decay of c and B) does not use it.
  double penalty_of_current() {
    const double l2 = opt_.penalty.l2;
    const double c = ds_.c;
    const int64_t n_tr = data_.n_train();
    const double cross = (ds_.b.array() * dual_.p0.topRows(n_tr).transpose().array()).sum();
    double bkb = 0.0;
    if (dual_.fresh) {
      bkb = (ds_.b.array() * dual_.prod.topRows(n_tr).transpose().cast<double>().array()).sum();
    } else {  // not reached by the loop (each penalty follows an update); kept for safety
      if (k_train_.size() == 0) k_train_ = dual_.k.topRows(n_tr).cast<double>();
      bk_.noalias() = ds_.b * k_train_;
      bkb = (ds_.b.array() * bk_.array()).sum();
    }
    return l2 * (c * c * w0_sq_ + 2.0 * c * cross + bkb);
  }

  models::Decoder& d_;
  const DecoderData& data_;
  const DecoderTrainOptions& opt_;
  DecoderTrainState& state_;
  DecoderDualState& ds_;
  DualProducts dual_;
  RowMatD k_train_, bk_;  // (n_train, n_train) K in double (l2 only); (H, n_train) B K
  RowMatD dpre_;          // (n_train, H) the step's gradient at the hidden pre-activations
  double w0_sq_ = 0;
  double penalty_ = 0;          // penalty() of the current c and B, when penalty_valid_
  bool penalty_valid_ = false;  // reset whenever c or B change (step, rollback)
  models::DecoderWorkspace tr_, te_;
  double c_before_ = 1.0;
  RowMatD b_before_;
  std::vector<float> head_before_;
  std::optional<BlasSingleThread> single_threaded_blas_;
};

}  // namespace

std::unique_ptr<TrainerStep> make_decoder_dual_step(models::Decoder& d, const DecoderData& data,
                                                    const DecoderTrainOptions& opt,
                                                    DecoderTrainState& state) {
  return std::make_unique<DualDecoderStep>(d, data, opt, state);
}

}  // namespace nc::train
