#include "runs/output_dir.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::runs {

void prepare_output_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("--out " + dir + ": cannot create the folder (" + ec.message() + ")");
  if (!std::filesystem::is_directory(dir))
    throw IoError("--out " + dir + ": exists and is not a folder");
  // A run killed while writing leaves its temporary file (never a file under a final name):
  // clear such leftovers so the folder holds only complete files.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos &&
        entry.is_regular_file())
      std::filesystem::remove(entry.path(), ec);
  }
  const std::string probe = temp_path_for(dir + "/.write-check");
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw IoError("--out " + dir + ": folder is not writable (" + std::strerror(errno) + ")");
  std::fclose(f);
  std::remove(probe.c_str());
}

OutputDirGuard::OutputDirGuard(const std::string& dir) : dir_(dir) {
  created_ = !std::filesystem::exists(dir);
  prepare_output_dir(dir);
}

OutputDirGuard::~OutputDirGuard() {
  // Only an empty folder that this run created goes: anything written stays.
  std::error_code ec;
  if (created_ && std::filesystem::is_empty(dir_, ec) && !ec) std::filesystem::remove(dir_, ec);
}

}  // namespace nc::runs
