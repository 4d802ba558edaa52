// neurocodec._core: the Python package's bindings over the same library calls the CLI makes
// (runs/fit.hpp's fit_decoder / fit_linear / fit_encoder, runs/discriminate.hpp, runs' option
// validation and configs, data's loaders and validators), so that Python and the CLI give the
// same bits for the same inputs. The scikit-learn layer (python/neurocodec/) is pure Python over
// these functions.
//
// Conventions here:
//   - InputError (bad user input) becomes ValueError with the CLI's message, unchanged.
//   - Options arrive as the estimator's parameters (a dict, already of Python int/float/str) and
//     become the CLI's option structs in one place each (decode_options, encode_options), so
//     that the CLI's validate() checks them with its messages.
//   - Fits run with the GIL released; the after_step hook takes it back for a moment each
//     iteration to run Python's signal handlers, so Ctrl-C stops a fit within an iteration.
//   - Arrays arrive as float32 C-contiguous (the Python layer converts any other dtype or
//     layout once); each is read where it lies and copied once into the Dataset that the fits
//     take (which then take their train/test rows, as for the CLI). Zero copies need views over
//     caller-owned memory in the fit API (DESIGN's prepared-data handle).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <numeric>
#include <optional>
#include <type_traits>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "core/error.hpp"
#include "core/format.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"
#include "models/linear_decoder.hpp"
#include "models/state_dict.hpp"
#include "runs/decode_run.hpp"
#include "runs/discriminate.hpp"
#include "runs/discriminate_run.hpp"
#include "runs/encode_run.hpp"
#include "runs/fit.hpp"
#include "sim/population.hpp"
#include "sim/stimuli.hpp"

namespace py = pybind11;
using namespace nc;

namespace {

using F32Array = py::array_t<float, py::array::c_style>;
using F64Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

// The data pointer of the last array a fit read X from: tests check that a float32 C-contiguous
// array reaches the library without a conversion copy on the way.
const void* g_last_fit_data = nullptr;

// (rows, cols) float32 C-contiguous -> RowMat: the one copy into the library's own matrix.
RowMat to_rowmat(const F32Array& a) {
  if (a.ndim() != 2) throw InputError("expected a 2-D array");
  RowMat m(a.shape(0), a.shape(1));
  if (m.size() > 0) std::memcpy(m.data(), a.data(), sizeof(float) * static_cast<size_t>(m.size()));
  return m;
}

std::vector<float> to_vector(const F32Array& a) {
  return {a.data(), a.data() + a.size()};
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), sizeof(T) * v.size());
  return a;
}

// A row-major Eigen matrix (RowMat, RowMatD) as a (rows, cols) array of its scalar.
template <class M>
py::array_t<typename M::Scalar> to_numpy(const M& m) {
  using T = typename M::Scalar;
  static_assert(M::IsRowMajor);
  py::array_t<T> a({m.rows(), m.cols()});
  if (m.size() > 0)
    std::memcpy(a.mutable_data(), m.data(), sizeof(T) * static_cast<size_t>(m.size()));
  return a;
}

// (n, H, W) float32 images -> the library's (n, 1, H, W) stack.
sim::ImageStack to_images(const F32Array& a) {
  if (a.ndim() != 3) throw InputError("images: expected a 3-D array (n, height, width)");
  sim::ImageStack s;
  s.n = a.shape(0);
  s.height = a.shape(1);
  s.width = a.shape(2);
  s.pixels.assign(a.data(), a.data() + a.size());
  return s;
}

py::array_t<float> images_to_numpy(const sim::ImageStack& s) {
  py::array_t<float> a({s.n, s.height, s.width});
  if (!s.pixels.empty())
    std::memcpy(a.mutable_data(), s.pixels.data(), sizeof(float) * s.pixels.size());
  return a;
}

// Every parameter under its PyTorch state_dict name, with its PyTorch shape.
py::dict params_to_dict(const ParameterSet& p) {
  py::dict d;
  for (const auto& v : p.views()) {
    py::array_t<float> a(v.shape);
    std::memcpy(a.mutable_data(), p.values.data() + v.offset, sizeof(float) * v.size);
    d[py::str(v.name)] = a;
  }
  return d;
}

