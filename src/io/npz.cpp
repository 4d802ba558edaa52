#include "io/npz.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::io {
namespace {

// Deflate's best case is about 1032:1 (a 258-byte match in a 2-bit code, RFC 1951), so a member
// declaring more than that from its compressed size is lying; the slack covers tiny members.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kRatioSlack = uint64_t{1} << 20;

struct ZipCloser {
  zip_t* z = nullptr;
  ~ZipCloser() {
    if (z) zip_discard(z);
  }
};

struct ZipFileCloser {
  zip_file_t* f = nullptr;
  ~ZipFileCloser() {
    if (f) zip_fclose(f);
  }
};

std::string zip_code_text(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string msg = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  // A code given without its errno renders as "<text>: Success"; the suffix is noise.
  const std::string noise = ": Success";
  if (msg.size() > noise.size() && msg.ends_with(noise)) msg.resize(msg.size() - noise.size());
  return msg;
}

uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

struct OpenArchive {
  ZipCloser zip;
  uint64_t file_size = 0;
};

void open_archive(const std::string& path, OpenArchive& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw InputError(path + ": cannot read (" + std::strerror(err) + ")");
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": cannot read (" + std::strerror(EISDIR) + ")");
  // libzip treats an empty file as a new, empty archive; for a reader it is a mistake.
  if (st.st_size == 0) throw InputError(path + ": empty file, expected a .npz archive");
  out.file_size = static_cast<uint64_t>(st.st_size);
  int code = 0;
  out.zip.z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!out.zip.z) {
    if (code == ZIP_ER_MEMORY) throw IoError(path + ": cannot read (" + zip_code_text(code) + ")");
    if (code == ZIP_ER_OPEN || code == ZIP_ER_NOENT) {
      throw InputError(path + ": cannot read (" + zip_code_text(code) + ")");
    }
    throw InputError(path + ": not a valid .npz (zip) archive: " + zip_code_text(code));
  }
}

// The same for an archive held in memory; `bytes` must outlive `out`.
void open_archive_bytes(std::span<const std::byte> bytes, const std::string& what,
                        OpenArchive& out) {
  if (bytes.empty()) throw InputError(what + ": empty, expected a .npz archive");
  out.file_size = bytes.size();
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  if (!src) {
    zip_error_fini(&ze);
    throw IoError(what + ": cannot read (out of memory)");
  }
  out.zip.z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
  if (!out.zip.z) {
    zip_source_free(src);
    const int code = zip_error_code_zip(&ze);
    zip_error_fini(&ze);
    if (code == ZIP_ER_MEMORY) throw IoError(what + ": cannot read (" + zip_code_text(code) + ")");
    throw InputError(what + ": not a valid .npz (zip) archive: " + zip_code_text(code));
  }
  zip_error_fini(&ze);
}

struct Member {
  zip_uint64_t index = 0;
  std::string key;
  zip_stat_t st{};
};

// The archive's .npy members in archive order, with names checked; directories are skipped.
std::vector<Member> list_members(zip_t* z, const std::string& path) {
  const zip_int64_t n = zip_get_num_entries(z, 0);
  if (n < 0) throw InputError(path + ": not a valid .npz (zip) archive: " + zip_strerror(z));
  std::vector<Member> members;
  std::set<std::string> seen;
  for (zip_int64_t i = 0; i < n; ++i) {
    Member m;
    m.index = static_cast<zip_uint64_t>(i);
    zip_stat_init(&m.st);
    if (zip_stat_index(z, m.index, 0, &m.st) != 0 || !(m.st.valid & ZIP_STAT_NAME) || !m.st.name) {
      throw InputError(path + ": not a valid .npz (zip) archive: member " + std::to_string(i) +
                       ": " + zip_strerror(z));
    }
    const std::string name = m.st.name;
    if (!name.empty() && name.back() == '/') continue;
    if (name.size() < 4 || !name.ends_with(".npy")) {
      throw InputError(path + ": member '" + name +
                       "' is not a .npy array (expected only <key>.npy members)");
    }
    m.key = name.substr(0, name.size() - 4);
    if (!seen.insert(m.key).second) {
      throw InputError(path + ": member '" + name + "' appears twice");
    }
    if ((m.st.valid & ZIP_STAT_ENCRYPTION_METHOD) && m.st.encryption_method != ZIP_EM_NONE) {
      throw InputError(path + ":" + m.key + ": encrypted members are not supported");
    }
    members.push_back(std::move(m));
  }
  return members;
}

