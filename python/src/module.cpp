// neurocodec._core: the Python package's bindings over the same library calls the CLI makes
// (runs/fit.hpp's fit_decoder / fit_encoder, runs' option validation and configs, data's loaders
// and validators), so that Python and the CLI give the same bits for the same inputs. The
// scikit-learn layer (python/neurocodec/) is pure Python over these functions.
//
// Conventions here:
//   - InputError (bad user input) becomes ValueError with the CLI's message, unchanged.
//   - Fits run with the GIL released; the after_step hook takes it back for a moment each
//     iteration to run Python's signal handlers, so Ctrl-C stops a fit within an iteration.
//   - Arrays arrive as float32 C-contiguous (the Python layer converts any other dtype or
//     layout once); each is read where it lies and copied once into the Dataset that
//     fit_decoder takes (which then takes its train/test rows, as for the CLI). Zero copies
//     need views over caller-owned memory in the fit API (DESIGN's prepared-data handle).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <numeric>
#include <optional>

#include "analysis/metrics.hpp"
#include "analysis/tuning.hpp"
#include "core/error.hpp"
#include "core/format.hpp"
#include "data/dataset.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"
#include "runs/fit.hpp"
#include "sim/population.hpp"
#include "sim/stimuli.hpp"

namespace py = pybind11;
using namespace nc;

