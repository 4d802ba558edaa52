#pragma once
// Arrays that stay in their file (DESIGN.md "Scale"): a .npy, or a stored (uncompressed) member
// of a .npz, is memory-mapped read-only instead of read, so a recording larger than memory can
// be streamed block by block and the rows a fit uses are views, not copies.
//
// Faults: a mapped file that is truncated or replaced while the run reads it makes the kernel
// raise SIGBUS on the next access to a page that is gone. neurocodec catches it: a handler
// installed with the first mapping looks the address up among the live mappings and ends the
// process with one line, "error: <file>: changed while neurocodec was reading it (truncated or
// replaced?)", exit status 1. Files being written are temporaries (core/atomic_file.hpp), so no
// partial output is left under a final name; a temporary may remain.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/npy.hpp"

namespace nc::io {

// A read-only mapping of bytes [offset, offset + length) of a file.
class FileMapping {
 public:
  // Throws InputError naming the path when the file cannot be opened or is shorter than
  // offset + length.
  FileMapping(const std::string& path, uint64_t offset, uint64_t length);
  ~FileMapping();
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;

  const std::byte* data() const { return data_; }  // the byte at `offset`
  uint64_t size() const { return length_; }
  const std::string& path() const { return path_; }

  // Drops this process's pages from the one holding `from` up to, not including, the one
  // holding `to` (MADV_DONTNEED): a streaming pass that is done with every byte before `to` in
  // that range calls it so its pages do not pile up in its memory. The bytes stay readable: a
  // later access maps them again from the page cache or the file.
  void release(const void* from, const void* to) const;

  // Copies `bytes` bytes starting at `at` (an address inside this mapping) into `out` with
  // pread(2) from the file, not through the mapping: a pass that gathers short segments of many
  // rows then maps no pages (no faults, no TLB shootdowns when its pages are dropped, no pages
  // to drop). Throws InputError naming the file when it has become shorter, IoError when the
  // read fails.
  void read(const void* at, size_t bytes, void* out) const;

 private:
  std::string path_;
  void* base_ = nullptr;  // page-aligned start of the mapping
  uint64_t base_length_ = 0;
  const std::byte* data_ = nullptr;
  uint64_t length_ = 0;
  int slot_ = -1;             // in the fault handler's table
  int fd_ = -1;               // kept open for read()
  uint64_t file_offset_ = 0;  // of data()
};

// A float32 array with what keeps its memory alive: a FileMapping, or a buffer it was read
// (and converted) into.
struct FloatArray {
  std::vector<int64_t> shape;
  const float* data = nullptr;
  std::shared_ptr<const void> owner;
  std::shared_ptr<const FileMapping> mapping;  // null when the data were read into memory
  bool mapped() const { return mapping != nullptr; }
};

// The array of a .npy file. Mapped when the file's bytes are the array as they lie (float32,
// this machine's byte order, C order or 1-D); anything else numeric is read and converted to
// float32. A header that claims more data than the file holds, or trailing bytes, is refused
// before anything is mapped or allocated.
FloatArray open_npy_floats(const std::string& path);

// Member `key` of a .npz. Mapped when it is stored (not deflated), float32 in this machine's
// byte order, C order, and its data start 4-byte aligned in the file; otherwise read (and
// converted) as read_npz does.
FloatArray open_npz_floats(const std::string& path, const std::string& key);

// Where member `key`'s bytes lie in the file, when it is stored without compression (offset -1
// when it is deflated). Reads the zip's central directory and the member's local header (zip64
// aware). Throws InputError when the archive or the key is malformed or missing.
struct StoredMember {
  int64_t offset = -1;
  uint64_t size = 0;  // the zip entry's declared (uncompressed) size
};
StoredMember npz_stored_member(const std::string& path, const std::string& key);

}  // namespace nc::io
