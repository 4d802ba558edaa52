#include "runs/fit.hpp"

#include <chrono>
#include <functional>

#include "nn/gram.hpp"
#include "runs/memory_budget.hpp"

namespace nc::runs {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The train and test rows of a split as views over ds.resp, with the targets the decoder's
// loss compares against. Only the plain and fused forms, which read the rows at every
// iteration, get them copied into contiguous matrices; the dual form reads ds.resp in passes.
train::DecoderData decoder_data(const data::Dataset& ds, const data::Split& split,
                                const DecoderConfig& cfg, train::DecoderAlgorithm algorithm,
                                const FitHooks& hooks) {
  train::DecoderData dd;
  dd.source = &ds.resp;
  dd.gram = hooks.gram;
  dd.on_block = hooks.data_pass;
  dd.train_rows = split.train_idx;
  dd.test_rows = split.test_idx;
  if (algorithm != train::DecoderAlgorithm::dual) {
    dd.x_train = data::take_rows(ds.resp, split.train_idx);
    dd.x_test = data::take_rows(ds.resp, split.test_idx);
  }
  dd.y_train.angles = data::take(ds.stimuli, split.train_idx);
  dd.y_test.angles = data::take(ds.stimuli, split.test_idx);
  if (cfg.model == models::DecoderKind::classification) {
    dd.y_train.classes = data::stimulus_classes(dd.y_train.angles, cfg.classes, cfg.period);
    dd.y_test.classes = data::stimulus_classes(dd.y_test.angles, cfg.classes, cfg.period);
  }
  if (cfg.model == models::DecoderKind::circular) {
    dd.y_train.unit = models::periodic_targets(dd.y_train.angles, cfg.period).cast<float>();
    dd.y_test.unit = models::periodic_targets(dd.y_test.angles, cfg.period).cast<float>();
  }
  return dd;
}

// The network over the listed rows of x, read into one reused buffer a chunk of at most
// kRowChunkBytes at a time (a mapped file with pread). Rows that fit in one chunk go through one
// forward pass: then the results are exactly those of Python's predict over the same rows. The
// buffer is reused because fresh pages cost more than the copy on some machines.
// `take(r0, ws)` receives each chunk's workspace (hidden and out) for rows[r0, r0 + chunk).
constexpr int64_t kRowChunkBytes = int64_t{128} << 20;
void forward_rows(const models::Decoder& net, const data::Responses& x,
                  const std::vector<int64_t>& rows,
                  const std::function<void(int64_t, const models::DecoderWorkspace&)>& take) {
  const auto n = static_cast<int64_t>(rows.size());
  const int64_t cols = x.cols();
  const int64_t chunk = std::min(n, std::max<int64_t>(1, kRowChunkBytes / (4 * cols)));
  RowMat buffer(chunk, cols);
  models::DecoderWorkspace ws;
  for (int64_t r0 = 0; r0 < n; r0 += chunk) {
    const int64_t r1 = std::min(n, r0 + chunk);
    const std::vector<int64_t> part(rows.begin() + r0, rows.begin() + r1);
    x.gather(part, 0, cols, buffer.data());
    models::decoder_forward(net, CMatMap(buffer.data(), r1 - r0, cols), ws);
    take(r0, ws);
  }
}

// The network's outputs for the test rows: over the gathered matrix when there is one, else
// read from the view (forward_rows). Always the forward pass of the trained network, never the
// dual form's pre-activations (DecoderDualState::final_pre): the decoded test rows are then
// what the saved model gives on them, bit for bit (as the Python estimator's predict).
RowMat test_outputs(const models::Decoder& net, const train::DecoderData& dd) {
  models::DecoderWorkspace ws;
  if (dd.x_test.rows() > 0 || dd.source == nullptr) {
    models::decoder_forward(net, cmap(dd.x_test), ws);
    return std::move(ws.out);
  }
  RowMat out;
  forward_rows(net, *dd.source, dd.test_rows, [&](int64_t r0, const models::DecoderWorkspace& w) {
    if (out.size() == 0) out.resize(dd.n_test(), w.out.cols());
    out.middleRows(r0, w.out.rows()) = w.out;
  });
  return out;
}

// Decoded angles of the test rows, their errors and (classifier) the fraction correct.
void decode_test_rows(DecoderFit& fit, const train::DecoderData& dd, const DecoderConfig& cfg) {
  models::DecoderWorkspace ws;
  ws.out = test_outputs(fit.net, dd);
  const auto n_test = static_cast<size_t>(dd.n_test());
  fit.test_angle = dd.y_test.angles;
  fit.test_decoded.resize(n_test);
  if (cfg.model == models::DecoderKind::regression) {
    for (size_t i = 0; i < n_test; ++i) fit.test_decoded[i] = ws.out(static_cast<int64_t>(i), 0);
  } else if (cfg.model == models::DecoderKind::circular) {
    fit.test_decoded = models::angles_from_unit(ws.out.cast<double>(), cfg.period);
  } else {
    fit.test_class = dd.y_test.classes;
    fit.test_predicted = models::predicted_classes(ws.out);
    for (size_t i = 0; i < n_test; ++i)
      fit.test_decoded[i] = data::class_centre(fit.test_predicted[i], cfg.classes, cfg.period);
    fit.fraction_correct = analysis::fraction_correct(fit.test_predicted, fit.test_class);
  }
  fit.errors = analysis::decoding_errors(fit.test_decoded, fit.test_angle, cfg.period);
}

// relu(pre + b_in) of every row in file order, from the dual form's hidden activity of the
// train rows then the test rows (`hidden`, dual_forward's); empty unless those lists hold every
// one of the n rows once.
RowMat every_row_hidden(const RowMat& hidden, const data::Split& split, int64_t n) {
  const std::vector<int64_t> place = data::places_in_lists(split.train_idx, split.test_idx, n);
  if (place.empty() || hidden.rows() != n) return {};
  RowMat rows(n, hidden.cols());
  for (int64_t row = 0; row < n; ++row) rows.row(row) = hidden.row(place[static_cast<size_t>(row)]);
  return rows;
}

// The test rows decoded, and (dual form) every row's hidden activity, which the dual form has
// without another read of the data: it ends with the pre-activations of its train and test
// rows (`pre`, DecoderDualState::final_pre; empty for the other forms). n_rows: the dataset's.
void decode_after_fit(DecoderFit& fit, const train::DecoderData& dd, const DecoderConfig& cfg,
                      const RowMatD& pre, const data::Split& split, int64_t n_rows) {
  decode_test_rows(fit, dd, cfg);
  if (pre.rows() == 0 || pre.rows() != dd.n_train() + dd.n_test()) return;
  models::DecoderWorkspace rows;  // train rows then test rows
  train::dual_forward(pre, rows, fit.net);
  fit.hidden = every_row_hidden(rows.hidden, split, n_rows);
}

// Initial weights, the optional before-training hook, the loop, and the optional interrupt hook.
template <class Net, class State, class Train>
void run_fit(Net& net, State& state, train::DecoderDualState* dual, const FitHooks& hooks,
             Train&& train_fn, train::Outcome& outcome, double& seconds) {
  const train::TrainingStateRefs refs{net.params, state, dual};
  if (hooks.before_training) hooks.before_training(refs);
  // "seconds" is the training loop, as the PyTorch reference times it: data preparation and
  // initialisation come before the clock starts in both.
  const auto t0 = std::chrono::steady_clock::now();
  outcome = train_fn();
  seconds = seconds_since(t0);
  if (outcome.interrupted && hooks.on_interrupted) hooks.on_interrupted(refs);
}

}  // namespace

DecoderFit fit_decoder(const data::Dataset& ds, const data::Split& split, const DecoderConfig& cfg,
                       const FitHooks& hooks, Rng* init_rng) {
  const int64_t n_outputs = cfg.model == models::DecoderKind::regression ? 1
                            : cfg.model == models::DecoderKind::circular ? 2
                                                                         : cfg.classes;
  const train::DecoderAlgorithm algorithm = train::resolve_algorithm(cfg.train, {});
  const bool dual = algorithm == train::DecoderAlgorithm::dual;
  check_memory(
      estimate_decoder_bytes(static_cast<int64_t>(split.train_idx.size()),
                             static_cast<int64_t>(split.test_idx.size()), ds.n_neurons(),
                             cfg.hidden, n_outputs, algorithm),
      "decode",
      dual ? "the dual form keeps n_stimuli² Gram entries and the weights; use fewer trials or "
             "neurons, or set NEUROCODEC_MEMORY_BUDGET if the estimate is too cautious"
           : "with --l1 the rows are read at every iteration and must be in memory; without "
             "--l1 the decoder streams them (the dual form), or use fewer neurons or trials");
  DecoderFit fit;
  fit.net = models::decoder_create({.kind = cfg.model,
                                    .n_inputs = ds.n_neurons(),
                                    .n_hidden = cfg.hidden,
                                    .n_outputs = n_outputs});
  if (hooks.init) {
    hooks.init(fit.net.params);
  } else {
    Rng own(derive_seed(cfg.seed, stream_id("init")));
    models::decoder_init_default(fit.net, init_rng != nullptr ? *init_rng : own);
  }
  const train::DecoderData dd = decoder_data(ds, split, cfg, algorithm, hooks);
  train::DecoderTrainState state;
  run_fit(
      fit.net, state, &state.dual, hooks,
      [&] {
        return train::train_decoder(fit.net, dd, cfg.train, state, hooks.progress,
                                    hooks.after_step);
      },
      fit.outcome, fit.seconds);
  fit.history = state.history;
  if (!fit.outcome.interrupted)
    decode_after_fit(fit, dd, cfg, state.dual.final_pre, split, ds.n_stimuli());
  return fit;
}