// Reads up to n bytes of a member into `to`; returns how many arrived (fewer at its end).
uint64_t read_up_to(zip_file_t* f, std::byte* to, uint64_t n, const std::string& what) {
  uint64_t got = 0;
  while (got < n) {
    const zip_int64_t r = zip_fread(f, to + got, n - got);
    if (r < 0) throw InputError(what + ": cannot read member: " + zip_file_strerror(f));
    if (r == 0) break;
    got += static_cast<uint64_t>(r);
  }
  return got;
}

// numpy writes headers of a few hundred bytes (np.load refuses more than 10,000 by default).
constexpr uint64_t kMaxNpyHeader = uint64_t{1} << 20;

// The member's .npy header (and whatever data came with it, in `head`), reading no further
// than the header needs.
NpyHeader read_member_header(zip_file_t* f, uint64_t size, const std::string& what,
                             std::vector<std::byte>& head) {
  head.resize(static_cast<size_t>(std::min<uint64_t>(size, 4096)));
  head.resize(static_cast<size_t>(read_up_to(f, head.data(), head.size(), what)));
  if (head.size() >= 12) {
    const uint64_t len = npy_data_offset(head, what);  // magic, version, length and header
    if (len > kMaxNpyHeader) {
      throw InputError(what + ": .npy header of " + std::to_string(len) + " bytes (at most " +
                       std::to_string(kMaxNpyHeader) + " are read)");
    }
    if (len > size) {
      throw InputError(what + ": the member's .npy header needs " + std::to_string(len) +
                       " bytes before any data, the zip entry declares " + std::to_string(size));
    }
    if (len > head.size()) {
      const size_t before = head.size();
      head.resize(static_cast<size_t>(len));
      head.resize(before +
                  static_cast<size_t>(read_up_to(f, head.data() + before, len - before, what)));
    }
  }
  return parse_npy_header(head, what);
}

NpyArray read_member(zip_t* z, const Member& m, uint64_t archive_size, const std::string& path) {
  const std::string what = path + ":" + m.key;
  if (!(m.st.valid & ZIP_STAT_SIZE) || !(m.st.valid & ZIP_STAT_COMP_SIZE)) {
    throw InputError(what + ": member has no recorded size");
  }
  const uint64_t size = m.st.size;
  const uint64_t comp = m.st.comp_size;
  // Sizes come from the archive's headers, which anyone can write: bound them before
  // allocating, by what the archive can hold and by what deflate can expand to.
  if (comp > archive_size) {
    throw InputError(what + ": member declares " + std::to_string(comp) +
                     " compressed bytes but the archive has " + std::to_string(archive_size));
  }
  if (size > kMaxDeflateRatio * comp + kRatioSlack) {
    throw InputError(what + ": member declares " + std::to_string(size) + " bytes from " +
                     std::to_string(comp) + " compressed, more than deflate can produce");
  }
  if (size > physical_memory_bytes()) {
    throw InputError(what + ": member declares " + std::to_string(size) +
                     " bytes, more than this machine's memory");
  }
  ZipFileCloser file;
  file.f = zip_fopen_index(z, m.index, 0);
  if (!file.f) throw InputError(what + ": cannot open member: " + zip_strerror(z));
  // The npy header first: what the member's data must be is checked against the size the zip
  // entry declares before the rest is inflated, so a member whose header claims more than the
  // entry holds (a zip bomb's lie) costs its header, not its data.
  std::vector<std::byte> head;
  const NpyHeader h = read_member_header(file.f, size, what, head);
  if (h.data_offset + h.data_bytes != size) {
    throw InputError(what + ": the member's .npy header (shape " + shape_string(h.shape) + " of " +
                     dtype_name(h.dtype) + ") needs " +
                     std::to_string(h.data_offset + h.data_bytes) +
                     " bytes, the zip entry declares " + std::to_string(size));
  }
  // The data straight into the array's buffer: the array is never held twice.
  std::vector<std::byte> data(static_cast<size_t>(h.data_bytes));
  const size_t have = head.size() - h.data_offset;
  if (have > 0) std::memcpy(data.data(), head.data() + h.data_offset, have);  // data() may be null
  head = {};
  const uint64_t got = have + read_up_to(file.f, data.data() + have, h.data_bytes - have, what);
  if (got != h.data_bytes) {
    throw InputError(what + ": member holds " + std::to_string(h.data_offset + got) +
                     " bytes, its header declares " + std::to_string(size));
  }
  // Reading on to the end makes libzip check the CRC, and catches data that inflates past the
  // declared size, which would otherwise be silently cut off.
  char extra = 0;
  const zip_int64_t n = zip_fread(file.f, &extra, 1);
  if (n > 0) {
    throw InputError(what + ": member inflates past its declared size of " + std::to_string(size) +
                     " bytes");
  }
  if (n < 0) throw InputError(what + ": cannot read member: " + zip_file_strerror(file.f));
  const int rc = zip_fclose(file.f);
  file.f = nullptr;
  if (rc != 0) throw InputError(what + ": cannot read member: " + zip_code_text(rc));
  return npy_from_data(h, std::move(data));
}