// A state_dict (name -> array) into p through the library's loader, so that wrong names, shapes,
// dtypes or non-finite values give the same messages as `--init FILE`.
void params_from_dict(const py::dict& sd, const std::string& what, ParameterSet& p) {
  io::NpzContents npz;
  for (const auto& [k, v] : sd) {
    const auto name = py::cast<std::string>(k);
    const auto arr = py::array::ensure(v);
    if (!arr) throw InputError(what + ":" + name + ": expected an array");
    std::vector<int64_t> shape(arr.shape(), arr.shape() + arr.ndim());
    if (arr.dtype().kind() == 'f' && arr.itemsize() == 8) {
      const auto a = F64Array::ensure(arr);
      npz[name] = io::NpyArray::from_double({a.data(), static_cast<size_t>(a.size())}, shape);
    } else if (arr.dtype().kind() == 'f' && arr.itemsize() == 4) {
      const auto a = F32Array::ensure(arr);
      npz[name] = io::NpyArray::from_float({a.data(), static_cast<size_t>(a.size())}, shape);
    } else {
      throw InputError(what + ":" + name + ": expected float32 or float64, got " +
                       py::cast<std::string>(py::str(arr.dtype())));
    }
  }
  models::load_state_dict(npz, what, p);
}

// ---- Options: an estimator's parameters -> the CLI's option structs ----

// params[key] as T, or nothing when the key is missing or None.
template <class T>
std::optional<T> param(const py::dict& params, const char* key) {
  if (!params.contains(key) || params[key].is_none()) return std::nullopt;
  return params[key].cast<T>();
}

// model, hidden, classes, iters, lr, l1, l2, seed, period, lambda_ (those given) as `decode`'s
// options; model names the MLP (classification, regression, circular) or the linear decoder
// (ridge, vonmises) as --model does.
runs::DecodeOptions decode_options(const py::dict& params) {
  runs::DecodeOptions o;
  const auto model = param<std::string>(params, "model").value_or("classification");
  if (!runs::set_model(o, model))
    throw InputError(
        "--model: expected classification, regression, circular, ridge or vonmises, got " + model);
  o.hidden = param<int64_t>(params, "hidden");
  o.iters = param<int64_t>(params, "iters");
  o.lr = param<double>(params, "lr");
  o.classes = param<int>(params, "classes").value_or(o.classes);
  o.l1 = param<double>(params, "l1").value_or(o.l1);
  o.l2 = param<double>(params, "l2").value_or(o.l2);
  o.seed = param<uint64_t>(params, "seed").value_or(o.seed);
  o.period = param<double>(params, "period").value_or(o.period);
  o.lambda = param<double>(params, "lambda_").value_or(o.lambda);
  return o;
}

runs::EncodeOptions encode_options(const py::dict& params) {
  runs::EncodeOptions o;
  o.channels = param<int>(params, "channels").value_or(o.channels);
  o.kernel = param<int>(params, "kernel").value_or(o.kernel);
  o.iters = param<int64_t>(params, "iters").value_or(o.iters);
  o.lr = param<double>(params, "lr").value_or(o.lr);
  o.momentum = param<double>(params, "momentum").value_or(o.momentum);
  o.l2 = param<double>(params, "l2").value_or(o.l2);
  o.l1 = param<double>(params, "l1").value_or(o.l1);
  o.seed = param<uint64_t>(params, "seed").value_or(o.seed);
  return o;
}

// ---- Fits ----

// Python's hooks around a fit: the CLI's progress lines (printed to Python's sys.stdout, so that
// Jupyter shows them) and the signal check. Runs fit_fn(hooks) with the GIL released and
// re-raises what a Python signal handler raised (KeyboardInterrupt) once it has returned.
template <class FitFn>
auto run_interruptible(runs::FitHooks hooks, bool verbose, bool encoder, FitFn&& fit_fn) {
  std::optional<py::error_already_set> pending;
  if (verbose) {
    hooks.progress = [encoder](int64_t it, int64_t n, double tr, double te) {
      py::gil_scoped_acquire gil;
      const std::string line = encoder
                                   ? "iteration " + std::to_string(it) + "/" + std::to_string(n) +
                                         " | train loss: " + format_number("%.4f", tr) +
                                         " | test loss: " + format_number("%.4f", te)
                                   : "iteration " + std::to_string(it) + "/" + std::to_string(n) +
                                         " | loss: " + format_number("%.3f", tr) +
                                         " | test_loss: " + format_number("%.3f", te);
      py::print(line, py::arg("flush") = true);
    };
  }
  hooks.after_step = [&pending](int64_t) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() == 0) return false;
    pending.emplace();  // fetches the raised exception
    return true;
  };
  std::invoke_result_t<FitFn&, const runs::FitHooks&> fit;
  {
    py::gil_scoped_release nogil;
    fit = fit_fn(hooks);
  }
  if (pending) throw *pending;
  return fit;
}

