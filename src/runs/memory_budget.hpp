#pragma once
// Refusing a fit that would not fit in memory, before it starts (DESIGN.md "Scale"): a crash,
// swapping or the OOM killer are not acceptable outcomes of a run that is too big. Each fit
// estimates the memory it will allocate on top of its input (bytes, from the shapes alone) and
// compares it with the budget: NEUROCODEC_MEMORY_BUDGET when set (bytes, or with a K, M or G
// suffix), else the memory the kernel reports available (MemAvailable, capped by a cgroup
// limit). Mapped input costs nothing here: its pages belong to the page cache.
#include <cstdint>
#include <string>

#include "data/dataset.hpp"
#include "train/decoder_trainer.hpp"

namespace nc::runs {

// The bytes a fit may still allocate; UINT64_MAX when nothing says.
uint64_t memory_budget();

// The decoder fit's own allocations for n_train + n_test rows of n_neurons, H hidden units and
// O outputs with the algorithm it resolves to: the gathered rows of the plain and fused forms,
// the dual form's Gram blocks and buffers, the parameters with their gradients and steps, and
// the test-output and analysis buffers.
uint64_t estimate_decoder_bytes(int64_t n_train, int64_t n_test, int64_t n_neurons, int64_t hidden,
                                int64_t outputs, train::DecoderAlgorithm algorithm);
// The encoder fit's: the out layer (N x C·H·W) with its gradient, velocity and spare step
// buffers, and the (n x N) outputs, their gradient and the prediction.
uint64_t estimate_encoder_bytes(int64_t n_stimuli, int64_t n_neurons, int64_t features);

// Throws InputError "<what>: needs about X GB of memory beyond its input, Y GB are available
// (source); <advice>" when estimate > memory_budget().
void check_memory(uint64_t estimate, const std::string& what, const std::string& advice);

}  // namespace nc::runs
