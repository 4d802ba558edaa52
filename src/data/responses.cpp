#include "data/responses.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/parallel.hpp"

namespace nc::data {

Responses::Responses(RowMat m) : rows_(m.rows()), cols_(m.cols()) {
  auto owned = std::make_shared<const RowMat>(std::move(m));
  data_ = owned->data();
  keep_alive_ = std::move(owned);
}

Responses::Responses(std::shared_ptr<const void> keep_alive, const float* data, int64_t rows,
                     int64_t cols)
    : keep_alive_(std::move(keep_alive)), data_(data), rows_(rows), cols_(cols) {}

Responses::Responses(io::FloatArray a)
    : keep_alive_(std::move(a.owner)), mapping_(std::move(a.mapping)), data_(a.data) {
  if (a.shape.size() != 2) throw std::invalid_argument("Responses: expected a 2-D array");
  rows_ = a.shape[0];
  cols_ = a.shape[1];
}

void Responses::gather(const std::vector<int64_t>& rows, int64_t c0, int64_t n, RowMat& out) const {
  out.resize(static_cast<int64_t>(rows.size()), n);
  gather(rows, c0, n, out.data());
}

void Responses::gather(const std::vector<int64_t>& rows, int64_t c0, int64_t n, float* out) const {
  auto copy = [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      float* dst = out + static_cast<int64_t>(i) * n;
      if (mapping_ != nullptr)
        mapping_->read(row(rows[i]) + c0, static_cast<size_t>(n) * sizeof(float), dst);
      else
        std::copy_n(row(rows[i]) + c0, n, dst);
    }
  };
  // A read from a mapped file is a copy out of the page cache in the kernel, on the calling
  // core: a large block is read by every thread, each a contiguous share of the rows (measured
  // at 10^6 neurons: the Gram pass's reads 7-8 s on one thread of two).
  constexpr size_t kParallelBytes = size_t{4} << 20;
  const auto workers = static_cast<size_t>(thread_count());
  if (mapping_ == nullptr || workers < 2 ||
      rows.size() * static_cast<size_t>(n) * 4 < kParallelBytes) {
    copy(0, rows.size());
    return;
  }
  parallel_for(0, static_cast<int64_t>(workers), [&](int64_t w) {
    const auto k = static_cast<size_t>(w);
    copy(rows.size() * k / workers, rows.size() * (k + 1) / workers);
  });
}

BlockReader Responses::block_reader() const {
  return {rows_, cols_,
          [self = *this](const std::vector<int64_t>& rows, int64_t c0, int64_t n, float* out) {
            self.gather(rows, c0, n, out);
          }};
}

void Responses::release_rows(int64_t r0, int64_t r1) const {
  if (mapping_ == nullptr || r1 <= r0) return;
  mapping_->release(row(r0), row(r1));  // row(rows_) is the end of the data
}

}  // namespace nc::data