// What every trained fit returns: its loss curves, time, divergence and weights.
template <class Fit>
py::dict trained_dict(const Fit& fit) {
  py::dict r;
  r["train_loss"] = fit.history.train_loss;
  r["test_loss"] = fit.history.test_loss;
  r["seconds"] = fit.seconds;
  r["diverged"] = fit.outcome.diverged;
  r["diverged_at"] = fit.outcome.diverged_at;
  r["message"] = fit.outcome.message;
  r["state_dict"] = params_to_dict(fit.net.params);
  return r;
}

// The rows a decoder fit sees: x's rows, then x_test's, split back apart as `decode --split`
// gives them to the fit; angles checked and taken mod `period` as the CLI's loader does.
struct TrainTest {
  data::Dataset ds;
  data::Split split;
};

TrainTest train_test_rows(const F32Array& x, const F32Array& y, const F32Array& x_test,
                          const F32Array& y_test, double period) {
  TrainTest t;
  const int64_t n_train = x.shape(0), n_test = x_test.shape(0);
  if (x_test.shape(1) != x.shape(1))
    throw InputError("eval_set: X_test has " + std::to_string(x_test.shape(1)) +
                     " columns but X has " + std::to_string(x.shape(1)) +
                     "; expected the same neurons");
  const int64_t cols = x.shape(1);
  t.ds.stimuli = to_vector(y);
  // Without an evaluation set the estimator passes X's first row as x_test: a view into X.
  // Then X itself is the dataset, read where it lies (float32 C order: no copy); the fit's
  // test rows are those rows of X. Otherwise the two arrays are copied into one matrix.
  const float* first = x.data();
  const float* tfirst = x_test.data();
  const int64_t row0 = (tfirst - first) / cols;
  const bool inside = tfirst >= first && tfirst + x_test.size() <= first + x.size() &&
                      (tfirst - first) % cols == 0 &&
                      std::equal(y_test.data(), y_test.data() + y_test.size(), y.data() + row0);
  if (inside) {
    t.ds.resp = data::Responses(nullptr, first, n_train, cols);  // borrowed for the call
    g_last_fit_data = t.ds.resp.data();
    data::validate(t.ds, "X", period);
    data::wrap_stimuli(t.ds, period);
    t.split.train_idx.resize(static_cast<size_t>(n_train));
    std::iota(t.split.train_idx.begin(), t.split.train_idx.end(), 0);
    for (int64_t i = 0; i < n_test; ++i) t.split.test_idx.push_back(row0 + i);
    return t;
  }
  RowMat both(n_train + n_test, cols);
  std::memcpy(both.data(), x.data(), sizeof(float) * static_cast<size_t>(x.size()));
  std::memcpy(both.data() + x.size(), x_test.data(),
              sizeof(float) * static_cast<size_t>(x_test.size()));
  t.ds.resp = std::move(both);
  t.ds.stimuli.insert(t.ds.stimuli.end(), y_test.data(), y_test.data() + y_test.size());
  g_last_fit_data = t.ds.resp.data();
  data::validate(t.ds, "X", period);
  data::wrap_stimuli(t.ds, period);
  t.split.train_idx.resize(static_cast<size_t>(n_train));
  t.split.test_idx.resize(static_cast<size_t>(n_test));
  std::iota(t.split.train_idx.begin(), t.split.train_idx.end(), 0);
  std::iota(t.split.test_idx.begin(), t.split.test_idx.end(), n_train);
  data::validate_split(t.split, t.ds.n_stimuli(), "eval_set");
  return t;
}

