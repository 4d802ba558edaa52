#pragma once
// Writing files so that a reader (or a run killed at any moment) never sees a partial one:
// the bytes go to a temporary name in the same directory, are flushed to disk, and are renamed
// over the final name in one step.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace nc {

// A unique temporary path beside `path` (same directory, so rename() stays atomic).
std::string temp_path_for(const std::string& path);

// Writes `bytes` to `path` atomically. Throws IoError naming the path on failure and leaves
// nothing behind.
void write_file_atomic(const std::string& path, std::span<const std::byte> bytes);
void write_file_atomic(const std::string& path, const std::string& text);

// Renames a finished temporary file into place (fsync first). Throws IoError on failure.
void commit_temp_file(const std::string& tmp, const std::string& path);

// Reads a whole file. Throws InputError naming the path when it cannot be read.
std::vector<std::byte> read_file_bytes(const std::string& path);

}  // namespace nc
