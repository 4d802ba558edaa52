// A crafted .npz whose member's .npy header claims far more than the zip entry holds (1 GiB of
// deflated zeros, about 1 MB on disk, under a header declaring 4 GB) is refused from the header,
// before the member is inflated: the run's peak memory stays where an empty run's is.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_helpers.hpp"

namespace nc {
namespace {

// Runs the CLI with `args`; returns its exit status and peak resident memory in bytes.
std::pair<int, long> run_measured(const std::string& args, const std::string& dir) {
  const pid_t pid = fork();
  if (pid == 0) {
    freopen((dir + "/stdout").c_str(), "w", stdout);
    freopen((dir + "/stderr").c_str(), "w", stderr);
    execl("/bin/sh", "sh", "-c", (std::string("exec ") + NC_CLI_PATH + " " + args).c_str(),
          nullptr);
    _exit(127);
  }
  int st = 0;
  rusage ru{};
  wait4(pid, &st, 0, &ru);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, ru.ru_maxrss * 1024L};
}

TEST(ZipBomb, LyingMemberCostsItsHeaderNotItsData) {
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
    GTEST_SKIP() << "needs Debian's numpy";
  const std::string dir = testing::fresh_dir("bomb");
  const std::string bomb = dir + "/bomb.npz";
  const std::string script =
      "import io, zipfile, numpy as np\n"
      "h = io.BytesIO(); np.lib.format.write_array_header_1_0(h, {'descr': '<f4', 'fortran_order': "
      "False, "
      "'shape': (1 << 30,)})\n"
      "with zipfile.ZipFile('" +
      bomb +
      "', 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:\n"
      "    with z.open('resp.npy', 'w', force_zip64=True) as f:\n"
      "        f.write(h.getvalue())\n"
      "        for _ in range(64): f.write(bytes(1 << 24))\n"
      "    z.writestr('stimuli.npy', b'')\n";
  std::ofstream(dir + "/make.py") << script;
  ASSERT_EQ(std::system(("/usr/bin/python3 " + dir + "/make.py").c_str()), 0);
  ASSERT_LT(std::filesystem::file_size(bomb), 8u << 20);  // a few MB on disk

  const auto [empty_status, empty_peak] =
      run_measured("decode --data " + dir + "/missing.npz --out " + dir + "/o", dir);
  EXPECT_EQ(empty_status, 1);
  const auto [status, peak] = run_measured("decode --data " + bomb + " --out " + dir + "/o", dir);
  EXPECT_EQ(status, 1);
  const std::string err = testing::slurp(dir + "/stderr");
  EXPECT_EQ(testing::count_lines(err), 1) << err;
  EXPECT_NE(err.find(bomb + ":resp"), std::string::npos) << err;
  EXPECT_NE(err.find("the zip entry declares"), std::string::npos) << err;
  // At most 50 MB above an empty run's peak (it used to inflate the whole GiB, 2.1 GB of RSS).
  EXPECT_LT(peak, empty_peak + (50L << 20))
      << "peak " << peak << " bytes, empty run " << empty_peak;
  EXPECT_FALSE(std::filesystem::exists(dir + "/o"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc
