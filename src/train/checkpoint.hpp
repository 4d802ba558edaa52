#pragma once
// Checkpoints: the whole training state in one .npz file, written atomically (temporary name,
// then rename), so a checkpoint on disk is always complete:
//   every parameter under its state_dict name;
//   "optim.velocity" (momentum buffers, when used);
//   "dual.w0", "dual.b" (the decoder's dual form, when used; float32 / float64);
//   "meta.json": the JSON text as an int32 array of its byte values (numpy reads it with
//   bytes(a.astype('u1')).decode()): iteration, optimizer steps, the dual form's scalar, the
//   loss history and the run's command and options. No random generator state is stored:
//   training draws no random numbers once the weights are initialised.
// A run resumed from it continues the same arithmetic and ends bit-identical to an
// uninterrupted run on the same build and thread count.
#include <nlohmann/json.hpp>
#include <string>

#include "nn/parameters.hpp"
#include "train/train_state.hpp"

namespace nc::train {

void save_checkpoint(const std::string& path, const ParameterSet& params, const TrainState& state,
                     const DecoderDualState* dual, const nlohmann::json& run_info);

struct LoadedCheckpoint {
  int64_t iteration = 0;
  nlohmann::json run_info;  // what the run stored: command and options
};

// Restores parameters, optimizer state, history, iteration and dual state; throws InputError
// naming the file when it is missing, malformed, or does not fit `params`.
LoadedCheckpoint load_checkpoint(const std::string& path, ParameterSet& params, TrainState& state,
                                 DecoderDualState* dual);

// Reads only meta.json (to learn the command and options before building the model).
nlohmann::json read_checkpoint_info(const std::string& path);

}  // namespace nc::train
