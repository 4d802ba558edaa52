#pragma once
// Errors raised at I/O and configuration boundaries. The CLI turns each into one line
// `error: <what>` on stderr and a non-zero exit; the library never exits by itself.
#include <stdexcept>
#include <string>

namespace nc {

// Bad user input: a malformed file, a missing key, a wrong shape, an invalid option value.
// The message names the file / key / option and what was expected.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A failure of the environment rather than of the input: a directory that cannot be written,
// a full disk, a network failure.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace nc
