#include "fetch/fetch.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::fetch {
namespace {

struct Md5 {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  Md5() {
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1)
      throw IoError("MD5: OpenSSL initialisation failed");
  }
  void update(const void* p, size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string hex() {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), d, &n);
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned int i = 0; i < n; ++i) {
      s += digits[d[i] >> 4];
      s += digits[d[i] & 15];
    }
    return s;
  }
};

struct Sink {
  std::FILE* f = nullptr;
  Md5 md5;
  int64_t bytes = 0;
  int write_errno = 0;
};

size_t on_data(char* p, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (std::fwrite(p, 1, len, s->f) != len) {
    s->write_errno = errno ? errno : EIO;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  s->md5.update(p, len);
  s->bytes += static_cast<int64_t>(len);
  return len;
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw IoError("libcurl: initialisation failed");
  });
}

std::string megabytes(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

std::vector<RemoteFile> tutorial_files(const std::string& url_base) {
  std::string base = url_base.empty() ? kDefaultUrlBase : url_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return {
      {"W3D4_stringer_oribinned1.npz", base + "/683xc/download",
       "436599dfd8ebe6019f066c38aed20580"},
      {"W3D4_stringer_oribinned6_split.npz", base + "/p3aeb/download",
       "b3f7245c6221234a676b71a1f43c3bb5"},
  };
}

std::string md5_hex(const std::string& bytes) {
  Md5 m;
  m.update(bytes.data(), bytes.size());
  return m.hex();
}

std::string md5_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(path + ": cannot read (" + std::strerror(errno) + ")");
  Md5 m;
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) m.update(buf.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw InputError(path + ": read error");
  return m.hex();
}

FetchResult fetch_file(const RemoteFile& file, const std::string& dir, std::ostream& log,
                       const FetchOptions& opt) {
  const std::string path = dir + "/" + file.name;
  FetchResult res;
  res.path = path;
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    if (md5_file(path) == file.md5) {
      res.status = FetchStatus::already_present;
      res.bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
      if (!opt.quiet) log << file.name << ": already present, MD5 " << file.md5 << " ok\n";
      return res;
    }
    if (!opt.quiet) log << file.name << ": present but its MD5 differs: downloading it again\n";
  }

  curl_init_once();
  const std::string tmp = temp_path_for(path);
  Sink sink;
  sink.f = std::fopen(tmp.c_str(), "wb");
  if (!sink.f) throw IoError(path + ": cannot write in " + dir + " (" + std::strerror(errno) + ")");
  const auto fail = [&](const std::string& what) -> FetchResult {
    if (sink.f) std::fclose(sink.f);
    sink.f = nullptr;
    std::remove(tmp.c_str());
    throw IoError(file.name + ": download from " + file.url + " failed: " + what);
  };

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return fail("libcurl could not start a transfer");
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, file.url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // osf.io/<id>/download redirects to storage
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);  // an HTTP error status is a failure, not a body
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opt.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opt.stall_timeout_s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "neurocodec-fetch-data/0.1");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (!opt.quiet) {
    log << file.name << ": downloading from " << file.url << " ...\n";
    log.flush();
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (sink.write_errno)
      return fail(std::string("cannot write ") + tmp + " (" + std::strerror(sink.write_errno) +
                  ")");
    std::string what = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    return fail(what);
  }
  if (std::fflush(sink.f) != 0 || std::ferror(sink.f))
    return fail(std::string("cannot write ") + tmp);
  std::fclose(sink.f);
  sink.f = nullptr;
  const std::string got = sink.md5.hex();
  if (got != file.md5) {
    std::remove(tmp.c_str());
    throw IoError(file.name + ": download from " + file.url + " is corrupted: MD5 " + got +
                  ", expected " + file.md5 + " (" + std::to_string(sink.bytes) +
                  " bytes received; nothing was written)");
  }
  try {
    commit_temp_file(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  res.bytes = sink.bytes;
  if (!opt.quiet)
    log << file.name << ": downloaded " << megabytes(sink.bytes) << ", MD5 " << got << " ok\n";
  return res;
}

}  // namespace nc::fetch
