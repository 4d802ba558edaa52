#pragma once
// Checkpoints: the whole training state in one .npz file, written atomically (temporary name,
// then rename), so a checkpoint on disk is always complete:
//   every parameter under its state_dict name;
//   "optim.velocity" (momentum buffers, when used);
//   "dual.w0", "dual.b" (the decoder's dual form, when used; float32 / float64);
//   "meta.json" (uint8 bytes): iteration, optimizer steps, dual scalar, loss history, the random
//   generator's state and the run's options, as JSON.
// A run resumed from it continues the same arithmetic and ends bit-identical to an
// uninterrupted run on the same build and thread count.
#include <string>

#include <nlohmann/json.hpp>

#include "models/decoder.hpp"
#include "models/encoder.hpp"
#include "train/decoder_trainer.hpp"
#include "train/encoder_trainer.hpp"

namespace nc::train {

void save_checkpoint(const std::string& path, const ParameterSet& params, const SgdState& sgd,
                     const History& history, int64_t iteration, const DecoderDualState* dual,
                     const nlohmann::json& run_info);

struct LoadedCheckpoint {
  int64_t iteration = 0;
  nlohmann::json run_info;  // what the run stored: options, rng state, command
};

// Restores parameters, optimizer state, history and dual state; throws InputError naming the
// file when it is missing, malformed, or does not fit `params`.
LoadedCheckpoint load_checkpoint(const std::string& path, ParameterSet& params, SgdState& sgd,
                                 History& history, DecoderDualState* dual);

// Reads only meta.json (to learn the command and options before building the model).
nlohmann::json read_checkpoint_info(const std::string& path);

}  // namespace nc::train
