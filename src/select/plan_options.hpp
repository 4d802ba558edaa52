#pragma once
// Plan option names onto the commands' option structs: every decode/encode option by its long
// name, except those the plan itself sets (out, data, split, resume, checkpoint-every, seed,
// folds). `where` names the plan key in errors ("options.lr", "grid.hidden[2]").
#include <nlohmann/json.hpp>
#include <string>

#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"

namespace nc::select {

// Throws InputError for an option the command does not have or a value of the wrong type.
void apply_decode_option(runs::DecodeOptions& o, const std::string& key, const nlohmann::json& v,
                         const std::string& where);
void apply_encode_option(runs::EncodeOptions& o, const std::string& key, const nlohmann::json& v,
                         const std::string& where);

}  // namespace nc::select
