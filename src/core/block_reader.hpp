#pragma once
// How a pass over blocks of neurons reads a response matrix X (n_rows x n_cols, float,
// row-major) that may lie in memory or in a file: `gather` copies one block of columns of the
// listed rows into a contiguous buffer. Passes written against it (the Gram matrices of
// nn/gram.hpp, the dual form's W_in) need not know where X lies; data::Responses gives the
// reader of a mapped file, which reads with pread instead of faulting its pages in.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/tensor.hpp"

namespace nc {

struct BlockReader {
  int64_t rows = 0, cols = 0;
  // out[rows.size() * n] = X[rows, c0:c0+n], row-major in list order, into the caller's buffer
  // (which may hold more rows after these).
  std::function<void(const std::vector<int64_t>& rows, int64_t c0, int64_t n, float* out)>
      gather_to;
  // The same into out, resized to (rows.size(), n).
  void gather(const std::vector<int64_t>& list, int64_t c0, int64_t n, RowMat& out) const {
    out.resize(static_cast<int64_t>(list.size()), n);
    gather_to(list, c0, n, out.data());
  }
};

// out[rows.size() * n] = x[rows, c0:c0+n]: a copy from memory.
inline void gather_block(CMatMap x, const std::vector<int64_t>& rows, int64_t c0, int64_t n,
                         float* out) {
  for (size_t i = 0; i < rows.size(); ++i)
    std::copy_n(x.data() + rows[i] * x.cols() + c0, n, out + static_cast<int64_t>(i) * n);
}

// The reader of a matrix in memory (it must outlive the reader).
inline BlockReader memory_block_reader(CMatMap x) {
  return {x.rows(), x.cols(),
          [x](const std::vector<int64_t>& rows, int64_t c0, int64_t n, float* out) {
            gather_block(x, rows, c0, n, out);
          }};
}

// 0, 1, ..., n - 1: every row, for passes over all of them.
inline std::vector<int64_t> all_rows(int64_t n) {
  std::vector<int64_t> r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[static_cast<size_t>(i)] = i;
  return r;
}

}  // namespace nc
