#pragma once
// Full-batch gradient descent for the decoders, as the tutorial's train(): each iteration runs
// the train set forward, records its loss, steps SGD, then records the test loss with the
// updated weights (penalty included). The loop is train/loop.hpp's; the three forms below
// differ only in how a step is computed.
#include <memory>
#include <vector>

#include "data/responses.hpp"
#include "models/decoder.hpp"
#include "nn/gram.hpp"
#include "train/loop.hpp"
#include "train/train_state.hpp"

namespace nc::train {

// How in_layer.weight is carried. The plain and fused forms compute the same iterates in the
// same float operations up to the order of sums; the dual form computes them in exact
// arithmetic from another factorisation (see decoder_dual.hpp).
enum class DecoderAlgorithm {
  automatic,  // dual when there is no L1 term, else fused
  plain,      // layer by layer with the library kernels: the reference in tests
  fused,  // W_in updated in one cache-blocked pass over X per iteration (column_blocked_step.hpp)
  dual,   // W_in = c*W_in(0) + B*X_train, B (H x n_train): see decoder_dual.hpp
};

struct DecoderTrainOptions {
  int64_t iters = 1000;
  float lr = 0.1f;
  models::Penalty penalty;
  DecoderAlgorithm algorithm = DecoderAlgorithm::automatic;
};

// The rows a decoder trains and is tested on, in one of two forms:
//  - views: `source` with index lists train_rows and test_rows into its rows, no copies. The
//    dual form reads them in passes over the matrix (which may be memory-mapped); the plain
//    and fused forms need the rows contiguous at every iteration and are given x_train and
//    x_test as well (runs/fit.cpp gathers them only for those forms);
//  - matrices: x_train and x_test alone (source null), as tests build them.
struct DecoderData {
  RowMat x_train;  // (n_train, N)
  models::DecoderTargets y_train;
  RowMat x_test;  // (n_test, N)
  models::DecoderTargets y_test;
  const data::Responses* source = nullptr;  // (n_stimuli, N)
  std::vector<int64_t> train_rows, test_rows;
  // Optional, for the dual form: the Gram matrix (nn/gram.hpp) of `source`. The dual form then
  // takes its K blocks from it instead of computing it, so the folds and jobs of one dataset
  // share one Gram.
  const RowMat* gram = nullptr;
  // Optional, for the dual form over views: called with each block of its pass over the data
  // (nn/gram.hpp SplitBlockFn).
  SplitBlockFn on_block;

  int64_t n_train() const {
    return source != nullptr ? static_cast<int64_t>(train_rows.size()) : x_train.rows();
  }
  int64_t n_test() const {
    return source != nullptr ? static_cast<int64_t>(test_rows.size()) : x_test.rows();
  }
};

// The algorithm `automatic` resolves to for these options and state (a resumed dual run stays
// dual). The dual form has no L1 term: asking for it with one is an std::invalid_argument.
DecoderAlgorithm resolve_algorithm(const DecoderTrainOptions& opt, const DecoderTrainState& state);

// Runs iterations state.iteration+1 .. opt.iters with the resolved algorithm. On a non-finite
// loss it stops, restores the parameters (and optimizer state) from before the step that
// produced it, and reports the iteration.
Outcome train_decoder(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                      DecoderTrainState& state, const ProgressFn& progress = {},
                      const AfterStepFn& after_step = {});

// The dual form's forward pass from rows of its pre-activations X W_inᵀ (without in_layer.bias,
// as DecoderDualState::final_pre): + b_in, ReLU, the out layer (and log-softmax) into ws. The
// dual form's losses come from it, and runs::fit_decoder's hidden activity of every row.
void dual_forward(const Eigen::Ref<const RowMatD>& pre, models::DecoderWorkspace& ws,
                  const models::Decoder& d);

// Each form's step (train/loop.hpp), for train_decoder and for tests that run one form.
std::unique_ptr<TrainerStep> make_decoder_plain_step(models::Decoder& d, const DecoderData& data,
                                                     const DecoderTrainOptions& opt,
                                                     DecoderTrainState& state);
std::unique_ptr<TrainerStep> make_decoder_fused_step(models::Decoder& d, const DecoderData& data,
                                                     const DecoderTrainOptions& opt,
                                                     DecoderTrainState& state);
std::unique_ptr<TrainerStep> make_decoder_dual_step(models::Decoder& d, const DecoderData& data,
                                                    const DecoderTrainOptions& opt,
                                                    DecoderTrainState& state);

}  // namespace nc::train
