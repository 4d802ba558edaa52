#pragma once
// Checkpoints of a decode or encode run: --resume checks that the options match and loads the
// state; --checkpoint-every N and SIGINT/SIGTERM write <out>/checkpoint.npz (train/checkpoint.hpp).
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "nn/parameters.hpp"
#include "nn/sgd.hpp"
#include "train/decoder_trainer.hpp"
#include "train/history.hpp"

namespace nc::runs {

// The state a checkpoint holds, by reference to the run's own objects.
struct TrainingStateRefs {
  ParameterSet& params;
  SgdState& sgd;
  train::History& history;
  int64_t& iteration;
  train::DecoderDualState* dual = nullptr;  // decoders only
};

class RunCheckpointer {
 public:
  RunCheckpointer(const std::string& command, nlohmann::json options, const std::string& out_dir,
                  int64_t every, int64_t n_iter, TrainingStateRefs state);

  // --resume DIR: loads DIR/checkpoint.npz after checking it was made with the same options.
  void resume(const std::string& dir, std::ostream& log, bool quiet);
  // The trainer's after_step: a checkpoint every N iterations; true (stop) on SIGINT/SIGTERM.
  train::AfterStepFn after_step();
  // After the trainer stopped on a signal: writes the checkpoint, says how to continue, and
  // returns the signal.
  int finish_interrupted(std::ostream& log);

 private:
  void save(int64_t iteration) const;

  nlohmann::json run_info_;
  std::string path_, out_dir_;
  int64_t every_, n_iter_;
  TrainingStateRefs state_;
  int stopped_by_ = 0;
};

}  // namespace nc::runs
