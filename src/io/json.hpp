#pragma once
// JSON files (metrics.json, cv.json, job results): written atomically, pretty-printed.
#include <nlohmann/json.hpp>
#include <string>

namespace nc::io {

// Writes `j` to `path` through a temporary name beside it (io/atomic_file.hpp).
void write_json(const std::string& path, const nlohmann::json& j);

}  // namespace nc::io
