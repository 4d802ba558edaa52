#include "runs/tutorial_run.hpp"

#include <chrono>
#include <filesystem>
#include <ostream>

#include "analysis/sparsity.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/format.hpp"
#include "report/html.hpp"
#include "report/tutorial_page.hpp"
#include "runs/decode_run.hpp"
#include "runs/discriminate_run.hpp"
#include "runs/encode_run.hpp"
#include "runs/output_dir.hpp"
#include "runs/simulate_run.hpp"

namespace nc::runs {
namespace {

using Clock = std::chrono::steady_clock;
using report::html_escape;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Where the four runs read their data, and the page's paragraph about it.
struct TutorialData {
  std::string decode_file, encode_file;  // empty: the built-in simulated population
  std::string trials_file;               // single trials (--quick); empty: the built-in ones
  std::string html;
};

// --quick: a small simulated population written to files, so the runs read real .npz input.
void write_quick_data(const std::string& dir, TutorialData& d) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  SimulateOptions sim;
  sim.out = dir + "/quick_resp.npz";
  sim.population.neurons = 300;
  sim.population.trials = 1440;
  write_simulated(sim);
  d.decode_file = sim.out;
  sim.out = dir + "/quick_split.npz";
  sim.split = true;
  write_simulated(sim);
  d.encode_file = sim.out;
  sim.out = dir + "/quick_trials.npz";
  sim.split = false;
  sim.single_trials = true;
  write_simulated(sim);
  d.trials_file = sim.out;
}

TutorialData tutorial_data(const TutorialOptions& opt, std::ostream& log) {
  TutorialData d;
  if (!opt.data_dir.empty()) {
    d.decode_file = opt.data_dir + "/" + kTutorialDecodeFile;
    d.encode_file = opt.data_dir + "/" + kTutorialEncodeFile;
    for (const std::string& f : {d.decode_file, d.encode_file})
      if (!std::filesystem::is_regular_file(f))
        throw InputError(
            "--data-dir " + opt.data_dir + ": missing " + f.substr(opt.data_dir.size() + 1) +
            " (download both files with: neurocodec fetch-data --dir " + opt.data_dir + ")");
    prepare_output_dir(opt.out);  // after the checks: a failed run leaves no folder behind
    d.html = "<p>Data: the tutorial's recordings (Stringer et al.), <code>" +
             html_escape(d.decode_file) + "</code> (sections 1&ndash;2) and <code>" +
             html_escape(d.encode_file) + "</code> (section 3).</p>\n";
    log << "data: " << d.decode_file << " and " << d.encode_file << "\n";
    return d;
  }
  std::string what = "the built-in simulated V1 population (23,589 neurons, as the recording)";
  prepare_output_dir(opt.out);
  if (opt.quick) {
    write_quick_data(opt.out + "/quick_data", d);
    what = "a small simulated population (300 neurons, --quick: few iterations)";
  }
  d.html =
      "<p class=\"note\"><strong>Simulated data.</strong> No <code>--data-dir</code> was given, so "
      "this "
      "report uses " +
      html_escape(what) +
      ", not the tutorial's recording: its numbers and figures differ from the tutorial's. To use "
      "the "
      "real data: <code>neurocodec fetch-data --dir data</code>, then <code>neurocodec tutorial "
      "--data-dir data --out DIR</code>.</p>\n";
  log << "data: " << what << " (no --data-dir given)\n";
  return d;
}

// One stage: a line before and after, the run into out/<key>, and its summary for the page.
// n 1..4: the tutorial's sections ("[n/4]"); 0: a stage beyond the tutorial ("[+]").
template <class Run>
report::TutorialStage run_stage(int n, const std::string& key, const std::string& title,
                                std::ostream& log, Run&& run) {
  const std::string tag = n > 0 ? format_number("[%.0f/4]", n) : std::string("[+]");
  log << tag << " " << title << "\n";
  log.flush();
  const auto ts = Clock::now();
  report::TutorialStage stage;
  stage.key = key;
  stage.title = title;
  run(stage);
  stage.seconds = since(ts);
  log << tag << " done in " << format_number("%.1f", stage.seconds) << " s\n";
  return stage;
}

}  // namespace

TutorialResult run_tutorial(const TutorialOptions& opt, std::ostream& log) {
  const auto t0 = Clock::now();
  TutorialResult res;
  const TutorialData data = tutorial_data(opt, log);
  log.flush();
  report::TutorialPage page;
  page.out = opt.out;
  page.data_html = data.html;
  page.seed = opt.seed;
  const auto decode_stage = [&](int n, const std::string& key, const std::string& title,
                                DecodeOptions d) {
    page.stages.push_back(run_stage(n, key, title, log, [&](report::TutorialStage& s) {
      d.data = data.decode_file;
      d.seed = opt.seed;
      d.out = opt.out + "/" + key;
      const DecodeResult r = run_decode(d, log);
      res.diverged = res.diverged || r.fit.outcome.diverged;
      s.metrics = r.metrics;
      s.w_in = analysis::weight_sparsity(models::decoder_values(r.fit.net).in_w);
    }));
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
  decode_stage(3, "section2_regularized", "Section 2.3: regularised classifier (L2 1e-2, L1 5e-4)",
               regcls);
  page.stages.push_back(run_stage(4, "section3_encoder", "Section 3: convolutional encoder", log,
                                  [&](report::TutorialStage& s) {
                                    EncodeOptions e;
                                    e.data = data.encode_file;
                                    e.seed = opt.seed;
                                    e.out = opt.out + "/section3_encoder";
                                    if (opt.quick) e.iters = 20;
                                    const EncodeResult r = run_encode(e, log);
                                    res.diverged = res.diverged || r.fit.outcome.diverged;
                                    s.metrics = r.metrics;
                                  }));

  if (opt.data_dir.empty()) {  // single trials exist for the simulated population only
    page.stages.push_back(run_stage(0, "section4_discrimination",
                                    "Beyond the tutorial: discrimination threshold", log,
                                    [&](report::TutorialStage& s) {
                                      DiscriminateOptions d;
                                      d.data = data.trials_file;
                                      d.out = opt.out + "/section4_discrimination";
                                      s.metrics = run_discriminate(d, log).metrics;
                                    }));
  }
  res.seconds = page.seconds = since(t0);
  res.index_path = opt.out + "/index.html";
  write_file_atomic(res.index_path, report::tutorial_page_html(page));
  log << "wrote " << res.index_path << " (" << format_number("%.1f", res.seconds) << " s in all)\n";
  return res;
}

}  // namespace nc::runs