// Fits an MLP decoder on (x, y) and evaluates it on (x_test, y_test), through fit_decoder with
// the options validated and turned into a config exactly as `decode` does. The initial weights
// are `init` when given, else drawn from Rng(seed): what `decode --split FILE --seed S` draws.
py::dict fit_decoder(const F32Array& x, const F32Array& y, const F32Array& x_test,
                     const F32Array& y_test, const py::dict& params,
                     const std::optional<py::dict>& init, bool verbose) {
  const runs::DecodeOptions opt = decode_options(params);
  runs::validate(opt);
  const TrainTest t = train_test_rows(x, y, x_test, y_test, opt.period);
  runs::FitHooks hooks;
  if (init)
    hooks.init = [&init](ParameterSet& p) {
      py::gil_scoped_acquire gil;
      params_from_dict(*init, "init", p);
    };
  Rng rng(opt.seed);
  const runs::DecoderFit fit =
      run_interruptible(hooks, verbose, false, [&](const runs::FitHooks& h) {
        return runs::fit_decoder(t.ds, t.split, runs::decoder_config(opt), h, &rng);
      });
  return trained_dict(fit);
}

// An MLP decoder of the estimator's shape with the weights of `sd` (the CLI's `--init`
// messages for wrong names or shapes).
models::Decoder decoder_from_state_dict(const py::dict& sd, const py::dict& params,
                                        int64_t inputs) {
  const runs::DecoderConfig cfg = runs::decoder_config(decode_options(params));
  const int64_t outputs = cfg.model == models::DecoderKind::regression ? 1
                          : cfg.model == models::DecoderKind::circular ? 2
                                                                       : cfg.classes;
  models::Decoder net = models::decoder_create(
      {.kind = cfg.model, .n_inputs = inputs, .n_hidden = cfg.hidden, .n_outputs = outputs});
  params_from_dict(sd, "state_dict", net.params);
  return net;
}

// The forward pass of a decoder given as a state_dict: (hidden activity (B,H), output (B,O)),
// the output being log-probabilities (classifier), the angle (regression) or (cos, sin)
// (circular).
py::tuple decoder_forward(const F32Array& x, const py::dict& sd, const py::dict& params) {
  const models::Decoder net = decoder_from_state_dict(sd, params, x.shape(1));
  const RowMat xm = to_rowmat(x);
  models::DecoderWorkspace ws;
  {
    py::gil_scoped_release nogil;
    models::decoder_forward(net, cmap(xm), ws);
  }
  return py::make_tuple(to_numpy(ws.hidden), to_numpy(ws.out));
}

// A closed-form linear decoder (ridge, vonmises) through fit_linear, as `decode --model ridge`
// fits it: on every row of (x, y) (one of them also stands as the test row fit_linear decodes).
py::dict fit_linear(const F32Array& x, const F32Array& y, const py::dict& params) {
  const runs::DecodeOptions opt = decode_options(params);
  if (!opt.linear) throw InputError("fit_linear: expected model ridge or vonmises");
  runs::validate(opt);
  const F32Array x1 = x[py::slice(0, 1, 1)].cast<F32Array>();
  const F32Array y1 = y[py::slice(0, 1, 1)].cast<F32Array>();
  const TrainTest t = train_test_rows(x, y, x1, y1, opt.period);
  runs::LinearFit fit;
  {
    py::gil_scoped_release nogil;
    fit = runs::fit_linear(t.ds, t.split,
                           {.model = *opt.linear, .lambda = opt.lambda, .period = opt.period});
  }
  py::dict r;
  r["weight"] = to_numpy(fit.net.weight);
  r["bias"] = to_numpy(fit.net.bias);
  r["seconds"] = fit.seconds;
  return r;
}

// Raw outputs (n, T) and decoded angles (n) of a linear decoder with these weights.
py::tuple linear_predict(const F32Array& x, const F32Array& weight, const F32Array& bias,
                         const py::dict& params) {
  const runs::DecodeOptions opt = decode_options(params);
  if (!opt.linear) throw InputError("linear_predict: expected model ridge or vonmises");
  models::LinearDecoder d{.kind = *opt.linear,
                          .period = opt.period,
                          .weight = to_rowmat(weight),
                          .bias = to_vector(bias)};
  if (d.weight.cols() != x.shape(1) || static_cast<int64_t>(d.bias.size()) != d.weight.rows())
    throw InputError("linear decoder: weight " + std::to_string(d.weight.rows()) + " x " +
                     std::to_string(d.weight.cols()) + " and bias (" +
                     std::to_string(d.bias.size()) + ") do not fit X with " +
                     std::to_string(x.shape(1)) + " columns");
  const RowMat xm = to_rowmat(x);
  RowMatD out;
  std::vector<double> decoded;
  {
    py::gil_scoped_release nogil;
    out = models::linear_outputs(d, cmap(xm));
    decoded = models::linear_decode(d, out);
  }
  return py::make_tuple(to_numpy(out), to_numpy(decoded));
}

