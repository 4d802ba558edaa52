#include "runs/discriminate_run.hpp"

#include <cmath>
#include <ostream>

#include "core/error.hpp"
#include "core/format.hpp"
#include "core/resources.hpp"
#include "io/json.hpp"
#include "io/npz.hpp"
#include "report/discrimination_figures.hpp"
#include "runs/output_dir.hpp"
#include "sim/population.hpp"

namespace nc::runs {
namespace {

io::NpyArray ints(const std::vector<int64_t>& v) {
  return io::NpyArray::from_int64(v, {static_cast<int64_t>(v.size())});
}
io::NpyArray doubles(const std::vector<double>& v) {
  return io::NpyArray::from_double(v, {static_cast<int64_t>(v.size())});
}

io::NpzContents discrimination_arrays(const DiscriminateResult& r) {
  const analysis::Psychometric& p = r.psy;
  io::NpzContents a;
  a["d"] = ints(p.d_grid);
  a["counts"] = ints(p.counts);
  a["positives"] = ints(p.positives);
  a["p"] = doubles(p.p_full);  // before symmetrising, NaN where a bin is empty
  a["d_used"] = ints(p.d_used);
  a["p_raw"] = doubles(p.p_raw);
  a["p_sym"] = doubles(p.p_sym);
  a["fitted"] = doubles(p.fitted);
  a["outputs"] =
      io::NpyArray::from_double({r.outputs.data(), static_cast<size_t>(r.outputs.size())},
                                {r.outputs.rows(), r.outputs.cols()});
  std::vector<int64_t> neurons;
  std::vector<double> thresholds, betas;
  for (const CurvePoint& c : r.curve) {
    neurons.push_back(c.n_neurons);
    thresholds.push_back(c.threshold);
    betas.push_back(c.beta);
  }
  a["curve_neurons"] = ints(neurons);
  a["curve_thresholds"] = doubles(thresholds);
  a["curve_beta"] = doubles(betas);
  return a;
}

nlohmann::json metrics_record(const DiscriminateOptions& opt, int64_t n_trials, int64_t n_neurons,
                              const DiscriminateResult& r) {
  nlohmann::json m;
  m["command"] = "discriminate";
  m["data"] = opt.data.empty() ? "simulated" : opt.data;
  m["threshold_deg"] = r.psy.threshold;
  m["beta"] = r.psy.beta;
  m["n_train"] = r.train_idx.size();
  m["n_test"] = r.test_idx.size();
  m["n_trials"] = n_trials;
  m["n_neurons"] = n_neurons;
  m["n_edge_pairs"] = r.psy.n_edge;  // (trial, reference) pairs exactly on a bin edge: in no bin
  m["seconds"] = r.seconds;
  m["peak_rss_bytes"] = peak_rss_bytes();
  nlohmann::json curve = nlohmann::json::object();
  curve["n_neurons"] = nlohmann::json::array();
  curve["threshold_deg"] = nlohmann::json::array();
  curve["beta"] = nlohmann::json::array();
  for (const CurvePoint& c : r.curve) {
    curve["n_neurons"].push_back(c.n_neurons);
    curve["threshold_deg"].push_back(c.threshold);
    curve["beta"].push_back(c.beta);
  }
  m["curve"] = curve;
  m["options"] = {{"period", opt.config.period},
                  {"lambda", opt.config.lambda},
                  {"neurons_curve", opt.config.neurons_curve},
                  {"seed", opt.config.seed},
                  {"data", opt.data}};
  return m;
}

}  // namespace

void validate(const DiscriminateOptions& opt) {
  const DiscriminateConfig& c = opt.config;
  if (!(std::isfinite(c.period) && c.period > 0))
    throw InputError(
        "--period: discriminate needs a circular variable, a period > 0 degrees; got " +
        std::to_string(c.period));
  if (!(std::isfinite(c.lambda) && c.lambda > 0))
    throw InputError("--lambda: expected a finite penalty > 0, got " + std::to_string(c.lambda));
  if (opt.out.empty()) throw InputError("--out: expected an output folder");
}

DiscriminateRun run_discriminate(const DiscriminateOptions& opt, std::ostream& log) {
  validate(opt);
  data::Dataset ds;
  if (opt.data.empty()) {
    if (!opt.quiet) log << "no --data given: using the built-in simulated single trials (seed 1)\n";
    ds = sim::simulate_single_trials(sim::PopulationOptions{});
  } else {
    ds = data::load_dataset(opt.data);
  }
  const OutputDirGuard out_dir(opt.out);
  const int64_t n_trials = ds.n_stimuli(), n_neurons = ds.n_neurons();
  if (!opt.quiet) log << n_neurons << " neurons, " << n_trials << " trials\n";
  DiscriminateRun run;
  run.result = discriminate(std::move(ds), opt.config);
  const DiscriminateResult& r = run.result;
  run.metrics = metrics_record(opt, n_trials, n_neurons, r);
  nlohmann::json figures = nlohmann::json::array();
  if (opt.plots) {
    report::write_psychometric_figure(opt.out + "/psychometric.png", r.psy);
    figures.push_back("psychometric.png");
    if (!r.curve.empty()) {
      std::vector<int64_t> neurons;
      std::vector<double> thresholds;
      for (const CurvePoint& c : r.curve)
        neurons.push_back(c.n_neurons), thresholds.push_back(c.threshold);
      report::write_threshold_curve_figure(opt.out + "/threshold_vs_neurons.png", neurons,
                                           thresholds);
      figures.push_back("threshold_vs_neurons.png");
    }
  }
  run.metrics["figures"] = figures;
  io::write_npz(opt.out + "/discrimination.npz", discrimination_arrays(r));
  io::write_json(opt.out + "/metrics.json", run.metrics);  // last: the run is complete
  if (!opt.quiet) {
    log << ">>> discrimination threshold = " << format_number("%.3f", r.psy.threshold)
        << " deg (beta " << format_number("%.3f", r.psy.beta) << "), " << r.train_idx.size()
        << " train / " << r.test_idx.size() << " test trials, " << r.psy.n_edge
        << " pairs on bin edges, " << format_number("%.2f", r.seconds) << " s\n";
    for (const CurvePoint& c : r.curve)
      log << "    " << c.n_neurons << " neurons: " << format_number("%.3f", c.threshold)
          << " deg\n";
  }
  return run;
}

}  // namespace nc::runs
