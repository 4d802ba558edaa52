// fetch-data against a local HTTP server (tests/fetch_server.py, started here on 127.0.0.1;
// the network is closed and osf.io is never contacted): redirects, MD5 checks, skipping files
// already present, and failures that leave nothing behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "fetch/fetch.hpp"

extern char** environ;

namespace nc {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp;

const char* kPython = "/usr/bin/python3";

std::string good_bytes() {
  std::string s;
  for (int i = 0; i < 1000; ++i) s += "neurocodec fetch test: the good file\n";
  return s;
}
const std::string kGoodMd5 = "257ac74d5b82ce781b9e1b9653b04570";  // hashlib.md5(good_bytes())

void write(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

// Serves `root` as osf.io would: /<name>/download redirects to the file `root`/<name>.
class LocalServer {
 public:
  explicit LocalServer(const std::string& root) : root_(root) {
    const std::string script = std::string(NC_TEST_DATA_DIR) + "/../fetch_server.py";
    char* argv[] = {const_cast<char*>(kPython), const_cast<char*>(script.c_str()),
                    const_cast<char*>(root.c_str()), nullptr};
    if (posix_spawn(&pid_, kPython, nullptr, nullptr, argv, environ) != 0) pid_ = -1;
    for (int i = 0; i < 300 && pid_ > 0 && !fs::exists(root + "/port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    port_ = slurp(root + "/port");
  }
  ~LocalServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool up() const { return !port_.empty(); }
  std::string base() const { return "http://127.0.0.1:" + port_; }

 private:
  std::string root_, port_;
  pid_t pid_ = -1;
};

class Fetch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPython, X_OK) != 0)
      GTEST_SKIP() << kPython << " is needed for the local test server";
    served_ = testing::fresh_dir("served");
    target_ = testing::fresh_dir("target");
    write(served_ + "/good", good_bytes());
    std::string bad = good_bytes();
    bad[100] ^= 1;  // one bit flipped
    write(served_ + "/bad", bad);
    server_ = std::make_unique<LocalServer>(served_);
    ASSERT_TRUE(server_->up()) << "the local server did not start";
  }
  void TearDown() override {
    server_.reset();
    if (!served_.empty()) fs::remove_all(served_);
    if (!target_.empty()) fs::remove_all(target_);
  }
  fetch::RemoteFile file(const std::string& id) const {
    return {"data.npz", server_->base() + "/" + id + "/download", kGoodMd5};
  }
  std::string served_, target_;
  std::unique_ptr<LocalServer> server_;
  std::ostringstream log_;
};

TEST(FetchMd5, MatchesPythonsHashlib) {
  EXPECT_EQ(fetch::md5_hex(good_bytes()), kGoodMd5);
  EXPECT_EQ(fetch::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(FetchTutorialFiles, ArePublishedAddressesWithTheirMd5) {
  const auto f = fetch::tutorial_files();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].name, "W3D4_stringer_oribinned1.npz");
  EXPECT_EQ(f[0].url, "https://osf.io/683xc/download");
  EXPECT_EQ(f[0].md5, "436599dfd8ebe6019f066c38aed20580");
  EXPECT_EQ(f[1].name, "W3D4_stringer_oribinned6_split.npz");
  EXPECT_EQ(f[1].url, "https://osf.io/p3aeb/download");
  EXPECT_EQ(f[1].md5, "b3f7245c6221234a676b71a1f43c3bb5");
  EXPECT_EQ(fetch::tutorial_files("http://127.0.0.1:8/")[1].url,
            "http://127.0.0.1:8/p3aeb/download");
}

TEST_F(Fetch, DownloadsThroughRedirectsAndChecksTheMd5) {
  const auto r = fetch::fetch_file(file("chain/good"), target_, log_);  // two redirects
  EXPECT_EQ(r.status, fetch::FetchStatus::downloaded);
  EXPECT_EQ(r.bytes, static_cast<int64_t>(good_bytes().size()));
  EXPECT_EQ(slurp(target_ + "/data.npz"), good_bytes());
  EXPECT_EQ(entries(target_), 1u);  // no temporary file left
  EXPECT_NE(log_.str().find("MD5"), std::string::npos);
}

TEST_F(Fetch, SkipsAFileAlreadyPresentWithTheRightMd5) {
  write(target_ + "/data.npz", good_bytes());
  // An address nothing listens on: a download attempt would fail.
  const fetch::RemoteFile f{"data.npz", "http://127.0.0.1:1/none", kGoodMd5};
  const auto r = fetch::fetch_file(f, target_, log_);
  EXPECT_EQ(r.status, fetch::FetchStatus::already_present);
  EXPECT_NE(log_.str().find("already present"), std::string::npos);
}

TEST_F(Fetch, CorruptedDownloadLeavesNothingAndSaysSo) {
  try {
    fetch::fetch_file(file("bad"), target_, log_);
    FAIL() << "expected an error";
  } catch (const IoError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("data.npz"), std::string::npos) << m;
    EXPECT_NE(m.find("corrupted"), std::string::npos) << m;
    EXPECT_NE(m.find("expected " + kGoodMd5), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  EXPECT_EQ(entries(target_), 0u);
}

TEST_F(Fetch, HttpErrorLeavesNothingAndSaysSo) {
  try {
    fetch::fetch_file(file("missing"), target_, log_);
    FAIL() << "expected an error";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("404"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries(target_), 0u);
}

TEST_F(Fetch, UnreachableServerLeavesNothingAndSaysSo) {
  const fetch::RemoteFile f{"data.npz", "http://127.0.0.1:1/x/download", kGoodMd5};
  EXPECT_THROW(fetch::fetch_file(f, target_, log_), IoError);
  EXPECT_EQ(entries(target_), 0u);
}

TEST_F(Fetch, AFileWithTheWrongMd5IsReplacedOnlyByAGoodDownload) {
  write(target_ + "/data.npz", "not the data");
  EXPECT_THROW(fetch::fetch_file(file("bad"), target_, log_), IoError);
  EXPECT_EQ(slurp(target_ + "/data.npz"), "not the data");  // untouched by the failure
  EXPECT_EQ(entries(target_), 1u);
  fetch::fetch_file(file("good"), target_, log_);
  EXPECT_EQ(slurp(target_ + "/data.npz"), good_bytes());
  EXPECT_EQ(entries(target_), 1u);
}

TEST_F(Fetch, CommandReportsBothFailuresOnOneLineAndWritesNothing) {
  // The tutorial's first file id serves corrupted bytes; the second does not exist (404).
  write(served_ + "/683xc", "corrupted");
  const auto r = run_cli("fetch-data --dir " + target_ + " --url-base " + server_->base());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(testing::count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("W3D4_stringer_oribinned1.npz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("corrupted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("W3D4_stringer_oribinned6_split.npz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("404"), std::string::npos) << r.err;
  EXPECT_EQ(entries(target_), 0u);
}

TEST_F(Fetch, CommandTakesTheBaseFromTheEnvironment) {
  write(served_ + "/683xc", "corrupted");
  setenv("NEUROCODEC_DATA_URL_BASE", server_->base().c_str(), 1);
  const auto r = run_cli("fetch-data --quiet --dir " + target_);
  unsetenv("NEUROCODEC_DATA_URL_BASE");
  EXPECT_EQ(r.status, 1);
  // It reached the local server (osf.io is unreachable here): the first file was corrupted.
  EXPECT_NE(r.err.find("corrupted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(server_->base()), std::string::npos) << r.err;
  EXPECT_EQ(entries(target_), 0u);
}

}  // namespace
}  // namespace nc