// An archive with no members is just an end-of-central-directory record; libzip does not write
// one (it deletes an archive left empty), but np.load reads it and np.savez writes it.
std::vector<std::byte> empty_zip() {
  std::vector<std::byte> b(22, std::byte{0});
  b[0] = std::byte{'P'};
  b[1] = std::byte{'K'};
  b[2] = std::byte{5};
  b[3] = std::byte{6};
  return b;
}

}  // namespace

NpzContents read_npz(const std::string& path) {
  OpenArchive a;
  open_archive(path, a);
  NpzContents out;
  for (const Member& m : list_members(a.zip.z, path)) {
    out.emplace(m.key, read_member(a.zip.z, m, a.file_size, path));
  }
  return out;
}

NpzContents parse_npz(std::span<const std::byte> bytes, const std::string& what) {
  OpenArchive a;
  open_archive_bytes(bytes, what, a);
  NpzContents out;
  for (const Member& m : list_members(a.zip.z, what)) {
    out.emplace(m.key, read_member(a.zip.z, m, a.file_size, what));
  }
  return out;
}

NpzContents read_npz_member(const std::string& path, const std::string& key) {
  OpenArchive a;
  open_archive(path, a);
  NpzContents out, names;  // names: every key, empty arrays, for the missing-key message
  for (const Member& m : list_members(a.zip.z, path)) {
    if (m.key == key) out.emplace(m.key, read_member(a.zip.z, m, a.file_size, path));
    names.emplace(m.key, NpyArray{});
  }
  if (out.empty()) (void)npz_require(names, path, key);
  return out;
}

std::vector<std::string> npz_keys(const std::string& path) {
  OpenArchive a;
  open_archive(path, a);
  std::vector<std::string> keys;
  for (const Member& m : list_members(a.zip.z, path)) keys.push_back(m.key);
  return keys;
}

void write_npz(const std::string& path, const NpzContents& arrays, bool compress) {
  for (const auto& [key, arr] : arrays) {
    if (key.empty() || key.find('\0') != std::string::npos) {
      throw InputError(path + ": key '" + key + "' cannot name an .npz member");
    }
  }
  if (arrays.empty()) {
    write_file_atomic(path, empty_zip());
    return;
  }
  // libzip reads the sources at zip_close, so the serialised images must outlive it.
  std::vector<std::vector<std::byte>> images;
  images.reserve(arrays.size());
  for (const auto& [key, arr] : arrays) images.push_back(serialize_npy(arr));

  const std::string tmp = temp_path_for(path);
  int code = 0;
  zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!z) throw IoError(path + ": cannot write (" + zip_code_text(code) + ")");
  auto fail = [&](const std::string& msg) {
    zip_discard(z);
    ::unlink(tmp.c_str());
    throw IoError(path + ": cannot write (" + msg + ")");
  };
  size_t i = 0;
  for (const auto& [key, arr] : arrays) {
    const auto& img = images[i++];
    zip_source_t* src = zip_source_buffer(z, img.data(), img.size(), 0);
    if (!src) fail(zip_strerror(z));
    const std::string name = key + ".npy";
    const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(src);
      fail(zip_strerror(z));
    }
    const zip_int32_t method = compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
    if (zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), method, 0) != 0) {
      fail(zip_strerror(z));
    }
  }
  if (zip_close(z) != 0) fail(zip_strerror(z));
  commit_temp_file(tmp, path);
}

const NpyArray& npz_require(const NpzContents& npz, const std::string& path,
                            const std::string& key) {
  const auto it = npz.find(key);
  if (it != npz.end()) return it->second;
  std::string present;
  for (const auto& [k, v] : npz) present += (present.empty() ? "" : ", ") + k;
  if (present.empty()) present = "none";
  throw InputError(path + ": missing key '" + key + "' (keys present: " + present + ")");
}

}  // namespace nc::io
