#include "report/tutorial_page.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <utility>

#include "core/format.hpp"
#include "report/html.hpp"

namespace nc::report {
namespace {

// A metric from metrics.json, formatted; "n/a" when absent or null (e.g. no neuron included).
std::string metric(const nlohmann::json& m, const char* key, const char* f) {
  if (!m.contains(key) || !m[key].is_number()) return "n/a";
  return format_number(f, m[key].get<double>());
}

// An option of a run as its metrics record holds it, e.g. opt_text(m, "iters") -> "1000".
std::string opt_text(const nlohmann::json& m, const char* key) {
  if (!m.contains("options") || !m["options"].contains(key)) return "?";
  const auto& v = m["options"][key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

struct FigureSpec {
  const char* file;
  const char* caption;
};

// The figures of one run: `main` ones at full size, in order, then every other PNG of the
// folder as thumbnails (in the order of `more`, captioned from it, else by file name), so that
// the page shows every figure the run wrote.
std::string figures(const std::string& out, const std::string& sub,
                    const std::vector<FigureSpec>& main, const std::vector<FigureSpec>& more = {}) {
  std::string h;
  std::vector<std::string> shown;
  for (const auto& f : main) {
    const std::string rel = sub + "/" + f.file;
    if (!std::filesystem::exists(out + "/" + rel)) continue;
    h += html_figure(out, rel, f.caption);
    shown.push_back(f.file);
  }
  std::vector<std::string> rest;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(out + "/" + sub, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".png" &&
        std::find(shown.begin(), shown.end(), name) == shown.end())
      rest.push_back(name);
  }
  const auto rank = [&](const std::string& n) {
    for (size_t i = 0; i < more.size(); ++i)
      if (n == more[i].file) return i;
    return more.size();
  };
  std::sort(rest.begin(), rest.end(), [&](const std::string& a, const std::string& b) {
    return std::make_pair(rank(a), a) < std::make_pair(rank(b), b);
  });
  if (!rest.empty()) h += "<p><small>More figures of this run:</small></p>\n";
  for (const auto& name : rest) {
    const size_t r = rank(name);
    h += html_figure(out, sub + "/" + name, r < more.size() ? more[r].caption : name, "thumb");
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
  return html_table({"option", "value"}, rows);
}

std::string diverged_note(const nlohmann::json& m) {
  if (!m.value("diverged", false)) return "";
  return "<p class=\"note\">Training diverged at iteration " +
         std::to_string(m.value("diverged_at", 0)) +
         "; the figures show the last finite state.</p>\n";
}

// The sparsity of a stage's W_in, or NaNs when it has none.
analysis::WeightSparsity sparsity(const TutorialStage& s) {
  return s.w_in.value_or(analysis::WeightSparsity{});
}

std::string summary_section(const TutorialPage& p) {
  const nlohmann::json& m1 = p.stages[0].metrics;
  const nlohmann::json& m2 = p.stages[1].metrics;
  const nlohmann::json& m3 = p.stages[2].metrics;
  const nlohmann::json& m4 = p.stages[3].metrics;
  std::string b;
  b += "<p>The Neuromatch Academy tutorial's sections 1 to 3: decoders of grating orientation from "
       "the "
       "population's responses, what they learn, how they err and how a loss suited to angles and "
       "penalties improve them; then a convolutional encoding model of every neuron.</p>\n";
  b += html_table(
      {"section", "result", "training (s)", "stage (s)"},
      {{"1: regression decoder", "test MSE " + metric(m1, "test_mse", "%.1f") + " deg²",
        metric(m1, "seconds", "%.2f"), format_number("%.1f", p.stages[0].seconds)},
       {"2.2: classifier", "fraction correct " + metric(m2, "fraction_correct", "%.3f"),
        metric(m2, "seconds", "%.2f"), format_number("%.1f", p.stages[1].seconds)},
       {"2.3: regularised classifier", "fraction correct " + metric(m3, "fraction_correct", "%.3f"),
        metric(m3, "seconds", "%.2f"), format_number("%.1f", p.stages[2].seconds)},
       {"3: encoder", "median test correlation " + metric(m4, "median_test_corr", "%.3f"),
        metric(m4, "seconds", "%.2f"), format_number("%.1f", p.stages[3].seconds)}});
  return b;
}

std::string section1(const TutorialPage& p) {
  const nlohmann::json& m1 = p.stages[0].metrics;
  std::string b;
  const std::string s1 = p.stages[0].key;
  b += "<h2>Section 1: Decoding &ndash; investigating the model and evaluating performance</h2>\n";
  b += "<p>" + std::to_string(m1.value("n_neurons", 0)) + " neurons in response to " +
       std::to_string(m1.value("n_stimuli", 0)) + " stimuli; " +
       std::to_string(m1.value("n_train", 0)) + " for training, " +
       std::to_string(m1.value("n_test", 0)) + " for testing. A network with one hidden layer of " +
       opt_text(m1, "hidden") + " ReLU units regresses the angle (mean squared error, " +
       opt_text(m1, "iters") + " iterations of gradient descent, learning rate " +
       opt_text(m1, "lr") + ").</p>\n";
  b += diverged_note(m1);
  b += figures(
      p.out, s1,
      {{"data_matrix.png",
        "Responses of every neuron to the first 100 stimuli (colour limits at the 1st and "
        "99th percentiles) and the tuning curves of three random neurons."},
       {"training_loss.png",
        "Training (and test) mean squared error over iterations of gradient descent."},
       {"weights.png", "W_in and W_out with the neurons in recording order: no visible structure."},
       {"weights_sorted.png",
        "W_in with the neurons sorted by preferred orientation (the argmax of each "
        "tuning curve smoothed by a Gaussian of 5 stimuli)."},
       {"hidden_units.png",
        "Sorted W_in, the hidden units' activity h for every stimulus, and their "
        "tuning curves: each unit pools neurons of two preferred orientations."},
       {"decoded_vs_true.png",
        "Decoded against true orientation on the test set; the grey line is y = x."},
       {"decoding_error.png",
        "Decoding error (decoded minus true) against true orientation: the squared "
        "error ignores that 0 and 360 degrees are the same angle."}});
  b += html_table({"test MSE (deg²)", "median circular error (deg)", "mean circular error (deg)",
                   "median absolute error (deg)", "training (s)"},
                  {{metric(m1, "test_mse", "%.2f"), metric(m1, "median_circular_error_deg", "%.2f"),
                    metric(m1, "mean_circular_error_deg", "%.2f"),
                    metric(m1, "median_abs_error_deg", "%.2f"), metric(m1, "seconds", "%.3f")}});
  return b;
}

std::string section2(const TutorialPage& p) {
  const nlohmann::json& m2 = p.stages[1].metrics;
  const nlohmann::json& m3 = p.stages[2].metrics;
  std::string b;
  b += "<h2>Section 2: Decoding &ndash; evaluating and improving models</h2>\n";
  b += "<h3>2.2 A loss for angles: classification into 20 orientation bins</h3>\n";
  b += "<p>" + opt_text(m2, "hidden") + " hidden units, " + opt_text(m2, "classes") +
       " classes (orientation bins), negative log likelihood, " + opt_text(m2, "iters") +
       " iterations, learning rate " + opt_text(m2, "lr") + ".</p>\n";
  b += diverged_note(m2);
  const analysis::WeightSparsity sp2 = sparsity(p.stages[1]), sp3 = sparsity(p.stages[2]);
  const std::vector<FigureSpec> cls_figs = {
      {"decoded_classes.png",
       "Training and test loss; decoded bin against true orientation, with the bin edges."},
      {"weights_sorted.png", "W_in (neurons sorted by preferred orientation) and W_out."},
      {"confusion.png",
       "Confusion matrix on the test set (rows: true class, columns: predicted class)."},
      {"decoding_error.png", "Decoding error (centre of the decoded bin minus true orientation)."}};
  const std::vector<FigureSpec> cls_more = {
      {"weights.png", "W_in and W_out, neurons in recording order."},
      {"hidden_units.png", "Sorted W_in, hidden activity h and its tuning curves."},
      {"decoded_vs_true.png", "Decoded (bin centre) against true orientation."},
      {"data_matrix.png", "The data, as in section 1."}};
  b += figures(p.out, p.stages[1].key, cls_figs, cls_more);
  b += "<h3>2.3 Regularisation: L2 1e-2 and L1 5e-4 on W_in</h3>\n";
  b += diverged_note(m3);
  b += figures(p.out, p.stages[2].key, cls_figs, cls_more);
  b += "<p>Sparser weights: the L1 penalty drives most of W_in towards zero.</p>\n";
  b += html_table(
      {"model", "fraction correct", "test MSE (deg²)", "median circular error (deg)",
       "mean circular error (deg)", "median |W_in|",
       "share of |W_in| < " + format_number("%.1e", sp2.threshold), "training (s)"},
      {{"classifier", metric(m2, "fraction_correct", "%.3f"), metric(m2, "test_mse", "%.1f"),
        metric(m2, "median_circular_error_deg", "%.2f"),
        metric(m2, "mean_circular_error_deg", "%.2f"), format_number("%.2e", sp2.median_abs),
        format_number("%.3f", sp2.fraction_small), metric(m2, "seconds", "%.2f")},
       {"regularised classifier", metric(m3, "fraction_correct", "%.3f"),
        metric(m3, "test_mse", "%.1f"), metric(m3, "median_circular_error_deg", "%.2f"),
        metric(m3, "mean_circular_error_deg", "%.2f"), format_number("%.2e", sp3.median_abs),
        format_number("%.3f", sp3.fraction_small), metric(m3, "seconds", "%.2f")}});
  return b;
}

std::string section3(const TutorialPage& p) {
  const nlohmann::json& m4 = p.stages[3].metrics;
  std::string b;
  const std::string s4 = p.stages[3].key;
  b += "<h2>Section 3: Encoding &ndash; convolutional networks for encoding</h2>\n";
  b += "<p>Gratings of 12 x 16 pixels at each of the " + std::to_string(m4.value("n_stimuli", 0)) +
       " orientations; " + opt_text(m4, "channels") + " convolutional channels (" +
       opt_text(m4, "kernel") + " x " + opt_text(m4, "kernel") +
       ", initialised with centre-surround and Gabor filters) and a fully connected layer "
       "to all " +
       std::to_string(m4.value("n_neurons", 0)) + " neurons; mean squared error with L2 " +
       opt_text(m4, "l2") + " and L1 " + opt_text(m4, "l1") +
       " on the output weights, SGD with momentum " + opt_text(m4, "momentum") +
       ", learning rate " + opt_text(m4, "lr") + ", " + opt_text(m4, "iters") +
       " iterations.</p>\n";
  b += diverged_note(m4);
  b += figures(p.out, s4,
               {{"encoder_tuning.png",
                 "Tuning curves of random neurons from the two halves of the trials: train "
                 "(yellow) and test (magenta)."},
                {"encoder_training.png",
                 "Training loss over iterations; test loss at the progress iterations."},
                {"encoder_predictions.png",
                 "Predicted responses (green) against the train (yellow) and test "
                 "(magenta) responses of random neurons."},
                {"conv_filters.png",
                 "The convolutional channels after training (top) and as initialised (bottom)."},
                {"encoder_fit.png",
                 "Per neuron: correlation of the prediction with the test responses against the "
                 "noise ceiling (the square root of the split-half correlation), and the "
                 "distribution of their ratio."}});
  b += html_table(
      {"median test correlation", "median noise ceiling", "median normalised correlation",
       "neurons excluded", "final train loss", "final test loss", "training (s)"},
      {{metric(m4, "median_test_corr", "%.3f"), metric(m4, "median_noise_ceiling", "%.3f"),
        metric(m4, "median_normalized_corr", "%.3f"),
        std::to_string(m4.value("n_excluded", 0)) + " of " +
            std::to_string(m4.value("n_neurons", 0)),
        m4.contains("train_loss") && !m4["train_loss"].empty()
            ? format_number("%.4f", m4["train_loss"].back().get<double>())
            : "n/a",
        m4.contains("test_loss") && !m4["test_loss"].empty()
            ? format_number("%.4f", m4["test_loss"].back().get<double>())
            : "n/a",
        metric(m4, "seconds", "%.2f")}});
  b += "<p>Neurons whose noise ceiling is below 0.1 (or whose responses do not vary) are excluded "
       "from the "
       "medians.</p>\n";
  return b;
}

// Beyond the tutorial: the paper's own number, the linear discrimination threshold, from the
// simulated single trials (only present when the run had them: the built-in data).
std::string discrimination_section(const TutorialPage& p) {
  if (p.stages.size() < 5) return "";
  const nlohmann::json& m = p.stages[4].metrics;
  std::string b;
  b += "<h2>Beyond the tutorial: the discrimination threshold (Stringer et al. 2021)</h2>\n";
  b += "<p>The paper behind the tutorial's data reports an orientation discrimination threshold of "
       "0.35&deg; "
       "from about 50,000 V1 neurons, with linear decoders: <code>neurocodec discriminate</code> "
       "computes it "
       "from the " +
       std::to_string(m.value("n_trials", 0)) + " simulated single trials of " +
       std::to_string(m.value("n_neurons", 0)) +
       " neurons (z-scored neurons; every 4th trial held out; one ridge fit onto 32 reference "
       "angles; the "
       "fraction of &quot;greater than the reference&quot; choices against the offset, symmetrised "
       "and fitted "
       "with a logistic; threshold = &beta; ln 3, the 75%-correct point).</p>\n";
  b += figures(p.out, p.stages[4].key,
               {{"psychometric.png",
                 "Fraction of positive choices against stimulus minus reference, before and "
                 "after symmetrising, with the fitted logistic and the threshold."}});
  b += html_table(
      {"threshold (deg)", "beta (deg)", "train trials", "test trials", "fit (s)"},
      {{metric(m, "threshold_deg", "%.2f"), metric(m, "beta", "%.2f"), metric(m, "n_train", "%.0f"),
        metric(m, "n_test", "%.0f"), metric(m, "seconds", "%.2f")}});
  b += "<p>The simulation's shared jitter of the seen angle (information-limiting noise) bounds "
       "this threshold "
       "whatever the number of neurons; <code>neurocodec discriminate --neurons-curve</code> shows "
       "it "
       "flattening.</p>\n";
  return b;
}

std::string timings_section(const TutorialPage& p) {
  std::string b;
  b += "<h2>Timings</h2>\n";
  std::vector<std::vector<std::string>> trows;
  for (const TutorialStage& s : p.stages)
    trows.push_back({s.title, metric(s.metrics, "seconds", "%.2f"),
                     format_number("%.2f", s.seconds),
                     format_number("%.0f", s.metrics.value("peak_rss_bytes", 0.0) / 1048576.0)});
  trows.push_back({"whole tutorial (data, training, analysis, figures, this page)", "",
                   format_number("%.2f", p.seconds), ""});
  b += html_table({"stage", "training (s)", "stage, wall (s)", "peak memory (MiB)"}, trows);
  return b;
}

std::string options_section(const TutorialPage& p) {
  std::string b;
  b += "<h2>Options</h2>\n";
  for (const TutorialStage& s : p.stages) {
    b += "<h3>" + html_escape(s.title) + " (<code>" + html_escape(s.key) + "/</code>)</h3>\n";
    b += options_table(s.metrics);
  }
  b += "<p>Each folder also holds the run's <code>metrics.json</code> and model "
       "(<code>model.npz</code>, PyTorch "
       "state_dict names).</p>\n";
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  b += "<p><small>neurocodec 0.1.0, <code>neurocodec tutorial</code>, seed " +
       std::to_string(p.seed) + ", " + date + ".</small></p>\n";
  return b;
}

}  // namespace

std::string tutorial_page_html(const TutorialPage& p) {
  std::string b;
  b += "<h1>Diving deeper into decoding &amp; encoding, computed by neurocodec</h1>\n";
  b += p.data_html;
  b += summary_section(p);
  b += section1(p);
  b += section2(p);
  b += section3(p);
  b += discrimination_section(p);
  b += timings_section(p);
  b += options_section(p);
  return html_page("neurocodec: decoding & encoding tutorial", b);
}

}  // namespace nc::report
