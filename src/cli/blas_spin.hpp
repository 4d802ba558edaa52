#pragma once
// OpenBLAS's idle worker threads spin for 2^28 cycles (about 0.1 s) after each call before
// they sleep, on the cores that neurocodec's own threads need between calls: the dual form's
// Gram pass reads each block and smooths its tuning curves between its SSYRK and SGEMM calls.
// Measured at 10^6 neurons x 4,000 trials on a 2-core AMD EPYC, file in the page cache: with
// the default, the pass's reads took 5.0 s, the pass 84.6 s and the run 103.9 s; with 2^22
// cycles (about 1.4 ms, still long enough that back-to-back calls find the workers awake)
// 4.3, 79.3 and 97.9 s.
//
// OpenBLAS reads OPENBLAS_THREAD_TIMEOUT once, when it is loaded, before main runs (and libc
// resets the environment after any earlier hook), so the only documented way to set it is the
// environment at exec: when the variable is unset, this sets it to 22 and executes the program
// again with the same arguments. A value the user set is kept; without /proc/self/exe the
// program goes on with the default. The Python module leaves it to its users.
namespace nc::cli {

void exec_with_short_blas_spin(char** argv);

}  // namespace nc::cli