py::dict encoding_fit_dict(const analysis::EncodingFit& f) {
  py::dict r;
  r["test_corr"] = to_numpy(f.test_corr);
  r["split_half_corr"] = to_numpy(f.split_half_corr);
  r["noise_ceiling"] = to_numpy(f.noise_ceiling);
  r["normalized_corr"] = to_numpy(f.normalized_corr);
  r["included"] = to_numpy(f.included);
  r["median_test_corr"] = f.median_test_corr;
  r["median_noise_ceiling"] = f.median_noise_ceiling;
  r["median_normalized_corr"] = f.median_normalized_corr;
  r["n_excluded"] = f.n_excluded;
  return r;
}

// The convolutional encoder through fit_encoder, options validated as `encode` does: on the
// gratings `encode` draws for the stimuli, or on the given images (n, H, W).
py::dict fit_encoder(const F32Array& resp_train, const F32Array& resp_test, const F32Array& stimuli,
                     const std::optional<F32Array>& images, const py::dict& params, bool verbose) {
  const runs::EncodeOptions opt = encode_options(params);
  runs::validate(opt);
  data::SplitDataset ds;
  ds.resp_train = to_rowmat(resp_train);
  ds.resp_test = to_rowmat(resp_test);
  ds.stimuli = to_vector(stimuli);
  data::validate(ds, "responses");
  std::optional<sim::ImageStack> stack;
  if (images) {
    stack = to_images(*images);
    if (stack->n != ds.n_stimuli())
      throw InputError("responses has " + std::to_string(ds.n_stimuli()) + " rows but images has " +
                       std::to_string(stack->n) + " images; expected one image per row");
  }
  const runs::EncoderFit fit = run_interruptible({}, verbose, true, [&](const runs::FitHooks& h) {
    return stack ? runs::fit_encoder(ds, std::move(*stack), runs::encoder_config(opt), h)
                 : runs::fit_encoder(ds, runs::encoder_config(opt), h);
  });
  py::dict r = trained_dict(fit);
  r["prediction"] = to_numpy(fit.prediction);
  r["fit"] = encoding_fit_dict(fit.fit);
  r["conv_init"] = to_numpy(fit.conv_init);
  r["images"] = images_to_numpy(fit.images);
  return r;
}

// The gratings fit_encoder draws for these stimuli (sim::encoder_angles: the tutorial's 60
// orientations for 60 rows), (n, H, W).
py::array_t<float> encoder_gratings(const F32Array& stimuli) {
  return images_to_numpy(sim::grating_stack(sim::encoder_angles(to_vector(stimuli)), 0.025));
}

// Predicted responses (n, N) of an encoder given as a state_dict to images (n, H, W).
py::array_t<float> encoder_predict(const F32Array& images, const py::dict& sd,
                                   const py::dict& params, int64_t n_neurons) {
  const runs::EncodeOptions opt = encode_options(params);
  const sim::ImageStack stack = to_images(images);
  models::Encoder net = models::encoder_create({.n_neurons = n_neurons,
                                                .channels = opt.channels,
                                                .kernel = opt.kernel,
                                                .height = static_cast<int>(stack.height),
                                                .width = static_cast<int>(stack.width)});
  params_from_dict(sd, "state_dict", net.params);
  models::EncoderWorkspace ws;
  {
    py::gil_scoped_release nogil;
    models::encoder_forward(net, stack.pixels.data(), stack.n, ws);
  }
  return to_numpy(ws.out);
}

