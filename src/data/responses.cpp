#include "data/responses.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

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
  for (size_t i = 0; i < rows.size(); ++i) {
    float* dst = out + static_cast<int64_t>(i) * n;
    if (mapping_ != nullptr)
      mapping_->read(row(rows[i]) + c0, static_cast<size_t>(n) * sizeof(float), dst);
    else
      std::copy_n(row(rows[i]) + c0, n, dst);
  }
}

BlockReader Responses::block_reader() const {
  return {rows_, cols_,
          [self = *this](const std::vector<int64_t>& rows, int64_t c0, int64_t n, RowMat& out) {
            self.gather(rows, c0, n, out);
          }};
}

void Responses::release_rows(int64_t r0, int64_t r1) const {
  if (mapping_ == nullptr || r1 <= r0) return;
  mapping_->release(row(r0), row(r1));  // row(rows_) is the end of the data
}

}  // namespace nc::data
