#include "io/json.hpp"

#include "core/atomic_file.hpp"

namespace nc::io {

void write_json(const std::string& path, const nlohmann::json& j) {
  write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace nc::io
