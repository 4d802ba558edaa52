// The decoder's column-blocked step (train/column_blocked_step.hpp) on the tutorial's shapes, with
// the library products (Eigen on OpenBLAS) and with the hand-written kernels
// (nn/wide_linear_kernels.hpp): the best time of many repetitions and the GFLOP/s of each, in
// one run, so that the two can be compared on a noisy machine.
//
//   build/wide_step [--neurons N] [--train R] [--test R] [--hidden H] [--reps K]
//
// One step = dW = dPreᵀ X_train (2 H R_train N), then X_train Wᵀ and X_test Wᵀ (2 H (R_train +
// R_test) N): 0.54 GFLOP at the tutorial's 216 + 144 rows, 23589 neurons, 20 hidden units.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "nn/wide_linear_kernels.hpp"
#include "train/column_blocked_step.hpp"

namespace {

struct Args {
  int64_t neurons = 23589, train = 216, test = 144, hidden = 20, reps = 40;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "wide_step: %s needs a value\n", k.c_str());
      std::exit(2);
    }
    const int64_t v = std::atoll(argv[++i]);
    if (v <= 0) {
      std::fprintf(stderr, "wide_step: %s must be a positive integer\n", k.c_str());
      std::exit(2);
    }
    if (k == "--neurons")
      a.neurons = v;
    else if (k == "--train")
      a.train = v;
    else if (k == "--test")
      a.test = v;
    else if (k == "--hidden")
      a.hidden = v;
    else if (k == "--reps")
      a.reps = v;
    else {
      std::fprintf(stderr, "wide_step: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

nc::RowMat random_mat(int64_t r, int64_t c, nc::Rng& rng, float scale) {
  nc::RowMat m(r, c);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<float>(rng.normal());
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  nc::Rng rng(7);
  const nc::RowMat x_tr = random_mat(a.train, a.neurons, rng, 1.0f),
                   x_te = random_mat(a.test, a.neurons, rng, 1.0f);
  const nc::RowMat dpre = random_mat(a.train, a.hidden, rng, 1e-3f),
                   w0 = random_mat(a.hidden, a.neurons, rng, 0.01f);
  nc::RowMat pre_tr(a.train, a.hidden), pre_te(a.test, a.hidden);
  std::vector<float> backup(static_cast<size_t>(a.hidden * a.neurons));
  const double flop = 2.0 * a.hidden * a.neurons * (2.0 * a.train + a.test);
  std::printf(
      "{\"neurons\": %lld, \"train\": %lld, \"test\": %lld, \"hidden\": %lld, \"threads\": %d, "
      "\"gflop_per_step\": %.4f, \"hand_kernels_compiled\": %s, \"kernel_path\": \"%s\"}\n",
      static_cast<long long>(a.neurons), static_cast<long long>(a.train),
      static_cast<long long>(a.test), static_cast<long long>(a.hidden), nc::thread_count(),
      flop / 1e9, nc::wide_kernels_available() ? "true" : "false",
      nc::train::wide_kernel_path(a.train + a.test).c_str());
  const nc::train::WideKernels kinds[] = {nc::train::WideKernels::library,
                                          nc::train::WideKernels::hand};
  const char* names[] = {"library", "hand"};
  double best[2] = {1e30, 1e30};
  nc::RowMat w = w0;
  // Interleaved, so that both see the same machine load.
  for (int64_t r = 0; r < a.reps; ++r) {
    for (int k = 0; k < 2; ++k) {
      w = w0;  // the same step every time
      nc::WeightSums sums;
      const auto t0 = std::chrono::steady_clock::now();
      nc::train::column_blocked_sgd_step(
          w.data(), backup.data(), a.hidden, a.neurons,
          nc::CMatMap(x_tr.data(), a.train, a.neurons), nc::CMatMap(x_te.data(), a.test, a.neurons),
          nc::CMatMap(dpre.data(), a.train, a.hidden), nc::MatMap(pre_tr.data(), a.train, a.hidden),
          nc::MatMap(pre_te.data(), a.test, a.hidden), {.lr = 0.1f, .l1 = 5e-4f, .l2 = 1e-2f},
          &sums, kinds[k]);
      best[k] = std::min(
          best[k], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  for (int k = 0; k < 2; ++k)
    std::printf("{\"kernels\": \"%s\", \"best_ms\": %.3f, \"gflops\": %.1f}\n", names[k],
                best[k] * 1e3, flop / best[k] / 1e9);
  std::printf("{\"speedup_hand_vs_library\": %.2f}\n", best[0] / best[1]);
  return 0;
}