LinearFit fit_linear(const data::Dataset& ds, const data::Split& split, const LinearConfig& cfg) {
  LinearFit fit;
  const auto t0 = std::chrono::steady_clock::now();
  const RowMat x_train = data::take_rows(ds.resp, split.train_idx);
  const std::vector<float> y_train = data::take(ds.stimuli, split.train_idx);
  RowMat gram_train;  // the train block of a shared Gram
  if (cfg.gram != nullptr) gram_train = gram_block(*cfg.gram, split.train_idx, split.train_idx);
  fit.net = models::linear_fit(cfg.model, cmap(x_train), y_train, cfg.period, cfg.lambda,
                               cfg.gram != nullptr ? &gram_train : nullptr);
  fit.seconds = seconds_since(t0);
  const RowMat x_test = data::take_rows(ds.resp, split.test_idx);
  fit.test_angle = data::take(ds.stimuli, split.test_idx);
  fit.test_outputs = models::linear_outputs(fit.net, cmap(x_test));
  fit.test_decoded = models::linear_decode(fit.net, fit.test_outputs);
  fit.errors = analysis::decoding_errors(fit.test_decoded, fit.test_angle, cfg.period);
  return fit;
}

DecoderAnalysis analyse_decoder(const models::Decoder& net, const data::Dataset& ds, double period,
                                const RowMat* hidden_rows,
                                analysis::PreferredOrientationPass* pref) {
  DecoderAnalysis a;
  // Every row's hidden activity: given, or one product over the matrix where it lies (a mapped
  // file's pages are dropped after; measured faster than reading it in chunks, which repacks
  // W_in for every chunk).
  models::DecoderWorkspace ws;
  if (hidden_rows == nullptr) {
    models::decoder_forward(net, cmap(ds.resp), ws);
    ds.resp.release_rows(0, ds.resp.rows());
  }
  const RowMat& hidden = hidden_rows != nullptr ? *hidden_rows : ws.hidden;
  if (period == 0) {
    a.hidden = hidden;
    return a;
  }
  a.pref = pref != nullptr && pref->complete()
               ? pref->take()
               : analysis::preferred_orientation(ds.resp.block_reader(), ds.stimuli);
  a.hidden = data::take_rows(cmap(hidden), a.pref.row_order);  // rows in angle order
  return a;
}

EncoderFit fit_encoder(const data::SplitDataset& ds, const EncoderConfig& cfg,
                       const FitHooks& hooks) {
  return fit_encoder(ds, sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025), cfg, hooks);
}

EncoderFit fit_encoder(const data::SplitDataset& ds, sim::ImageStack images,
                       const EncoderConfig& cfg, const FitHooks& hooks) {
  models::EncoderShape shape = cfg.shape;
  shape.n_neurons = ds.n_neurons();
  shape.height = static_cast<int>(images.height);
  shape.width = static_cast<int>(images.width);
  check_memory(estimate_encoder_bytes(ds.n_stimuli(), ds.n_neurons(), shape.features()), "encode",
               "the encoder keeps its (neurons x channels·height·width) out layer and (stimuli x "
               "neurons) outputs in memory at every iteration; fit a subset of the neurons at a "
               "time");
  EncoderFit fit;
  fit.net = models::encoder_create(shape);
  if (hooks.init) {
    hooks.init(fit.net.params);
  } else {
    Rng rng(cfg.seed);
    models::encoder_init(fit.net, cfg.filters, rng);
  }
  const float* conv0 = models::encoder_values(fit.net).conv_w;
  fit.conv_init.assign(conv0, conv0 + fit.net.params.view(models::kConvWeight).size);
  train::EncoderData data;
  data.images = std::move(images);
  data.resp_train = ds.resp_train;
  data.resp_test = ds.resp_test;
  train::EncoderTrainState state;
  run_fit(
      fit.net, state, nullptr, hooks,
      [&] {
        return train::train_encoder(fit.net, data, cfg.train, state, hooks.progress,
                                    hooks.after_step);
      },
      fit.outcome, fit.seconds);
  fit.history = state.history;
  if (!fit.outcome.interrupted) {
    models::EncoderWorkspace ws;
    models::encoder_forward(fit.net, data.images.pixels.data(), data.images.n, ws);
    fit.prediction = std::move(ws.out);
    fit.fit = analysis::encoding_fit(fit.prediction, ds.resp_train, ds.resp_test);
  }
  fit.images = std::move(data.images);
  return fit;
}

}  // namespace nc::runs
