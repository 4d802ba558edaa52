// sgemm_peak: measures this machine's single-precision GEMM throughput with the BLAS that
// neurocodec links (OpenBLAS), on a large square product and on the thin products of the
// tutorial's models, so benchmarks can report achieved GFLOP/s next to a measured peak
// (DESIGN.md, "Performance model").
//
// Output: one JSON object per line,
//   {"shape": "...", "m": M, "n": N, "k": K, "trans_a": bool, "trans_b": bool,
//    "reps": R, "best_seconds": s, "gflops": g}
// and last {"peak_gflops": max over shapes, "blas_threads": T}.
// GFLOP per product = 2*M*N*K / 1e9 (one multiply and one add per inner-product term).
// Threads: whatever OpenBLAS uses by default (OPENBLAS_NUM_THREADS, else all cores).
//
// Usage: sgemm_peak [--quick]      (--quick: fewer repetitions, square size 1024)
// Runtime: ~5-15 s on a 2-core machine.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if __has_include(<cblas.h>)
#include <cblas.h>
#define NC_HAVE_CBLAS 1
#else
#define NC_HAVE_CBLAS 0
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c, const int* ldc);
#endif

namespace {

struct Shape {
  const char* name;  // what the product is in the models
  int m, n, k;       // C (m x n) = op(A) (m x k) * op(B) (k x n), row-major
  bool trans_a;      // A stored (k x m) and used transposed
  bool trans_b;      // B stored (n x k) and used transposed
};

// Row-major C (m x n) = op(A) * op(B); A is (m x k), or (k x m) when trans_a;
// B is (k x n), or (n x k) when trans_b.
void sgemm_row_major(const Shape& s, const float* a, const float* b, float* c) {
  const int lda = s.trans_a ? s.m : s.k;
  const int ldb = s.trans_b ? s.k : s.n;
  const int ldc = s.n;
#if NC_HAVE_CBLAS
  cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans,
              s.trans_b ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f, a, lda, b, ldb, 0.0f, c,
              ldc);
#else
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
  const char ta = s.trans_b ? 'T' : 'N';
  const char tb = s.trans_a ? 'T' : 'N';
  const float one = 1.0f, zero = 0.0f;
  sgemm_(&ta, &tb, &s.n, &s.m, &s.k, &one, b, &ldb, a, &lda, &zero, c, &ldc);
#endif
}

int blas_threads() {
#if NC_HAVE_CBLAS && defined(OPENBLAS_CONFIG_H)
  return openblas_get_num_threads();
#else
  return -1;  // unknown
#endif
}

void fill(std::vector<float>& v, unsigned seed) {
  // Cheap deterministic values in [-0.5, 0.5): the timing does not depend on them,
  // but denormals/NaNs must not appear.
  unsigned x = seed * 2654435761u + 1u;
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = static_cast<float>(x >> 8) / static_cast<float>(1u << 24) - 0.5f;
  }
}

struct Result {
  int reps = 0;
  double best = 0.0;
};

// Best time of at least min_reps products, repeating until min_seconds of timed work.
Result time_shape(const Shape& s, int min_reps, double min_seconds) {
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n),
      c(static_cast<size_t>(s.m) * s.n);
  fill(a, 1);
  fill(b, 2);
  sgemm_row_major(s, a.data(), b.data(), c.data());  // warm-up: threads, pages, caches
  Result r;
  r.best = 1e300;
  double total = 0.0;
  while (r.reps < min_reps || total < min_seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    sgemm_row_major(s, a.data(), b.data(), c.data());
    const auto t1 = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(t1 - t0).count();
    r.best = std::min(r.best, dt);
    total += dt;
    ++r.reps;
    if (r.reps >= 200) break;
  }
  // keep the result observable so the products are not optimised away
  volatile float sink = c[c.size() / 2];
  (void)sink;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf("usage: sgemm_peak [--quick]\n");
      return 0;
    } else {
      std::fprintf(stderr, "sgemm_peak: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  const int sq = quick ? 1024 : 2048;
  const int n_neurons = 23589;
  const std::vector<Shape> shapes = {
      {"square", sq, sq, sq, false, false},
      // decoder forward: X_train (216 x N) * W_in^T, W_in (20 x N)
      {"classifier_forward (216x23589)x(23589x20)", 216, 20, n_neurons, false, true},
      // decoder dW_in = dZ^T (20 x 216) * X_train (216 x N)
      {"classifier_dW (20x216)x(216x23589)", 20, n_neurons, 216, true, false},
      // encoder forward: A (60 x 1152) * W_out^T, W_out (N x 1152)
      {"encoder_forward (60x1152)x(1152x23589)", 60, n_neurons, 1152, false, true},
      // encoder dW_out = dY^T (N x 60) * A (60 x 1152)
      {"encoder_dW (23589x60)x(60x1152)", n_neurons, 1152, 60, true, false},
      // encoder dA = dY (60 x N) * W_out (N x 1152)
      {"encoder_dA (60x23589)x(23589x1152)", 60, 1152, n_neurons, false, false},
  };
  const int min_reps = quick ? 2 : 5;
  const double min_seconds = quick ? 0.2 : 1.0;
  double peak = 0.0;
  for (const auto& s : shapes) {
    const Result r = time_shape(s, min_reps, min_seconds);
    const double gflop = 2.0 * s.m * static_cast<double>(s.n) * s.k / 1e9;
    const double gflops = gflop / r.best;
    peak = std::max(peak, gflops);
    std::string name = s.name;
    if (name == "square") name = "square " + std::to_string(sq);
    std::printf(
        "{\"shape\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"trans_a\": %s, \"trans_b\": %s, "
        "\"reps\": %d, \"best_seconds\": %.6g, \"gflops\": %.2f}\n",
        name.c_str(), s.m, s.n, s.k, s.trans_a ? "true" : "false", s.trans_b ? "true" : "false",
        r.reps, r.best, gflops);
    std::fflush(stdout);
  }
  std::printf("{\"peak_gflops\": %.2f, \"blas_threads\": %d}\n", peak, blas_threads());
  return 0;
}