// The paper's linear discrimination threshold (runs::discriminate), options checked as
// `discriminate` checks them.
py::dict discrimination_threshold(const F32Array& resp, const F32Array& stimuli,
                                  const runs::DiscriminateConfig& cfg) {
  runs::DiscriminateOptions opt;
  opt.config = cfg;
  opt.out = "(none)";  // validate() also checks --out, which Python has no use for
  runs::validate(opt);
  data::Dataset ds{to_rowmat(resp), to_vector(stimuli)};
  data::validate(ds, "resp");  // as the CLI's loader: angles in [0, 360)
  runs::DiscriminateResult res;
  {
    py::gil_scoped_release nogil;
    res = runs::discriminate(std::move(ds), cfg);
  }
  const analysis::Psychometric& p = res.psy;
  py::dict r;
  r["threshold_deg"] = p.threshold;
  r["beta"] = p.beta;
  r["n_train"] = res.train_idx.size();
  r["n_test"] = res.test_idx.size();
  r["n_edge_pairs"] = p.n_edge;
  r["d"] = to_numpy(p.d_grid);
  r["counts"] = to_numpy(p.counts);
  r["positives"] = to_numpy(p.positives);
  r["p"] = to_numpy(p.p_full);
  r["d_used"] = to_numpy(p.d_used);
  r["p_raw"] = to_numpy(p.p_raw);
  r["p_sym"] = to_numpy(p.p_sym);
  r["fitted"] = to_numpy(p.fitted);
  r["outputs"] = to_numpy(res.outputs);
  r["train_idx"] = to_numpy(res.train_idx);
  r["test_idx"] = to_numpy(res.test_idx);
  r["seconds"] = res.seconds;
  if (cfg.neurons_curve) {
    std::vector<int64_t> neurons;
    std::vector<double> thresholds, betas;
    for (const runs::CurvePoint& c : res.curve) {
      neurons.push_back(c.n_neurons);
      thresholds.push_back(c.threshold);
      betas.push_back(c.beta);
    }
    py::dict curve;
    curve["n_neurons"] = to_numpy(neurons);
    curve["threshold_deg"] = to_numpy(thresholds);
    curve["beta"] = to_numpy(betas);
    curve["permutation"] = to_numpy(res.permutation);
    r["curve"] = curve;
  }
  return r;
}

// ---- Data and analyses ----

py::dict dataset_dict(const data::Dataset& d) {
  py::dict r;
  r["resp"] = to_numpy(RowMat(cmap(d.resp)));
  r["stimuli"] = to_numpy(d.stimuli);
  return r;
}

py::dict split_dataset_dict(const data::SplitDataset& d) {
  py::dict r;
  r["resp_train"] = to_numpy(d.resp_train);
  r["resp_test"] = to_numpy(d.resp_test);
  r["stimuli"] = to_numpy(d.stimuli);
  return r;
}

// Either tutorial format, by its keys, with the CLI's loaders (and so its checks and messages).
py::dict load(const std::string& path) {
  const auto keys = io::npz_keys(path);
  const bool split = std::find(keys.begin(), keys.end(), "resp_train") != keys.end() &&
                     std::find(keys.begin(), keys.end(), "resp") == keys.end();
  return split ? split_dataset_dict(data::load_split_dataset(path))
               : dataset_dict(data::load_dataset(path));
}

// The simulator checks its options (the CLI `simulate` messages); bin_width < 0: its default.
py::dict simulate(const sim::PopulationOptions& opt, std::optional<double> bin_width, bool split,
                  bool single_trials) {
  if (split && single_trials)
    throw InputError("--split and --single-trials: give one or the other, not both");
  if (single_trials && bin_width)
    throw InputError("--single-trials: trials are not binned; drop --bin-width");
  if (split) {
    data::SplitDataset d;
    {
      py::gil_scoped_release nogil;
      d = sim::simulate_population_split(opt, bin_width.value_or(6.0));
    }
    return split_dataset_dict(d);
  }
  data::Dataset d;
  {
    py::gil_scoped_release nogil;
    d = single_trials ? sim::simulate_single_trials(opt)
                      : sim::simulate_population(opt, bin_width.value_or(1.0));
  }
  return dataset_dict(d);
}

py::dict preferred_orientation(const F32Array& resp, const F32Array& stimuli, double sigma) {
  data::Dataset ds{to_rowmat(resp), to_vector(stimuli)};
  data::validate(ds, "resp");
  const analysis::PreferredOrientation p =
      analysis::preferred_orientation(cmap(ds.resp), ds.stimuli, sigma);
  py::dict r;
  r["degrees"] = to_numpy(p.degrees);
  r["order"] = to_numpy(p.order);
  r["row_order"] = to_numpy(p.row_order);
  return r;
}

