#pragma once
// Models as .npz files keyed by PyTorch state_dict names (DESIGN.md "Conventions"):
// `model.load_state_dict({k: torch.from_numpy(v)})` takes what save_state_dict writes, and an
// .npz written from a PyTorch state_dict initialises a neurocodec model.
#include <string>

#include "io/npz.hpp"
#include "nn/parameters.hpp"

namespace nc::models {

// Every parameter as a float32 array with its PyTorch shape.
io::NpzContents state_dict(const ParameterSet& p);
void save_state_dict(const std::string& path, const ParameterSet& p);

// Copies the arrays into p. The file must hold exactly p's names with p's shapes (float32 or
// float64 values, finite); anything else is an InputError naming the file and the key.
void load_state_dict(const std::string& path, ParameterSet& p);
void load_state_dict(const io::NpzContents& npz, const std::string& what, ParameterSet& p);

}  // namespace nc::models
