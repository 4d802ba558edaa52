#pragma once
// The response matrix (n_stimuli x n_neurons, float32, row-major) wherever it lies: owned in
// memory, memory-mapped from a .npy or a stored .npz member (io/mapped_file.hpp), or borrowed
// from a caller such as a numpy array, together with whatever keeps that memory alive. It is
// read-only and cheap to copy (copies share the memory), so a dataset, its folds and the jobs of
// a sweep all see one array; a fit takes the rows it needs through index lists, not copies.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/block_reader.hpp"
#include "core/tensor.hpp"
#include "io/mapped_file.hpp"

namespace nc::data {

class Responses {
 public:
  Responses() = default;
  // Owns m (moved in).
  Responses(RowMat m);  // NOLINT(google-explicit-constructor): a matrix is a valid Responses
  // Borrows `rows` x `cols` floats at `data`, kept alive by `keep_alive`.
  Responses(std::shared_ptr<const void> keep_alive, const float* data, int64_t rows, int64_t cols);
  // A 2-D float array opened by io (mapped or read).
  explicit Responses(io::FloatArray a);

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t size() const { return rows_ * cols_; }
  const float* data() const { return data_; }
  const float* row(int64_t i) const { return data_ + i * cols_; }
  float operator()(int64_t i, int64_t j) const { return data_[i * cols_ + j]; }
  CMatMap map() const { return CMatMap(data_, rows_, cols_); }

  bool mapped() const { return mapping_ != nullptr; }
  // out (rows.size(), n) = columns [c0, c0 + n) of the listed rows, in list order. A mapped
  // matrix is read with pread (io::FileMapping::read), not through its mapping: passes that
  // gather short segments of many rows (a block of neurons) would otherwise fault in and drop
  // pages a few at a time, which costs more than the copy.
  void gather(const std::vector<int64_t>& rows, int64_t c0, int64_t n, RowMat& out) const;
  // The same into out[rows.size() * n] (a caller's buffer, reused across passes).
  void gather(const std::vector<int64_t>& rows, int64_t c0, int64_t n, float* out) const;
  // The reader passes over neuron blocks take (core/block_reader.hpp); it shares this
  // matrix's memory and keep-alive.
  BlockReader block_reader() const;
  // For a mapped matrix, drops this process's pages of rows [r0, r1) once a pass over row
  // slices is done with them (io::FileMapping::release); nothing for memory it owns or
  // borrows. Passes over blocks of neurons read with gather() instead and map no pages.
  void release_rows(int64_t r0, int64_t r1) const;

 private:
  std::shared_ptr<const void> keep_alive_;
  std::shared_ptr<const io::FileMapping> mapping_;
  const float* data_ = nullptr;
  int64_t rows_ = 0, cols_ = 0;
};

}  // namespace nc::data

namespace nc {
// The kernels' Map argument, as for a RowMat (core/tensor.hpp).
inline CMatMap cmap(const data::Responses& r) {
  return r.map();
}
}  // namespace nc