py::dict decoding_errors(const F64Array& decoded, const F32Array& truth, double period) {
  if (decoded.size() != truth.size())
    throw InputError("decoded has " + std::to_string(decoded.size()) + " entries but truth has " +
                     std::to_string(truth.size()) + "; expected the same length");
  const analysis::DecodingErrors e = analysis::decoding_errors(
      std::vector<double>(decoded.data(), decoded.data() + decoded.size()), to_vector(truth),
      period);
  py::dict r;
  r["test_mse"] = e.test_mse;
  r["median_abs_error_deg"] = e.median_abs_error_deg;
  r["mean_abs_error_deg"] = e.mean_abs_error_deg;
  r["median_circular_error_deg"] = e.median_circular_error_deg;
  r["mean_circular_error_deg"] = e.mean_circular_error_deg;
  r["r2"] = e.r2;
  return r;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "neurocodec's C++ core: the fits, loaders and analyses the CLI runs";
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);

  m.def("load", &load, py::arg("path"));
  m.def(
      "simulate",
      [](int64_t neurons, int64_t trials, uint64_t seed, std::optional<double> bin_width,
         bool split, bool single_trials) {
        sim::PopulationOptions o;
        o.neurons = neurons;
        o.trials = trials;
        o.seed = seed;
        return simulate(o, bin_width, split, single_trials);
      },
      py::arg("neurons"), py::arg("trials"), py::arg("seed"), py::arg("bin_width"),
      py::arg("split"), py::arg("single_trials"));
  m.def("fit_decoder", &fit_decoder, py::arg("x"), py::arg("y"), py::arg("x_test"),
        py::arg("y_test"), py::arg("params"), py::arg("init"), py::arg("verbose"));
  m.def("validate_decode_options",
        [](const py::dict& params) { runs::validate(decode_options(params)); });
  m.def("decoder_forward", &decoder_forward, py::arg("x"), py::arg("state_dict"),
        py::arg("params"));
  m.def("check_decoder_state_dict", [](const py::dict& sd, const py::dict& params, int64_t inputs) {
    decoder_from_state_dict(sd, params, inputs);
  });
  m.def("angles_from_unit", [](const F64Array& out, double period) {
    if (out.ndim() != 2 || out.shape(1) != 2) throw InputError("expected outputs of shape (n, 2)");
    const RowMatD o = Eigen::Map<const RowMatD>(out.data(), out.shape(0), 2);
    return to_numpy(models::angles_from_unit(o, period));
  });
  m.def("fit_linear", &fit_linear, py::arg("x"), py::arg("y"), py::arg("params"));
  m.def("linear_predict", &linear_predict, py::arg("x"), py::arg("weight"), py::arg("bias"),
        py::arg("params"));
  m.def("fit_encoder", &fit_encoder, py::arg("resp_train"), py::arg("resp_test"),
        py::arg("stimuli"), py::arg("images"), py::arg("params"), py::arg("verbose"));
  m.def("validate_encode_options",
        [](const py::dict& params) { runs::validate(encode_options(params)); });
  m.def("encoder_gratings", &encoder_gratings, py::arg("stimuli"));
  m.def("encoder_predict", &encoder_predict, py::arg("images"), py::arg("state_dict"),
        py::arg("params"), py::arg("n_neurons"));
  m.def(
      "discrimination_threshold",
      [](const F32Array& resp, const F32Array& stimuli, double period, double lambda,
         bool neurons_curve, uint64_t seed) {
        return discrimination_threshold(resp, stimuli,
                                        {.period = period,
                                         .lambda = lambda,
                                         .neurons_curve = neurons_curve,
                                         .seed = seed,
                                         .permutation = {}});
      },
      py::arg("resp"), py::arg("stimuli"), py::arg("period"), py::arg("lambda_"),
      py::arg("neurons_curve"), py::arg("seed"));
  m.def("preferred_orientation", &preferred_orientation, py::arg("resp"), py::arg("stimuli"),
        py::arg("sigma") = 5.0);
  m.def("decoding_errors", &decoding_errors, py::arg("decoded"), py::arg("truth"),
        py::arg("period") = 360.0);
  m.def(
      "stimulus_classes",
      [](const F32Array& angles, int classes, double period) {
        return to_numpy(data::stimulus_classes(to_vector(angles), classes, period));
      },
      py::arg("angles"), py::arg("classes"), py::arg("period") = 360.0);
  m.def("class_centre", &data::class_centre, py::arg("c"), py::arg("classes"),
        py::arg("period") = 360.0);
  m.def("_last_fit_data_pointer", [] { return reinterpret_cast<uintptr_t>(g_last_fit_data); });
}
