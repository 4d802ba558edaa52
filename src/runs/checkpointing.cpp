#include "runs/checkpointing.hpp"

#include <csignal>
#include <cstdlib>
#include <ostream>

#include "core/error.hpp"
#include "core/format.hpp"
#include "core/interrupt.hpp"
#include "models/state_dict.hpp"
#include "train/checkpoint.hpp"

namespace nc::runs {

RunCheckpointer::RunCheckpointer(const std::string& command, nlohmann::json options,
                                 const std::string& out_dir, int64_t every, int64_t n_iter,
                                 std::string resume_dir)
    : run_info_({{"command", command}, {"options", std::move(options)}}),
      path_(out_dir + "/checkpoint.npz"),
      out_dir_(out_dir),
      resume_dir_(std::move(resume_dir)),
      every_(every),
      n_iter_(n_iter) {
  if (const char* at = std::getenv("NEUROCODEC_TEST_INTERRUPT_AT")) interrupt_at_ = std::atoll(at);
}

void RunCheckpointer::resume(std::ostream& log, bool quiet) {
  const std::string from = resume_dir_ + "/checkpoint.npz";
  const nlohmann::json info = train::read_checkpoint_info(from);
  if (info.value("command", "") != run_info_["command"] ||
      info.value("options", nlohmann::json()) != run_info_["options"])
    throw InputError("--resume " + resume_dir_ +
                     ": the checkpoint was made by a run with other options (" +
                     info.value("options", nlohmann::json::object()).dump() +
                     "); give the same options to resume it");
  train::load_checkpoint(from, state_->params, state_->state, state_->dual);
  if (!quiet)
    log << "resuming from " << from << " at iteration " << state_->state.iteration << "\n";
}

void RunCheckpointer::save() const {
  train::save_checkpoint(path_, state_->params, state_->state, state_->dual, run_info_);
}

void RunCheckpointer::add_to(FitHooks& hooks, std::ostream& log, bool quiet) {
  hooks.before_training = [this, &log, quiet](const train::TrainingStateRefs& refs) {
    state_.emplace(refs);
    if (!resume_dir_.empty()) resume(log, quiet);
  };
  hooks.after_step = [this](int64_t it) {
    if (interrupt_at_ > 0 && it == interrupt_at_) raise_interrupt_for_test(SIGINT);
    stopped_by_ = interrupt_signal();
    if (stopped_by_ != 0) return true;  // written by on_interrupted once the trainer stopped
    if (every_ > 0 && it % every_ == 0 && it < n_iter_) save();  // state_->state.iteration == it
    return false;
  };
  hooks.on_interrupted = [this, &log](const train::TrainingStateRefs&) {
    save();
    log << "interrupted at iteration " << state_->state.iteration << ": wrote " << path_
        << "; continue with --resume " << out_dir_ << "\n";
  };
}

FitHooks command_hooks(const std::string& init, bool quiet, const ProgressStyle& style,
                       RunCheckpointer& checkpoints, std::ostream& log) {
  FitHooks hooks;
  if (!init.empty()) hooks.init = [init](ParameterSet& p) { models::load_state_dict(init, p); };
  checkpoints.add_to(hooks, log, quiet);
  if (!quiet)
    hooks.progress = [&log, style](int64_t it, int64_t n, double tr, double te) {
      log << "iteration " << it << "/" << n << " | " << style.train_label << " "
          << format_number(style.format, tr) << " | " << style.test_label << " "
          << format_number(style.format, te) << "\n";
      log.flush();
    };
  return hooks;
}

}  // namespace nc::runs
