#include "runs/simulate_run.hpp"

#include <ostream>

#include "core/error.hpp"
#include "io/npz.hpp"

namespace nc::runs {
namespace {
io::NpyArray mat(CMatMap m) {
  return io::NpyArray::from_float({m.data(), static_cast<size_t>(m.size())}, {m.rows(), m.cols()});
}
}  // namespace

std::string write_simulated(const SimulateOptions& opt) {
  if (opt.out.empty()) throw InputError("--out: expected an output .npz path");
  io::NpzContents npz;
  std::string what;
  if (opt.split && opt.single_trials)
    throw InputError("--split and --single-trials: give one or the other, not both");
  if (opt.single_trials) {
    if (opt.bin_width) throw InputError("--single-trials: trials are not binned; drop --bin-width");
    const auto d = sim::simulate_single_trials(opt.population);
    npz["resp"] = mat(cmap(d.resp));
    npz["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
    what = std::to_string(d.n_neurons()) + " neurons x " + std::to_string(d.n_stimuli()) +
           " single trials";
  } else if (opt.split) {
    const auto d = sim::simulate_population_split(opt.population, opt.bin_width.value_or(6.0));
    npz["resp_train"] = mat(cmap(d.resp_train));
    npz["resp_test"] = mat(cmap(d.resp_test));
    npz["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
    what = std::to_string(d.n_neurons()) + " neurons x " + std::to_string(d.n_stimuli()) +
           " stimulus bins (split halves)";
  } else {
    const auto d = sim::simulate_population(opt.population, opt.bin_width.value_or(1.0));
    npz["resp"] = mat(cmap(d.resp));
    npz["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
    what = std::to_string(d.n_neurons()) + " neurons x " + std::to_string(d.n_stimuli()) +
           " stimulus bins";
  }
  io::write_npz(opt.out, npz, opt.compress);
  return what;
}

void run_simulate(const SimulateOptions& opt, std::ostream& log) {
  const std::string what = write_simulated(opt);
  log << "simulated " << what << " -> " << opt.out << "\n";
}

}  // namespace nc::runs
