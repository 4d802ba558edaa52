#pragma once
// Downloading the tutorial's data files (libcurl) and checking them (MD5 through OpenSSL's EVP):
// a file is written under its final name only once its MD5 matches, so a failed, interrupted or
// corrupted download never leaves a file that looks complete.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace nc::fetch {

struct RemoteFile {
  std::string name;  // file name in the target folder
  std::string url;   // where to get it (redirects are followed)
  std::string md5;   // expected MD5, lowercase hex
};

// The published address of the tutorial's files is https://osf.io/<id>/download; `url_base`
// replaces "https://osf.io" (a mirror, or a local server in tests).
inline constexpr const char* kDefaultUrlBase = "https://osf.io";
std::vector<RemoteFile> tutorial_files(const std::string& url_base = kDefaultUrlBase);

enum class FetchStatus { already_present, downloaded };

struct FetchResult {
  std::string path;
  FetchStatus status = FetchStatus::downloaded;
  int64_t bytes = 0;
};

struct FetchOptions {
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // give up when under 1 KiB/s for this long
  bool quiet = false;
};

// Makes dir/<name> hold the file with the right MD5: skips the download when it already does,
// else downloads to a temporary name beside it and renames it into place once the MD5 matches.
// On failure throws IoError with one line saying which file, from where and what happened;
// nothing is left under the temporary name, and the final name is untouched.
FetchResult fetch_file(const RemoteFile& file, const std::string& dir, std::ostream& log,
                       const FetchOptions& opt = {});

// MD5 of a file's bytes, lowercase hex. Throws InputError when it cannot be read.
std::string md5_file(const std::string& path);
// MD5 of a string, lowercase hex.
std::string md5_hex(const std::string& bytes);

}  // namespace nc::fetch
