#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.hpp"

namespace nc {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

[[noreturn]] void throw_io(const std::string& path, const std::string& action, int err) {
  throw IoError(path + ": cannot " + action + " (" + errno_text(err) + ")");
}

// Writes all of `len` bytes, retrying short writes and interruptions. Returns 0 or an errno.
int write_all(int fd, const std::byte* p, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

int fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ::fsync(fd) != 0 ? errno : 0;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string temp_path_for(const std::string& path) {
  // The pid separates processes, the counter separates threads and calls within one process;
  // the leading dot keeps the half-written file out of globs such as *.npz.
  static std::atomic<unsigned long> counter{0};
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + name + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1));
}

void write_file_atomic(const std::string& path, std::span<const std::byte> bytes) {
  const std::string tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw_io(path, "write", errno);
  int err = write_all(fd, bytes.data(), bytes.size());
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  // close() can report a deferred write error (e.g. on NFS), so it is checked too.
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw_io(path, "write", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    throw_io(path, "write", err);
  }
  // Make the rename itself durable; some file systems refuse to fsync a directory, which is
  // harmless here because the data is already on disk.
  fsync_path(parent_dir(path), O_RDONLY | O_DIRECTORY);
}

void write_file_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void commit_temp_file(const std::string& tmp, const std::string& path) {
  int err = fsync_path(tmp, O_RDONLY);
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw_io(path, "write", err);
  }
  fsync_path(parent_dir(path), O_RDONLY | O_DIRECTORY);
}

std::vector<std::byte> read_file_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw InputError(path + ": cannot read (" + errno_text(err) + ")");
  }
  std::vector<std::byte> out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  // Read to end of file rather than trusting st_size: pipes and /proc files report 0.
  std::byte chunk[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw InputError(path + ": cannot read (" + errno_text(err) + ")");
    }
    out.insert(out.end(), chunk, chunk + n);
  }
  ::close(fd);
  return out;
}

}  // namespace nc
