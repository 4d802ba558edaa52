#include "core/format.hpp"
#include "runs/tutorial_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "io/npz.hpp"
#include "report/html.hpp"
#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"

namespace nc::runs {
namespace {

using Clock = std::chrono::steady_clock;
using report::html_escape;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A metric from metrics.json, formatted; "n/a" when absent or null (e.g. no neuron included).
std::string metric(const nlohmann::json& m, const char* key, const char* f) {
  if (!m.contains(key) || !m[key].is_number()) return "n/a";
  return format_number(f, m[key].get<double>());
}

// An option of a run as metrics.json records it, e.g. opt(m, "iters") -> "1000".
std::string opt_text(const nlohmann::json& m, const char* key) {
  if (!m.contains("options") || !m["options"].contains(key)) return "?";
  const auto& v = m["options"][key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

nlohmann::json read_metrics(const std::string& dir) {
  std::ifstream f(dir + "/metrics.json");
  if (!f) throw IoError(dir + "/metrics.json: missing after the run");
  return nlohmann::json::parse(f);
}

struct Stage {
  std::string key;    // subfolder
  std::string title;  // for tables
  double seconds = 0;
  nlohmann::json metrics;
};

// Weights of in_layer with |w| below this count as (nearly) zero in the sparsity column: a
// tenth of the typical initial weight (PyTorch's init is uniform within 1/sqrt(n_neurons)).
struct Sparsity {
  double median_abs = NAN, fraction_small = NAN, threshold = NAN;
};

Sparsity w_in_sparsity(const std::string& dir) {
  Sparsity s;
  const io::NpzContents npz = io::read_npz(dir + "/model.npz");
  const io::NpyArray& a = io::npz_require(npz, dir + "/model.npz", "in_layer.weight");
  std::vector<double> w = a.to_double();
  if (w.empty() || a.shape.size() != 2) return s;
  s.threshold = 0.1 / std::sqrt(static_cast<double>(a.shape[1]));
  int64_t small = 0;
  for (double& v : w) {
    v = std::abs(v);
    small += v < s.threshold;
  }
  s.fraction_small = static_cast<double>(small) / static_cast<double>(w.size());
  std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(w.size() / 2), w.end());
  s.median_abs = w[w.size() / 2];
  return s;
}

struct FigureSpec {
  const char* file;
  const char* caption;
};

// The figures of one run: `main` ones at full size, in order, then every other PNG of the
// folder as thumbnails (in the order of `more`, captioned from it, else by file name), so that
// the page shows every figure the run wrote.
std::string figures(const std::string& out, const std::string& sub, const std::vector<FigureSpec>& main,
                    const std::vector<FigureSpec>& more = {}) {
  std::string h;
  std::vector<std::string> shown;
  for (const auto& f : main) {
    const std::string rel = sub + "/" + f.file;
    if (!std::filesystem::exists(out + "/" + rel)) continue;
    h += report::html_figure(out, rel, f.caption);
    shown.push_back(f.file);
  }
  std::vector<std::string> rest;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(out + "/" + sub, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".png" && std::find(shown.begin(), shown.end(), name) == shown.end())
      rest.push_back(name);
  }
  const auto rank = [&](const std::string& n) {
    for (size_t i = 0; i < more.size(); ++i)
      if (n == more[i].file) return i;
    return more.size();
  };
  std::sort(rest.begin(), rest.end(),
            [&](const std::string& a, const std::string& b) { return std::make_pair(rank(a), a) < std::make_pair(rank(b), b); });
  if (!rest.empty()) h += "<p><small>More figures of this run:</small></p>\n";
  for (const auto& name : rest) {
    const size_t r = rank(name);
    h += report::html_figure(out, sub + "/" + name, r < more.size() ? more[r].caption : name, "thumb");
  }
  return h;
}

std::string options_table(const nlohmann::json& m) {
  std::vector<std::vector<std::string>> rows;
  if (m.contains("options"))
    for (const auto& [k, v] : m["options"].items()) {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (s.empty()) s = "(none)";
      rows.push_back({k, s});
    }
  return report::html_table({"option", "value"}, rows);
}

std::string diverged_note(const nlohmann::json& m) {
  if (!m.value("diverged", false)) return "";
  return "<p class=\"note\">Training diverged at iteration " + std::to_string(m.value("diverged_at", 0)) +
         "; the figures show the last finite state.</p>\n";
}

void write_quick_data(const std::string& dir, std::string& decode_file, std::string& encode_file) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  sim::PopulationOptions p;
  p.neurons = 300;
  p.trials = 1440;
  const data::Dataset d = sim::simulate_population(p);
  io::NpzContents a;
  a["resp"] = io::NpyArray::from_float({d.resp.data(), static_cast<size_t>(d.resp.size())}, {d.resp.rows(), d.resp.cols()});
  a["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
  decode_file = dir + "/quick_resp.npz";
  io::write_npz(decode_file, a);
  const data::SplitDataset s = sim::simulate_population_split(p);
  io::NpzContents b;
  b["resp_train"] = io::NpyArray::from_float({s.resp_train.data(), static_cast<size_t>(s.resp_train.size())},
                                             {s.resp_train.rows(), s.resp_train.cols()});
  b["resp_test"] = io::NpyArray::from_float({s.resp_test.data(), static_cast<size_t>(s.resp_test.size())},
                                            {s.resp_test.rows(), s.resp_test.cols()});
  b["stimuli"] = io::NpyArray::from_float(s.stimuli, {s.n_stimuli()});
  encode_file = dir + "/quick_split.npz";
  io::write_npz(encode_file, b);
}

}  // namespace

TutorialResult run_tutorial(const TutorialOptions& opt, std::ostream& log) {
  const auto t0 = Clock::now();
  TutorialResult res;

  // Data: the tutorial's two files, the built-in population, or (tests) a small one.
  std::string decode_data, encode_data, data_html;
  if (!opt.data_dir.empty()) {
    decode_data = opt.data_dir + "/" + kTutorialDecodeFile;
    encode_data = opt.data_dir + "/" + kTutorialEncodeFile;
    for (const std::string& f : {decode_data, encode_data})
      if (!std::filesystem::is_regular_file(f))
        throw InputError("--data-dir " + opt.data_dir + ": missing " + f.substr(opt.data_dir.size() + 1) +
                         " (download both files with: neurocodec fetch-data --dir " + opt.data_dir + ")");
    prepare_output_dir(opt.out);  // after the checks: a failed run leaves no folder behind
    data_html = "<p>Data: the tutorial's recordings (Stringer et al.), <code>" + html_escape(decode_data) +
                "</code> (sections 1&ndash;2) and <code>" + html_escape(encode_data) + "</code> (section 3).</p>\n";
    log << "data: " << decode_data << " and " << encode_data << "\n";
  } else {
    std::string what = "the built-in simulated V1 population (23,589 neurons, as the recording)";
    prepare_output_dir(opt.out);
    if (opt.quick) {
      write_quick_data(opt.out + "/quick_data", decode_data, encode_data);
      what = "a small simulated population (300 neurons, --quick: few iterations)";
    }
    data_html = "<p class=\"note\"><strong>Simulated data.</strong> No <code>--data-dir</code> was given, so this "
                "report uses " + html_escape(what) +
                ", not the tutorial's recording: its numbers and figures differ from the tutorial's. To use the "
                "real data: <code>neurocodec fetch-data --dir data</code>, then <code>neurocodec tutorial "
                "--data-dir data --out DIR</code>.</p>\n";
    log << "data: " << what << " (no --data-dir given)\n";
  }
  log.flush();

  std::vector<Stage> stages;
  const auto decode_stage = [&](int n, const std::string& key, const std::string& title, DecodeOptions d) {
    log << "[" << n << "/4] " << title << "\n";
    log.flush();
    const auto ts = Clock::now();
    d.data = decode_data;
    d.seed = opt.seed;
    d.out = opt.out + "/" + key;
    const DecodeResult r = run_decode(d, log);
    res.diverged = res.diverged || r.outcome.diverged;
    stages.push_back({key, title, since(ts), read_metrics(d.out)});
    log << "[" << n << "/4] done in " << format_number("%.1f", stages.back().seconds) << " s\n";
  };

  DecodeOptions reg;
  reg.model = models::DecoderKind::regression;
  decode_stage(1, "section1_regression", "Section 1: regression decoder", reg);

  DecodeOptions cls;
  cls.model = models::DecoderKind::classification;
  if (opt.quick) cls.iters = 100;
  decode_stage(2, "section2_classifier", "Section 2.2: classifier", cls);

  DecodeOptions regcls = cls;
  regcls.l2 = 1e-2;
  regcls.l1 = 5e-4;
  decode_stage(3, "section2_regularized", "Section 2.3: regularised classifier (L2 1e-2, L1 5e-4)", regcls);

  {
    const std::string title = "Section 3: convolutional encoder";
    log << "[4/4] " << title << "\n";
    log.flush();
    const auto ts = Clock::now();
    EncodeOptions e;
    e.data = encode_data;
    e.seed = opt.seed;
    e.out = opt.out + "/section3_encoder";
    if (opt.quick) e.iters = 20;
    const EncodeResult r = run_encode(e, log);
    res.diverged = res.diverged || r.outcome.diverged;
    stages.push_back({"section3_encoder", title, since(ts), read_metrics(e.out)});
    log << "[4/4] done in " << format_number("%.1f", stages.back().seconds) << " s\n";
  }
  const nlohmann::json& m1 = stages[0].metrics;
  const nlohmann::json& m2 = stages[1].metrics;
  const nlohmann::json& m3 = stages[2].metrics;
  const nlohmann::json& m4 = stages[3].metrics;
  const Sparsity sp2 = w_in_sparsity(opt.out + "/" + stages[1].key);
  const Sparsity sp3 = w_in_sparsity(opt.out + "/" + stages[2].key);

  // The page.
  const std::string& out = opt.out;
  std::string b;
  b += "<h1>Diving deeper into decoding &amp; encoding, computed by neurocodec</h1>\n";
  b += data_html;
  b += "<p>The Neuromatch Academy tutorial's sections 1 to 3: decoders of grating orientation from the "
       "population's responses, what they learn, how they err and how a loss suited to angles and "
       "penalties improve them; then a convolutional encoding model of every neuron.</p>\n";
  b += report::html_table(
      {"section", "result", "training (s)", "stage (s)"},
      {{"1: regression decoder", "test MSE " + metric(m1, "test_mse", "%.1f") + " deg²",
        metric(m1, "seconds", "%.2f"), format_number("%.1f", stages[0].seconds)},
       {"2.2: classifier", "fraction correct " + metric(m2, "fraction_correct", "%.3f"), metric(m2, "seconds", "%.2f"),
        format_number("%.1f", stages[1].seconds)},
       {"2.3: regularised classifier", "fraction correct " + metric(m3, "fraction_correct", "%.3f"),
        metric(m3, "seconds", "%.2f"), format_number("%.1f", stages[2].seconds)},
       {"3: encoder", "median test correlation " + metric(m4, "median_test_corr", "%.3f"),
        metric(m4, "seconds", "%.2f"), format_number("%.1f", stages[3].seconds)}});

  const std::string s1 = stages[0].key;
  b += "<h2>Section 1: Decoding &ndash; investigating the model and evaluating performance</h2>\n";
  b += "<p>" + std::to_string(m1.value("n_neurons", 0)) + " neurons in response to " +
       std::to_string(m1.value("n_stimuli", 0)) + " stimuli; " + std::to_string(m1.value("n_train", 0)) +
       " for training, " + std::to_string(m1.value("n_test", 0)) +
       " for testing. A network with one hidden layer of " + opt_text(m1, "hidden") +
       " ReLU units regresses the angle (mean squared error, " + opt_text(m1, "iters") +
       " iterations of gradient descent, learning rate " + opt_text(m1, "lr") + ").</p>\n";
  b += diverged_note(m1);
  b += figures(out, s1,
               {{"data_matrix.png", "Responses of every neuron to the first 100 stimuli (colour limits at the 1st and "
                                    "99th percentiles) and the tuning curves of three random neurons."},
                {"training_loss.png", "Training (and test) mean squared error over iterations of gradient descent."},
                {"weights.png", "W_in and W_out with the neurons in recording order: no visible structure."},
                {"weights_sorted.png", "W_in with the neurons sorted by preferred orientation (the argmax of each "
                                       "tuning curve smoothed by a Gaussian of 5 stimuli)."},
                {"hidden_units.png", "Sorted W_in, the hidden units' activity h for every stimulus, and their "
                                     "tuning curves: each unit pools neurons of two preferred orientations."},
                {"decoded_vs_true.png", "Decoded against true orientation on the test set; the grey line is y = x."},
                {"decoding_error.png", "Decoding error (decoded minus true) against true orientation: the squared "
                                       "error ignores that 0 and 360 degrees are the same angle."}});
  b += report::html_table({"test MSE (deg²)", "median circular error (deg)", "mean circular error (deg)",
                           "median absolute error (deg)", "training (s)"},
                          {{metric(m1, "test_mse", "%.2f"), metric(m1, "median_circular_error_deg", "%.2f"),
                            metric(m1, "mean_circular_error_deg", "%.2f"), metric(m1, "median_abs_error_deg", "%.2f"),
                            metric(m1, "seconds", "%.3f")}});

  b += "<h2>Section 2: Decoding &ndash; evaluating and improving models</h2>\n";
  b += "<h3>2.2 A loss for angles: classification into 20 orientation bins</h3>\n";
  b += "<p>" + opt_text(m2, "hidden") + " hidden units, " + opt_text(m2, "classes") +
       " classes (orientation bins), negative log likelihood, " + opt_text(m2, "iters") +
       " iterations, learning rate " + opt_text(m2, "lr") + ".</p>\n";
  b += diverged_note(m2);
  const std::vector<FigureSpec> cls_figs = {
      {"decoded_classes.png", "Training and test loss; decoded bin against true orientation, with the bin edges."},
      {"weights_sorted.png", "W_in (neurons sorted by preferred orientation) and W_out."},
      {"confusion.png", "Confusion matrix on the test set (rows: true class, columns: predicted class)."},
      {"decoding_error.png", "Decoding error (centre of the decoded bin minus true orientation)."}};
  const std::vector<FigureSpec> cls_more = {
      {"weights.png", "W_in and W_out, neurons in recording order."},
      {"hidden_units.png", "Sorted W_in, hidden activity h and its tuning curves."},
      {"decoded_vs_true.png", "Decoded (bin centre) against true orientation."},
      {"data_matrix.png", "The data, as in section 1."}};
  b += figures(out, stages[1].key, cls_figs, cls_more);
  b += "<h3>2.3 Regularisation: L2 1e-2 and L1 5e-4 on W_in</h3>\n";
  b += diverged_note(m3);
  b += figures(out, stages[2].key, cls_figs, cls_more);
  b += "<p>Sparser weights: the L1 penalty drives most of W_in towards zero.</p>\n";
  b += report::html_table(
      {"model", "fraction correct", "test MSE (deg²)", "median circular error (deg)", "mean circular error (deg)",
       "median |W_in|", "share of |W_in| < " + format_number("%.1e", sp2.threshold), "training (s)"},
      {{"classifier", metric(m2, "fraction_correct", "%.3f"), metric(m2, "test_mse", "%.1f"),
        metric(m2, "median_circular_error_deg", "%.2f"), metric(m2, "mean_circular_error_deg", "%.2f"),
        format_number("%.2e", sp2.median_abs), format_number("%.3f", sp2.fraction_small), metric(m2, "seconds", "%.2f")},
       {"regularised classifier", metric(m3, "fraction_correct", "%.3f"), metric(m3, "test_mse", "%.1f"),
        metric(m3, "median_circular_error_deg", "%.2f"), metric(m3, "mean_circular_error_deg", "%.2f"),
        format_number("%.2e", sp3.median_abs), format_number("%.3f", sp3.fraction_small), metric(m3, "seconds", "%.2f")}});

  const std::string s4 = stages[3].key;
  b += "<h2>Section 3: Encoding &ndash; convolutional networks for encoding</h2>\n";
  b += "<p>Gratings of 12 x 16 pixels at each of the " + std::to_string(m4.value("n_stimuli", 0)) +
       " orientations; " + opt_text(m4, "channels") + " convolutional channels (" + opt_text(m4, "kernel") + " x " +
       opt_text(m4, "kernel") + ", initialised with centre-surround and Gabor filters) and a fully connected layer "
       "to all " + std::to_string(m4.value("n_neurons", 0)) + " neurons; mean squared error with L2 " +
       opt_text(m4, "l2") + " and L1 " + opt_text(m4, "l1") + " on the output weights, SGD with momentum " +
       opt_text(m4, "momentum") + ", learning rate " + opt_text(m4, "lr") + ", " + opt_text(m4, "iters") +
       " iterations.</p>\n";
  b += diverged_note(m4);
  b += figures(out, s4,
               {{"encoder_tuning.png", "Tuning curves of random neurons from the two halves of the trials: train "
                                       "(yellow) and test (magenta)."},
                {"encoder_training.png", "Training loss over iterations; test loss at the progress iterations."},
                {"encoder_predictions.png", "Predicted responses (green) against the train (yellow) and test "
                                            "(magenta) responses of random neurons."},
                {"conv_filters.png", "The convolutional channels after training (top) and as initialised (bottom)."},
                {"encoder_fit.png", "Per neuron: correlation of the prediction with the test responses against the "
                                    "noise ceiling (the square root of the split-half correlation), and the "
                                    "distribution of their ratio."}});
  b += report::html_table(
      {"median test correlation", "median noise ceiling", "median normalised correlation", "neurons excluded",
       "final train loss", "final test loss", "training (s)"},
      {{metric(m4, "median_test_corr", "%.3f"), metric(m4, "median_noise_ceiling", "%.3f"),
        metric(m4, "median_normalized_corr", "%.3f"),
        std::to_string(m4.value("n_excluded", 0)) + " of " + std::to_string(m4.value("n_neurons", 0)),
        m4.contains("train_loss") && !m4["train_loss"].empty() ? format_number("%.4f", m4["train_loss"].back().get<double>()) : "n/a",
        m4.contains("test_loss") && !m4["test_loss"].empty() ? format_number("%.4f", m4["test_loss"].back().get<double>()) : "n/a",
        metric(m4, "seconds", "%.2f")}});
  b += "<p>Neurons whose noise ceiling is below 0.1 (or whose responses do not vary) are excluded from the "
       "medians.</p>\n";

  b += "<h2>Timings</h2>\n";
  std::vector<std::vector<std::string>> trows;
  for (const Stage& s : stages)
    trows.push_back({s.title, metric(s.metrics, "seconds", "%.2f"), format_number("%.2f", s.seconds),
                     format_number("%.0f", s.metrics.value("peak_rss_bytes", 0.0) / 1048576.0)});
  res.seconds = since(t0);
  trows.push_back({"whole tutorial (data, training, analysis, figures, this page)", "", format_number("%.2f", res.seconds), ""});
  b += report::html_table({"stage", "training (s)", "stage, wall (s)", "peak memory (MiB)"}, trows);

  b += "<h2>Options</h2>\n";
  for (const Stage& s : stages) {
    b += "<h3>" + html_escape(s.title) + " (<code>" + html_escape(s.key) + "/</code>)</h3>\n";
    b += options_table(s.metrics);
  }
  b += "<p>Each folder also holds the run's <code>metrics.json</code> and model (<code>model.npz</code>, PyTorch "
       "state_dict names).</p>\n";
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  b += "<p><small>neurocodec 0.1.0, <code>neurocodec tutorial</code>, seed " + std::to_string(opt.seed) + ", " +
       date + ".</small></p>\n";

  res.index_path = out + "/index.html";
  io::write_file_atomic(res.index_path, report::html_page("neurocodec: decoding & encoding tutorial", b));
  log << "wrote " << res.index_path << " (" << format_number("%.1f", res.seconds) << " s in all)\n";
  return res;
}

}  // namespace nc::runs