namespace {

using F32Array = py::array_t<float, py::array::c_style>;

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

py::array_t<float> to_numpy(const RowMat& m) {
  py::array_t<float> a({m.rows(), m.cols()});
  if (m.size() > 0)
    std::memcpy(a.mutable_data(), m.data(), sizeof(float) * static_cast<size_t>(m.size()));
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
      const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
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

py::dict history_dict(const train::History& h, const train::Outcome& o, double seconds) {
  py::dict r;
  r["train_loss"] = h.train_loss;
  r["test_loss"] = h.test_loss;
  r["seconds"] = seconds;
  r["diverged"] = o.diverged;
  r["diverged_at"] = o.diverged_at;
  r["message"] = o.message;
  return r;
}

// Hooks shared by both fits: the CLI's progress lines (printed to Python's sys.stdout, so that
// Jupyter shows them) and the signal check. `pending` receives a KeyboardInterrupt (or whatever
// a Python signal handler raised) to re-raise once the fit has returned.
runs::FitHooks python_hooks(bool verbose, bool encoder,
                            std::optional<py::error_already_set>& pending) {
  runs::FitHooks hooks;
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
  return hooks;
}

// Fits a decoder on (x, y) and evaluates it on (x_test, y_test), through fit_decoder with the
// options validated and turned into a config exactly as `decode` does. The initial weights are
// `init` when given, else drawn from Rng(seed): what `decode --split FILE --seed S` draws.
py::dict fit_decoder(const F32Array& x, const F32Array& y, const F32Array& x_test,
                     const F32Array& y_test, const runs::DecodeOptions& opt,
                     const std::optional<py::dict>& init, bool verbose) {
  runs::validate(opt);
  const int64_t n_train = x.shape(0), n_test = x_test.shape(0);
  data::Dataset ds;  // train rows, then test rows: the split below takes them back apart
  if (x_test.shape(1) != x.shape(1))
    throw InputError("eval_set: X_test has " + std::to_string(x_test.shape(1)) +
                     " columns but X has " + std::to_string(x.shape(1)) +
                     "; expected the same neurons");
  RowMat both(n_train + n_test, x.shape(1));
  std::memcpy(both.data(), x.data(), sizeof(float) * static_cast<size_t>(x.size()));
  std::memcpy(both.data() + x.size(), x_test.data(),
              sizeof(float) * static_cast<size_t>(x_test.size()));
  ds.resp = std::move(both);
  ds.stimuli = to_vector(y);
  ds.stimuli.insert(ds.stimuli.end(), y_test.data(), y_test.data() + y_test.size());
  g_last_fit_data = x.data();
  data::validate(ds, "X");
  data::Split split;
  split.train_idx.resize(static_cast<size_t>(n_train));
  split.test_idx.resize(static_cast<size_t>(n_test));
  std::iota(split.train_idx.begin(), split.train_idx.end(), 0);
  std::iota(split.test_idx.begin(), split.test_idx.end(), n_train);
  data::validate_split(split, ds.n_stimuli(), "eval_set");

  std::optional<py::error_already_set> pending;
  runs::FitHooks hooks = python_hooks(verbose, false, pending);
  if (init)
    hooks.init = [&init](ParameterSet& p) {
      py::gil_scoped_acquire gil;
      params_from_dict(*init, "init", p);
    };
  Rng rng(opt.seed);
  runs::DecoderFit fit;
  {
    py::gil_scoped_release nogil;
    fit = runs::fit_decoder(ds, split, runs::decoder_config(opt), hooks, &rng);
  }
  if (pending) throw *pending;
  py::dict r = history_dict(fit.history, fit.outcome, fit.seconds);
  r["state_dict"] = params_to_dict(fit.net.params);
  return r;
}

// The forward pass of a decoder given as a state_dict: (hidden activity (B,H), output (B,O)),
// the output being log-probabilities for a classifier and the angle for regression.
py::tuple decoder_forward(const F32Array& x, const py::dict& sd, bool regression, int64_t hidden,
                          int64_t outputs) {
  models::Decoder net = models::decoder_create(
      {.kind = regression ? models::DecoderKind::regression : models::DecoderKind::classification,
       .n_inputs = x.shape(1),
       .n_hidden = hidden,
       .n_outputs = outputs});
  params_from_dict(sd, "state_dict", net.params);
  const RowMat xm = to_rowmat(x);
  models::DecoderWorkspace ws;
  {
    py::gil_scoped_release nogil;
    models::decoder_forward(net, cmap(xm), ws);
  }
  return py::make_tuple(to_numpy(ws.hidden), to_numpy(ws.out));
}

// Checks a state_dict against a decoder's shape (the CLI's `--init` messages) without a fit.
void check_decoder_state_dict(const py::dict& sd, bool regression, int64_t inputs, int64_t hidden,
                              int64_t outputs) {
  models::Decoder net = models::decoder_create(
      {.kind = regression ? models::DecoderKind::regression : models::DecoderKind::classification,
       .n_inputs = inputs,
       .n_hidden = hidden,
       .n_outputs = outputs});
  params_from_dict(sd, "state_dict", net.params);
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

// The convolutional encoder through fit_encoder, options validated as `encode` does.
py::dict fit_encoder(const F32Array& resp_train, const F32Array& resp_test, const F32Array& stimuli,
                     const runs::EncodeOptions& opt, bool verbose) {
  runs::validate(opt);
  data::SplitDataset ds;
  ds.resp_train = to_rowmat(resp_train);
  ds.resp_test = to_rowmat(resp_test);
  ds.stimuli = to_vector(stimuli);
  data::validate(ds, "responses");
  std::optional<py::error_already_set> pending;
  const runs::FitHooks hooks = python_hooks(verbose, true, pending);
  runs::EncoderFit fit;
  {
    py::gil_scoped_release nogil;
    fit = runs::fit_encoder(ds, runs::encoder_config(opt), hooks);
  }
  if (pending) throw *pending;
  py::dict r = history_dict(fit.history, fit.outcome, fit.seconds);
  r["state_dict"] = params_to_dict(fit.net.params);
  r["prediction"] = to_numpy(fit.prediction);
  r["fit"] = encoding_fit_dict(fit.fit);
  r["conv_init"] = to_numpy(fit.conv_init);
  py::array_t<float> images({fit.images.n, fit.images.height, fit.images.width});
  std::memcpy(images.mutable_data(), fit.images.pixels.data(),
              sizeof(float) * fit.images.pixels.size());
  r["images"] = images;
  return r;
}

// Predicted responses (n, N) of an encoder given as a state_dict to the gratings fit_encoder
// draws for these stimuli (sim::encoder_angles: the tutorial's 60 orientations for 60 rows).
py::array_t<float> encoder_predict(const F32Array& stimuli, const py::dict& sd, int channels,
                                   int kernel, int64_t n_neurons) {
  models::Encoder net =
      models::encoder_create({.n_neurons = n_neurons, .channels = channels, .kernel = kernel});
  params_from_dict(sd, "state_dict", net.params);
  const sim::ImageStack images = sim::grating_stack(sim::encoder_angles(to_vector(stimuli)), 0.025);
  models::EncoderWorkspace ws;
  {
    py::gil_scoped_release nogil;
    models::encoder_forward(net, images.pixels.data(), images.n, ws);
  }
  return to_numpy(ws.out);
}

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

// The simulator checks its options (the CLI `simulate` messages).
py::dict simulate(const sim::PopulationOptions& opt, double bin_width, bool split) {
  if (split) {
    data::SplitDataset d;
    {
      py::gil_scoped_release nogil;
      d = sim::simulate_population_split(opt, bin_width);
    }
    return split_dataset_dict(d);
  }
  data::Dataset d;
  {
    py::gil_scoped_release nogil;
    d = sim::simulate_population(opt, bin_width);
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

py::dict decoding_errors(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& decoded,
    const F32Array& truth) {
  if (decoded.size() != truth.size())
    throw InputError("decoded has " + std::to_string(decoded.size()) + " entries but truth has " +
                     std::to_string(truth.size()) + "; expected the same length");
  const analysis::DecodingErrors e = analysis::decoding_errors(
      std::vector<double>(decoded.data(), decoded.data() + decoded.size()), to_vector(truth));
  py::dict r;
  r["test_mse"] = e.test_mse;
  r["median_abs_error_deg"] = e.median_abs_error_deg;
  r["mean_abs_error_deg"] = e.mean_abs_error_deg;
  r["median_circular_error_deg"] = e.median_circular_error_deg;
  r["mean_circular_error_deg"] = e.mean_circular_error_deg;
  return r;
}

// The Python-side options, named as the estimators' parameters, into the CLI's option structs.
runs::DecodeOptions decode_options(const std::string& model, int64_t hidden, int classes,
                                   int64_t iters, double lr, double l1, double l2, uint64_t seed) {
  runs::DecodeOptions o;
  if (model != "classification" && model != "regression")
    throw InputError("--model: expected classification or regression, got " + model);
  o.model =
      model == "regression" ? models::DecoderKind::regression : models::DecoderKind::classification;
  o.hidden = hidden;
  o.classes = classes;
  o.iters = iters;
  o.lr = lr;
  o.l1 = l1;
  o.l2 = l2;
  o.seed = seed;
  return o;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "neurocodec's C++ core: the fits, loaders and analyses the CLI runs";
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);

  m.def("load", &load, py::arg("path"));
  m.def(
      "simulate",
      [](int64_t neurons, int64_t trials, uint64_t seed, double bin_width, bool split) {
        sim::PopulationOptions o;
        o.neurons = neurons;
        o.trials = trials;
        o.seed = seed;
        return simulate(o, bin_width, split);
      },
      py::arg("neurons"), py::arg("trials"), py::arg("seed"), py::arg("bin_width"),
      py::arg("split"));
  m.def(
      "fit_decoder",
      [](const F32Array& x, const F32Array& y, const F32Array& xt, const F32Array& yt,
         const std::string& model, int64_t hidden, int classes, int64_t iters, double lr, double l1,
         double l2, uint64_t seed, const std::optional<py::dict>& init, bool verbose) {
        return fit_decoder(x, y, xt, yt,
                           decode_options(model, hidden, classes, iters, lr, l1, l2, seed), init,
                           verbose);
      },
      py::arg("x"), py::arg("y"), py::arg("x_test"), py::arg("y_test"), py::arg("model"),
      py::arg("hidden"), py::arg("classes"), py::arg("iters"), py::arg("lr"), py::arg("l1"),
      py::arg("l2"), py::arg("seed"), py::arg("init"), py::arg("verbose"));
  m.def("validate_decoder_options", [](const std::string& model, int64_t hidden, int classes,
                                       int64_t iters, double lr, double l1, double l2) {
    runs::validate(decode_options(model, hidden, classes, iters, lr, l1, l2, 1));
  });
  m.def("decoder_forward", &decoder_forward, py::arg("x"), py::arg("state_dict"),
        py::arg("regression"), py::arg("hidden"), py::arg("outputs"));
  m.def("check_decoder_state_dict", &check_decoder_state_dict);
  m.def("fit_encoder", [](const F32Array& rtr, const F32Array& rte, const F32Array& stim,
                          int channels, int kernel, int64_t iters, double lr, double momentum,
                          double l2, double l1, uint64_t seed, bool verbose) {
    runs::EncodeOptions o;
    o.channels = channels;
    o.kernel = kernel;
    o.iters = iters;
    o.lr = lr;
    o.momentum = momentum;
    o.l2 = l2;
    o.l1 = l1;
    o.seed = seed;
    return fit_encoder(rtr, rte, stim, o, verbose);
  });
  m.def("encoder_predict", &encoder_predict);
  m.def("preferred_orientation", &preferred_orientation, py::arg("resp"), py::arg("stimuli"),
        py::arg("sigma") = 5.0);
  m.def("decoding_errors", &decoding_errors);
  m.def("stimulus_classes", [](const F32Array& angles, int classes) {
    return to_numpy(data::stimulus_classes(to_vector(angles), classes));
  });
  m.def("class_centre", &data::class_centre);
  m.def("_last_fit_data_pointer", [] { return reinterpret_cast<uintptr_t>(g_last_fit_data); });
}
