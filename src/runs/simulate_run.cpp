#include "runs/simulate_run.hpp"

#include <ostream>

#include "core/error.hpp"
#include "io/npz.hpp"

namespace nc::runs {
namespace {
io::NpyArray mat(const RowMat& m) {
  return io::NpyArray::from_float({m.data(), static_cast<size_t>(m.size())}, {m.rows(), m.cols()});
}
}  // namespace

void run_simulate(const SimulateOptions& opt, std::ostream& log) {
  if (opt.out.empty()) throw InputError("--out: expected an output .npz path");
  io::NpzContents npz;
  if (opt.split) {
    const auto d = sim::simulate_population_split(opt.population, opt.bin_width.value_or(6.0));
    npz["resp_train"] = mat(d.resp_train);
    npz["resp_test"] = mat(d.resp_test);
    npz["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
    log << "simulated " << d.n_neurons() << " neurons x " << d.n_stimuli()
        << " stimulus bins (split halves) -> " << opt.out << "\n";
  } else {
    const auto d = sim::simulate_population(opt.population, opt.bin_width.value_or(1.0));
    npz["resp"] = mat(d.resp);
    npz["stimuli"] = io::NpyArray::from_float(d.stimuli, {d.n_stimuli()});
    log << "simulated " << d.n_neurons() << " neurons x " << d.n_stimuli() << " stimulus bins -> "
        << opt.out << "\n";
  }
  io::write_npz(opt.out, npz, opt.compress);
}

}  // namespace nc::runs
