#include "cli/blas_spin.hpp"

#include <unistd.h>

#include <cstdlib>

namespace nc::cli {

void exec_with_short_blas_spin(char** argv) {
  if (std::getenv("OPENBLAS_THREAD_TIMEOUT") != nullptr) return;  // the user's value, or done
  if (setenv("OPENBLAS_THREAD_TIMEOUT", "22", 0) != 0) return;
  execv("/proc/self/exe", argv);
  // No /proc (or no exec): go on with OpenBLAS's default, which is only slower.
}

}  // namespace nc::cli
