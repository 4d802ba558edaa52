#include "io/mapped_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/error.hpp"
#include "core/tensor.hpp"
#include "io/npz.hpp"

namespace nc::io {
namespace {

// The fault handler's table of live mappings. A slot is claimed by writing its range last and
// released by clearing it first, so the handler (which may run at any moment) sees either a
// whole entry or none.
constexpr int kSlots = 64;
constexpr size_t kPathChars = 512;
struct Slot {
  std::atomic<uintptr_t> begin{0}, end{0};
  char path[kPathChars] = {};
};
Slot g_slots[kSlots];
std::mutex g_slots_mutex;  // claims and releases (not the handler)

void write_all(const char* s, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

// Async-signal-safe: only lock-free loads, write() and _exit().
void on_sigbus(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (const Slot& s : g_slots) {
    if (addr >= s.begin.load() && addr < s.end.load()) {
      const char head[] = "error: ";
      const char tail[] =
          ": changed while neurocodec was reading it (truncated or replaced?); "
          "expected the file to stay as it was for the whole run\n";
      write_all(head, sizeof head - 1);
      write_all(s.path, ::strnlen(s.path, kPathChars));
      write_all(tail, sizeof tail - 1);
      ::_exit(1);
    }
  }
  // Not one of ours: the default action (a core dump), as if no handler were installed.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handler_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, nullptr);
  });
}

int claim_slot(const std::string& path, const void* begin, uint64_t length) {
  install_handler_once();
  const std::lock_guard<std::mutex> lock(g_slots_mutex);
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    if (s.end.load() != 0) continue;
    const size_t n = std::min(path.size(), kPathChars - 1);
    std::memcpy(s.path, path.data(), n);
    s.path[n] = '\0';
    s.begin.store(reinterpret_cast<uintptr_t>(begin));
    s.end.store(reinterpret_cast<uintptr_t>(begin) + length);
    return i;
  }
  return -1;  // more live mappings than slots: a fault there gets the default action
}

void release_slot(int i) {
  if (i < 0) return;
  const std::lock_guard<std::mutex> lock(g_slots_mutex);
  g_slots[i].end.store(0);
  g_slots[i].begin.store(0);
}

uint64_t page_size() {
  static const auto p = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return p;
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": cannot read (" + std::strerror(EISDIR) + ")");
  return static_cast<uint64_t>(st.st_size);
}

// The first bytes of a file (at most n), for its header.
std::vector<std::byte> read_head(const std::string& path, uint64_t offset, uint64_t n) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
  }
  std::vector<std::byte> b(n);
  uint64_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, b.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r <= 0) break;
    got += static_cast<uint64_t>(r);
  }
  ::close(fd);
  b.resize(got);
  return b;
}

// The .npy header at `offset`: its first bytes say how long it is, then all of it is read
// (numpy writes a few hundred bytes; at most 1 MiB is read).
NpyHeader header_at(const std::string& path, uint64_t offset, uint64_t available,
                    const std::string& what) {
  std::vector<std::byte> head = read_head(path, offset, std::min<uint64_t>(available, 4096));
  if (head.size() >= 12) {
    const uint64_t len = npy_data_offset(head, what);
    if (len > head.size() && len <= std::min<uint64_t>(available, uint64_t{1} << 20))
      head = read_head(path, offset, len);
  }
  return parse_npy_header(head, what);
}

bool maps_as_is(const NpyHeader& h) {
  return h.dtype == DType::f32 && !h.byte_swap && (!h.fortran_order || h.shape.size() <= 1);
}

FloatArray mapped_array(const std::string& path, uint64_t data_start, const NpyHeader& h) {
  FloatArray a;
  a.shape = h.shape;
  auto m = std::make_shared<const FileMapping>(path, data_start, h.data_bytes);
  a.data = reinterpret_cast<const float*>(m->data());
  a.mapping = m;
  a.owner = m;
  return a;
}

// Read into memory (Eigen-aligned, as a loaded matrix always was) and converted to float32.
FloatArray read_array(const NpyArray& arr, const std::string& what) {
  if (arr.dtype == DType::b1)
    throw InputError(what + ": expected a numeric array, got dtype " + dtype_name(arr.dtype));
  // Eigen-aligned and not zero-filled first: the copy writes every element.
  auto buf = std::make_shared<RowMat>(arr.numel(), 1);
  if (arr.dtype == DType::f32) {
    if (!arr.data.empty()) std::memcpy(buf->data(), arr.data.data(), arr.data.size());
  } else {
    const std::vector<float> v = arr.to_float();
    std::copy(v.begin(), v.end(), buf->data());
  }
  FloatArray a;
  a.shape = arr.shape;
  a.data = buf->data();
  a.owner = std::move(buf);
  return a;
}

}  // namespace

FileMapping::FileMapping(const std::string& path, uint64_t offset, uint64_t length)
    : path_(path), length_(length) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < offset + length) {
    ::close(fd);
    throw InputError(path + ": file holds " + std::to_string(st.st_size) +
                     " bytes, expected at least " + std::to_string(offset + length));
  }
  const uint64_t start = offset / page_size() * page_size();
  base_length_ = std::max<uint64_t>(offset + length - start, 1);
  base_ = ::mmap(nullptr, base_length_, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(start));
  const int err = errno;
  if (base_ == MAP_FAILED) {
    ::close(fd);
    base_ = nullptr;
    throw IoError(path + ": cannot map (" + std::strerror(err) + ")");
  }
  fd_ = fd;
  file_offset_ = offset;
  data_ = static_cast<const std::byte*>(base_) + (offset - start);
  slot_ = claim_slot(path, base_, base_length_);
}

FileMapping::~FileMapping() {
  release_slot(slot_);
  if (base_ != nullptr) ::munmap(base_, base_length_);
  if (fd_ >= 0) ::close(fd_);
}

void FileMapping::release(const void* from, const void* to) const {
  const uint64_t ps = page_size();
  const uintptr_t first = reinterpret_cast<uintptr_t>(from) / ps * ps,
                  last = reinterpret_cast<uintptr_t>(to) / ps * ps;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void FileMapping::read(const void* at, size_t bytes, void* out) const {
  const auto first = static_cast<uint64_t>(static_cast<const std::byte*>(at) - data_);
  auto* dst = static_cast<std::byte*>(out);
  size_t done = 0;
  while (done < bytes) {
    const ssize_t got =
        ::pread(fd_, dst + done, bytes - done, static_cast<off_t>(file_offset_ + first + done));
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got == 0) {  // end of file inside the array: the file was cut while mapped
      throw InputError(path_ +
                       ": changed while neurocodec was reading it (truncated or replaced?)");
    } else if (errno != EINTR) {
      throw IoError(path_ + ": cannot read (" + std::strerror(errno) + ")");
    }
  }
}

FloatArray open_npy_floats(const std::string& path) {
  const uint64_t size = file_size(path);
  const NpyHeader h = header_at(path, 0, size, path);
  check_npy_data_size(h, size - h.data_offset, path);
  if (maps_as_is(h) && h.data_bytes > 0) return mapped_array(path, h.data_offset, h);
  return read_array(read_npy(path), path);
}

FloatArray open_npz_floats(const std::string& path, const std::string& key) {
  const std::string what = path + ":" + key;
  const StoredMember m = npz_stored_member(path, key);
  if (m.offset >= 0) {
    const auto offset = static_cast<uint64_t>(m.offset);
    const NpyHeader h = header_at(path, offset, m.size, what);
    if (h.data_offset + h.data_bytes != m.size) {
      throw InputError(what + ": the member's .npy header (shape " + shape_string(h.shape) +
                       " of " + dtype_name(h.dtype) + ") needs " +
                       std::to_string(h.data_offset + h.data_bytes) +
                       " bytes, the zip entry declares " + std::to_string(m.size));
    }
    const uint64_t start = offset + h.data_offset;
    if (maps_as_is(h) && h.data_bytes > 0 && start % alignof(float) == 0)
      return mapped_array(path, start, h);
  }
  NpzContents one = read_npz_member(path, key);
  return read_array(one.at(key), what);
}

}  // namespace nc::io
