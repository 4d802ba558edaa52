// Where a stored .npz member's bytes lie in the file (io/mapped_file.hpp), from the zip's own
// records: libzip reads members but does not say where their data start, which mapping needs.
// Only what that takes is parsed: the end-of-central-directory record (and its zip64 form), the
// member's central directory entry and its local header. libzip has already checked the
// archive's consistency when the loaders listed its keys.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "io/mapped_file.hpp"

namespace nc::io {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

uint64_t le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

class ZipReader {
 public:
  explicit ZipReader(const std::string& path) : path_(path) {
    fd_.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_.fd < 0) {
      const int err = errno;
      throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
    }
    struct stat st {};
    if (::fstat(fd_.fd, &st) != 0) throw InputError(path + ": cannot read (fstat)");
    size_ = static_cast<uint64_t>(st.st_size);
  }
  std::vector<unsigned char> read(uint64_t offset, uint64_t n) const {
    if (offset > size_ || n > size_ - offset) malformed("a record lies past the end of the file");
    std::vector<unsigned char> b(n);
    uint64_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_.fd, b.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r <= 0) malformed("cannot read a record");
      got += static_cast<uint64_t>(r);
    }
    return b;
  }
  [[noreturn]] void malformed(const std::string& why) const {
    throw InputError(path_ + ": not a valid .npz (zip) archive: " + why);
  }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  Fd fd_;
  uint64_t size_ = 0;
};

struct Directory {
  uint64_t offset = 0, size = 0, entries = 0;
};

// The central directory's place, from the end-of-central-directory record (searched for
// backwards over the largest possible comment) and, when its fields are saturated, the zip64
// record its locator points to.
Directory find_directory(const ZipReader& z) {
  const uint64_t tail = std::min<uint64_t>(z.size(), 22 + 65535);
  const std::vector<unsigned char> b = z.read(z.size() - tail, tail);
  for (int64_t i = static_cast<int64_t>(tail) - 22; i >= 0; --i) {
    const unsigned char* p = b.data() + i;
    if (le(p, 4) != 0x06054b50) continue;
    Directory d{le(p + 16, 4), le(p + 12, 4), le(p + 10, 2)};
    const bool zip64 = d.offset == 0xffffffff || d.size == 0xffffffff || d.entries == 0xffff;
    if (!zip64) return d;
    const uint64_t at = z.size() - tail + static_cast<uint64_t>(i);
    if (at < 20) z.malformed("zip64 locator missing");
    const std::vector<unsigned char> loc = z.read(at - 20, 20);
    if (le(loc.data(), 4) != 0x07064b50) z.malformed("zip64 locator missing");
    const std::vector<unsigned char> r = z.read(le(loc.data() + 8, 8), 56);
    if (le(r.data(), 4) != 0x06064b50) z.malformed("zip64 end record missing");
    return {le(r.data() + 48, 8), le(r.data() + 40, 8), le(r.data() + 32, 8)};
  }
  z.malformed("no end-of-central-directory record");
}

// A central entry's uncompressed size and local header offset, taking the zip64 extra field's
// values where the 32-bit fields are saturated (they appear there in the order size,
// compressed size, offset, each only when saturated).
StoredMember size_and_offset(const unsigned char* e, const unsigned char* extra, uint64_t extra_len,
                             const ZipReader& z) {
  StoredMember m{static_cast<int64_t>(le(e + 42, 4)), le(e + 24, 4)};
  const bool big_size = m.size == 0xffffffff, big_comp = le(e + 20, 4) == 0xffffffff,
             big_offset = m.offset == 0xffffffff;
  if (!big_size && !big_offset) return m;
  for (uint64_t i = 0; i + 4 <= extra_len;) {
    const uint64_t id = le(extra + i, 2), len = le(extra + i + 2, 2);
    if (i + 4 + len > extra_len) break;
    if (id == 0x0001) {
      uint64_t at = i + 4;
      const auto take = [&] {
        if (at + 8 > i + 4 + len) z.malformed("zip64 extra field too short");
        at += 8;
        return le(extra + at - 8, 8);
      };
      if (big_size) m.size = take();
      if (big_comp) take();
      if (big_offset) m.offset = static_cast<int64_t>(take());
      return m;
    }
    i += 4 + len;
  }
  z.malformed("zip64 extra field missing");
}

}  // namespace

StoredMember npz_stored_member(const std::string& path, const std::string& key) {
  const ZipReader z(path);
  const Directory d = find_directory(z);
  const std::vector<unsigned char> cd = z.read(d.offset, d.size);
  const std::string name = key + ".npy";
  std::string present;  // the keys seen, for the missing-key message
  for (uint64_t at = 0, n = 0; n < d.entries && at + 46 <= cd.size(); ++n) {
    const unsigned char* e = cd.data() + at;
    if (le(e, 4) != 0x02014b50) z.malformed("bad central directory entry");
    const uint64_t name_len = le(e + 28, 2), extra_len = le(e + 30, 2), comment = le(e + 32, 2);
    if (at + 46 + name_len + extra_len > cd.size()) z.malformed("bad central directory entry");
    const std::string entry(reinterpret_cast<const char*>(e + 46), name_len);
    if (entry.size() > 4 && entry.ends_with(".npy"))
      present += (present.empty() ? "" : ", ") + entry.substr(0, entry.size() - 4);
    if (entry == name) {
      if (le(e + 10, 2) != 0) return {-1, 0};  // compression method: 0 is stored
      StoredMember m = size_and_offset(e, e + 46 + name_len, extra_len, z);
      const std::vector<unsigned char> h = z.read(static_cast<uint64_t>(m.offset), 30);
      if (le(h.data(), 4) != 0x04034b50) z.malformed("bad local header of member " + name);
      m.offset += static_cast<int64_t>(30 + le(h.data() + 26, 2) + le(h.data() + 28, 2));
      if (static_cast<uint64_t>(m.offset) > z.size() || m.size > z.size() - m.offset)
        throw InputError(path + ":" + key + ": the zip entry declares " + std::to_string(m.size) +
                         " stored bytes, more than the archive's " + std::to_string(z.size()));
      return m;
    }
    at += 46 + name_len + extra_len + comment;
  }
  // The message npz_require gives for a loaded archive.
  throw InputError(path + ": missing key '" + key +
                   "' (keys present: " + (present.empty() ? "none" : present) + ")");
}

}  // namespace nc::io
