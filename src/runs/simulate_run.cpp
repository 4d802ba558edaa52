#include "runs/simulate_run.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>

#include "core/error.hpp"
#include "io/npz.hpp"

namespace nc::runs {
namespace {
io::NpyArray mat(CMatMap m) {
  return io::NpyArray::from_float({m.data(), static_cast<size_t>(m.size())}, {m.rows(), m.cols()});
}

// Neurons per block of a folder's resp.npy: 4096 x 4,000 trials of float is 64 MB.
constexpr int64_t kWriteBlockNeurons = 4096;

// resp.npy and stimuli.npy into the folder opt.out, resp a block of neurons at a time.
std::string write_folder_in_blocks(const SimulateOptions& opt) {
  std::optional<double> bin;
  if (!opt.single_trials) bin = opt.bin_width.value_or(1.0);
  std::unique_ptr<io::NpyColumnWriter> resp;
  std::vector<float> stimuli;
  sim::simulate_in_blocks(
      opt.population, bin, kWriteBlockNeurons,
      [&](const std::vector<float>& s) {
        stimuli = s;
        resp = std::make_unique<io::NpyColumnWriter>(
            opt.out + "/resp.npy", static_cast<int64_t>(s.size()), opt.population.neurons);
      },
      [&](int64_t j0, const RowMat& x) { resp->write_block(j0, x.data(), x.cols()); });
  resp->commit();
  const auto n = static_cast<int64_t>(stimuli.size());
  io::write_npy(opt.out + "/stimuli.npy", io::NpyArray::from_float(stimuli, {n}));
  return std::to_string(opt.population.neurons) + " neurons x " + std::to_string(n) +
         (opt.single_trials ? " single trials" : " stimulus bins");
}

// The split format as a folder: resp_train.npy, resp_test.npy, stimuli.npy.
std::string write_split_folder(const SimulateOptions& opt) {
  const auto d = sim::simulate_population_split(opt.population, opt.bin_width.value_or(6.0));
  io::write_npy(opt.out + "/resp_train.npy", mat(cmap(d.resp_train)));
  io::write_npy(opt.out + "/resp_test.npy", mat(cmap(d.resp_test)));
  io::write_npy(opt.out + "/stimuli.npy", io::NpyArray::from_float(d.stimuli, {d.n_stimuli()}));
  return std::to_string(d.n_neurons()) + " neurons x " + std::to_string(d.n_stimuli()) +
         " stimulus bins (split halves)";
}

}  // namespace

std::string write_simulated(const SimulateOptions& opt) {
  if (opt.out.empty()) throw InputError("--out: expected an output .npz path");
  io::NpzContents npz;
  std::string what;
  if (opt.split && opt.single_trials)
    throw InputError("--split and --single-trials: give one or the other, not both");
  if (opt.single_trials && opt.bin_width)
    throw InputError("--single-trials: trials are not binned; drop --bin-width");
  if (opt.format == "npy") {
    if (opt.compress) throw InputError("--compress: applies to --format npz only");
    std::error_code ec;
    std::filesystem::create_directories(opt.out, ec);
    if (ec || !std::filesystem::is_directory(opt.out))
      throw IoError(opt.out + ": cannot create the output folder (" + ec.message() + ")");
    return opt.split ? write_split_folder(opt) : write_folder_in_blocks(opt);
  }
  if (opt.single_trials) {
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
