#pragma once
// The output folder of a run: created if needed and checked for writability before any work
// starts, so a long run never fails at its end for want of a place to write.
#include <string>

namespace nc::runs {

// Creates `dir` (and parents) and checks that a file can be created in it; throws IoError
// naming the folder otherwise.
void prepare_output_dir(const std::string& dir);

// The output folder for the lifetime of a run: prepared (created, checked) on construction;
// when the run fails before writing anything, a folder this run created is removed again, so
// a bad input leaves nothing behind.
class OutputDirGuard {
 public:
  explicit OutputDirGuard(const std::string& dir);
  ~OutputDirGuard();
  OutputDirGuard(const OutputDirGuard&) = delete;
  OutputDirGuard& operator=(const OutputDirGuard&) = delete;

 private:
  std::string dir_;
  bool created_ = false;
};

}  // namespace nc::runs
