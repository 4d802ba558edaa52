// io::NpyColumnWriter (io/npy.hpp): a .npy written a block of columns at a time.
#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/npy.hpp"

namespace nc::io {
namespace {

void pwrite_all(int fd, const void* p, size_t n, uint64_t offset, const std::string& path) {
  const auto* b = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, b, n, static_cast<off_t>(offset));
    if (w <= 0) {
      const int err = errno;
      throw IoError(path + ": cannot write (" + std::strerror(err) + ")");
    }
    b += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
}

}  // namespace

NpyColumnWriter::NpyColumnWriter(const std::string& path, int64_t rows, int64_t cols)
    : path_(path), tmp_(temp_path_for(path)), rows_(rows), cols_(cols) {
  static_assert(std::endian::native == std::endian::little, "the writer copies native floats");
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int err = errno;
    throw IoError(path + ": cannot write (" + std::strerror(err) + ")");
  }
  const std::vector<std::byte> header = serialize_npy_header(DType::f32, {rows, cols});
  data_offset_ = header.size();
  pwrite_all(fd_, header.data(), header.size(), 0, path_);
  // The file's full size up front: a full disk fails here, before any block is computed.
  const auto size = static_cast<off_t>(data_offset_ + static_cast<uint64_t>(rows) * cols * 4);
  if (::ftruncate(fd_, size) != 0) {
    const int err = errno;
    throw IoError(path + ": cannot write (" + std::strerror(err) + ")");
  }
}

NpyColumnWriter::~NpyColumnWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void NpyColumnWriter::write_block(int64_t j0, const float* block, int64_t m) {
  for (int64_t r = 0; r < rows_; ++r) {
    const uint64_t at = data_offset_ + (static_cast<uint64_t>(r) * cols_ + j0) * 4;
    pwrite_all(fd_, block + r * m, static_cast<size_t>(m) * 4, at, path_);
  }
}

void NpyColumnWriter::commit() {
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(tmp_.c_str());
    throw IoError(path_ + ": cannot write (close failed)");
  }
  fd_ = -1;
  commit_temp_file(tmp_, path_);
}

}  // namespace nc::io
