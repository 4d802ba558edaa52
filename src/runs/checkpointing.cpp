#include "runs/checkpointing.hpp"

#include <ostream>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "train/checkpoint.hpp"

namespace nc::runs {

RunCheckpointer::RunCheckpointer(const std::string& command, nlohmann::json options,
                                 const std::string& out_dir, int64_t every, int64_t n_iter,
                                 TrainingStateRefs state)
    : run_info_({{"command", command}, {"options", std::move(options)}}),
      path_(out_dir + "/checkpoint.npz"),
      out_dir_(out_dir),
      every_(every),
      n_iter_(n_iter),
      state_(state) {}

void RunCheckpointer::resume(const std::string& dir, std::ostream& log, bool quiet) {
  const std::string from = dir + "/checkpoint.npz";
  const nlohmann::json info = train::read_checkpoint_info(from);
  if (info.value("command", "") != run_info_["command"] || info.value("options", nlohmann::json()) != run_info_["options"])
    throw InputError("--resume " + dir + ": the checkpoint was made by a run with other options (" +
                     info.value("options", nlohmann::json::object()).dump() + "); give the same options to resume it");
  state_.iteration =
      train::load_checkpoint(from, state_.params, state_.sgd, state_.history, state_.dual).iteration;
  if (!quiet) log << "resuming from " << from << " at iteration " << state_.iteration << "\n";
}

void RunCheckpointer::save(int64_t iteration) const {
  train::save_checkpoint(path_, state_.params, state_.sgd, state_.history, iteration, state_.dual, run_info_);
}

train::AfterStepFn RunCheckpointer::after_step() {
  return [this](int64_t it) {
    stopped_by_ = interrupt_signal();
    if (stopped_by_ != 0) return true;  // written by finish_interrupted once the trainer stopped
    if (every_ > 0 && it % every_ == 0 && it < n_iter_) save(it);
    return false;
  };
}

int RunCheckpointer::finish_interrupted(std::ostream& log) {
  save(state_.iteration);
  log << "interrupted at iteration " << state_.iteration << ": wrote " << path_ << "; continue with --resume "
      << out_dir_ << "\n";
  return stopped_by_;
}

}  // namespace nc::runs
