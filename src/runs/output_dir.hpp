#pragma once
// The output folder of a run: created if needed and checked for writability before any work
// starts, so a long run never fails at its end for want of a place to write.
#include <string>

#include <nlohmann/json.hpp>

namespace nc::runs {

// Creates `dir` (and parents) and checks that a file can be created in it; throws IoError
// naming the folder otherwise.
void prepare_output_dir(const std::string& dir);

// Writes JSON atomically (temporary name, then rename), pretty-printed.
void write_json(const std::string& path, const nlohmann::json& j);

}  // namespace nc::runs
