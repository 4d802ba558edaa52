#include "runs/output_dir.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace nc::runs {

void prepare_output_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("--out " + dir + ": cannot create the folder (" + ec.message() + ")");
  if (!std::filesystem::is_directory(dir))
    throw IoError("--out " + dir + ": exists and is not a folder");
  const std::string probe = io::temp_path_for(dir + "/.write-check");
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw IoError("--out " + dir + ": folder is not writable (" + std::strerror(errno) + ")");
  std::fclose(f);
  std::remove(probe.c_str());
}

void write_json(const std::string& path, const nlohmann::json& j) {
  io::write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace nc::runs
