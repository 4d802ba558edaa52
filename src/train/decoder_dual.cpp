#include "train/decoder_dual.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "core/blas_threads.hpp"
#include "nn/activations.hpp"
#include "nn/fused_linear_sgd.hpp"
#include "nn/linear.hpp"

namespace nc::train {
namespace {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;


// The dual pre-activations of the train rows then the test rows, for the current c and B:
//   pre = c P0 + K Bᵀ   with K = [X_train; X_test] X_trainᵀ, P0 = [X_train; X_test] W0ᵀ.
// One product serves the test loss after step t and the train loss of step t+1 (the same
// weights), so each iteration makes one (n_train + n_test) x n_train x H product. It is a float
// product: K's entries are float sums already (SSYRK/SGEMM over the neurons), and rounding B to
// float is the rounding PyTorch applies to W_in at every step; B, c and the sum with c P0 stay
// in double. SGEMM is twice DGEMM's speed, and this product is most of an iteration.
struct Dual {
  RowMat k;  // (n_train + n_test, n_train)
  MatD p0;   // (n_train + n_test, H)
  MatD pre;  // (n_train + n_test, H), without in_layer.bias
  RowMat b32, prod;  // B in float (H, n_train); K B32ᵀ (n_train + n_test, H)
  void update(double c, const MatD& b_dual) {
    b32 = b_dual.cast<float>();
    prod.noalias() = k * b32.transpose();
    pre = prod.cast<double>() + c * p0;
  }
};

// The rest of one side's forward pass from its rows of pre: + b_in, ReLU, the out layer (and
// log-softmax) into ws.
void side_forward(const Eigen::Ref<const MatD>& pre, models::DecoderWorkspace& ws, const models::Decoder& d) {
  const auto& p = d.params;
  const auto& bv = p.view("in_layer.bias");
  const Eigen::Map<const Eigen::VectorXf> b_in(p.values.data() + bv.offset, static_cast<int64_t>(bv.size));
  ws.hidden = (pre.rowwise() + b_in.cast<double>().transpose()).cast<float>();
  relu_forward(map(ws.hidden), cmap(ws.hidden));
  const auto& ov = p.view("out_layer.bias");
  linear_forward(map(ws.out), cmap(ws.hidden), p.value_mat("out_layer.weight"),
                 CVecMap(p.values.data() + ov.offset, static_cast<int64_t>(ov.size)));
  if (d.shape.kind == models::DecoderKind::classification) log_softmax_forward(map(ws.out), cmap(ws.out));
}

}  // namespace

Outcome train_decoder_dual(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                           DecoderTrainState& state, const ProgressFn& progress,
                           const AfterStepFn& after_step) {
  auto& p = d.params;
  const int64_t h = d.shape.n_hidden, n_tr = data.x_train.rows(), n_te = data.x_test.rows();
  const CMatMap x_tr = cmap(data.x_train), x_te = cmap(data.x_test);
  MatMap w_in = p.value_mat("in_layer.weight");  // (H, N)
  DecoderDualState& ds = state.dual;
  if (!ds.active) {  // a fresh run: W_in(0) is the current weight; a resumed one keeps its own
    ds.active = true;
    ds.c = 1.0;
    ds.w0 = w_in;
    ds.b = RowMatD::Zero(h, n_tr);
  }
  const RowMat& w0 = ds.w0;
  const double w0_sq = w0.cast<double>().squaredNorm();

  // One pass over the data: Gram matrices and projections of W0, as float BLAS calls (with
  // OpenBLAS's threads: these products are large). K is symmetric: Eigen hands a rank update
  // into a column-major matrix to SSYRK, which computes one triangle, half of SGEMM's work.
  Dual dual;
  dual.k.resize(n_tr + n_te, n_tr);
  dual.p0.resize(n_tr + n_te, h);
  dual.pre.resize(n_tr + n_te, h);  // sized before the row views below are taken
  {
    Eigen::MatrixXf k_tr = Eigen::MatrixXf::Zero(n_tr, n_tr);  // (n_train, n_train)
    k_tr.selfadjointView<Eigen::Lower>().rankUpdate(x_tr);
    dual.k.topRows(n_tr) = k_tr.selfadjointView<Eigen::Lower>().toDenseMatrix();
    dual.k.bottomRows(n_te).noalias() = x_te * x_tr.transpose();
    // The W0 projections are the fused L1 path's forward pass (nn/fused_linear_sgd.hpp): its
    // kernels run these thin products (one side H wide) at 3-4x OpenBLAS's speed.
    RowMat p0_tr(n_tr, h), p0_te(n_te, h);
    linear_forward_wide(w0.data(), h, w0.cols(), x_tr, x_te, map(p0_tr), map(p0_te), nullptr);
    dual.p0.topRows(n_tr) = p0_tr.cast<double>();
    dual.p0.bottomRows(n_te) = p0_te.cast<double>();
  }
  const MatD k_train = opt.penalty.l2 != 0.0f ? MatD(dual.k.topRows(n_tr).cast<double>()) : MatD();  // for ||W||²
  const auto p0_train = dual.p0.topRows(n_tr);
  const auto pre_train = dual.pre.topRows(n_tr);
  const auto pre_test = dual.pre.bottomRows(n_te);
  models::DecoderWorkspace tr, te;
  tr.resize(n_tr, d.shape);
  te.resize(n_te, d.shape);

  double& c = ds.c;
  MatD& b_dual = ds.b;  // (H, n_train)
  MatD bk(h, n_tr);
  MatD dpre(n_tr, h);
  const double l1 = opt.penalty.l1, l2 = opt.penalty.l2;
  // ||W||² from the dual quantities
  const auto penalty = [&]() {
    if (l2 == 0.0) return 0.0;
    bk.noalias() = b_dual * k_train;
    const double cross = (b_dual.array() * p0_train.transpose().array()).sum();
    const double sq = c * c * w0_sq + 2.0 * c * cross + (b_dual.array() * bk.array()).sum();
    return l2 * sq;
  };
  const double decay = 1.0 - 2.0 * opt.lr * l2;
  (void)l1;  // the dual form exists only without L1; train_decoder never sends it here with l1

  // The parameters other than in_layer.weight are stepped as usual: they are contiguous after it.
  const size_t rest = p.view("in_layer.bias").offset;
  const std::span<float> rest_values(p.values.data() + rest, p.values.size() - rest);
  const std::span<const float> rest_grads(p.grads.data() + rest, p.grads.size() - rest);
  std::vector<float> before_rest(rest_values.size());
  MatD before_b = b_dual;
  double before_c = c;
  bool stepped = false;
  SgdState rest_sgd;
  const SgdOptions sgd{.lr = opt.lr, .momentum = 0.0f};

  // The per-iteration products are small (n_train x n_train x H): OpenBLAS's threads would spend
  // more time waking and yielding than computing, so they run on the calling thread (the guard
  // is set before the loop). W_in's materialisation is a large product again: it ends the guard.
  std::optional<BlasSingleThread> single_threaded_blas;
  const auto materialise = [&]() {
    single_threaded_blas.reset();
    const RowMat bf = b_dual.cast<float>();
    w_in.noalias() = bf * x_tr;
    w_in += static_cast<float>(c) * w0;
  };
  Outcome out;
  const auto diverge = [&](int64_t it, const char* which, double v) {
    if (stepped) {
      c = before_c;
      b_dual = before_b;
      std::copy(before_rest.begin(), before_rest.end(), rest_values.begin());
    }
    materialise();
    out = diverged_outcome(it, which, v);
  };

  models::Penalty no_penalty;
  single_threaded_blas.emplace();
  dual.update(c, b_dual);
  for (int64_t it = state.iteration + 1; it <= opt.iters; ++it) {
    side_forward(pre_train, tr, d);
    const double train_loss = models::decoder_loss(d, data.y_train, tr, no_penalty) + penalty();
    if (!std::isfinite(train_loss)) {
      diverge(it, "train", train_loss);
      return out;
    }
    // Backward to the hidden pre-activations, and the out layer's gradients.
    // Only the small parameters carry gradients here; in_layer.weight's lives in dpre.
    std::fill(p.grads.begin() + static_cast<std::ptrdiff_t>(rest), p.grads.end(), 0.0f);
    models::decoder_backward_head(d, data.y_train, tr);
    p.grad_vec("in_layer.bias") += tr.dhidden.colwise().sum().transpose();

    // The step: W <- (1 - 2 lr l2) W - lr dPreᵀ X  becomes  c <- decay c, B <- decay B - lr dPreᵀ.
    before_c = c;
    before_b = b_dual;
    std::copy(rest_values.begin(), rest_values.end(), before_rest.begin());
    stepped = true;
    dpre = tr.dhidden.cast<double>();
    c *= decay;
    b_dual *= decay;
    b_dual.noalias() -= static_cast<double>(opt.lr) * dpre.transpose();
    sgd_step(rest_values, rest_grads, rest_sgd, sgd);

    dual.update(c, b_dual);
    side_forward(pre_test, te, d);
    const double test_loss = models::decoder_loss(d, data.y_test, te, no_penalty) + penalty();
    if (!std::isfinite(test_loss)) {
      diverge(it, "test", test_loss);
      return out;
    }
    ++state.sgd.steps;
    if (finish_iteration(state.history, state.iteration, it, train_loss, test_loss, opt.iters, kDecoderProgress,
                         progress, after_step, out)) {
      materialise();
      return out;
    }
  }
  materialise();
  return out;
}

}  // namespace nc::train
