#pragma once
// .npz archives (a zip of .npy members, as np.savez / np.savez_compressed write them), through
// libzip. Reading handles stored and deflated members and zip64; member names are the keys
// without the ".npy" suffix. A member whose data inflates past its declared size, or whose
// declared size is absurd for the archive, is refused before it is allocated.
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "io/npy.hpp"

namespace nc::io {

using NpzContents = std::map<std::string, NpyArray>;

// Reads every member. Throws InputError naming the file (and the member) when malformed.
NpzContents read_npz(const std::string& path);

// Reads every member of an archive held in memory (the fuzz target's entry point); `what`
// names it in error messages as the path does for read_npz.
NpzContents parse_npz(std::span<const std::byte> bytes, const std::string& what);

// Reads member `key` only (the result holds that one key). Throws InputError as read_npz, and
// npz_require's message when the key is missing.
NpzContents read_npz_member(const std::string& path, const std::string& key);

// Lists the keys without reading the data.
std::vector<std::string> npz_keys(const std::string& path);

// Writes the arrays (deflated when `compress`), to a temporary name beside `path`, then renames
// it into place: a reader never sees a partial archive.
void write_npz(const std::string& path, const NpzContents& arrays, bool compress = false);

// Helpers for the common case of reading one key with an expected kind.
// Throws InputError "<path>: missing key '<key>' (keys present: a, b)" when absent.
const NpyArray& npz_require(const NpzContents& npz, const std::string& path,
                            const std::string& key);

}  // namespace nc::io
