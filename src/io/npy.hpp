#pragma once
// .npy arrays in and out, interoperable with numpy in both directions.
//
// Reading accepts dtypes float32, float64, int32, int64 and bool, little- or big-endian, C or
// Fortran order, format versions 1.0, 2.0 and 3.0. The array is returned in native byte order
// and C (row-major) order whatever the file had, so callers never see the file's layout.
// Object arrays (pickles), strings and other dtypes are refused with an InputError, as numpy
// does with allow_pickle=False. A header that declares more data than the file holds is refused
// before anything is allocated.
//
// Writing produces format 1.0 (2.0 when the header needs it), little-endian, C order.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nc::io {

enum class DType { f32, f64, i32, i64, b1 };

const char* dtype_name(DType t);  // "float32", "float64", "int32", "int64", "bool"
size_t dtype_size(DType t);
// A shape as numpy prints it: "(3, 4)", "(5,)", "()".
std::string shape_string(const std::vector<int64_t>& shape);

struct NpyArray {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;   // numpy shape; empty for a 0-d scalar
  std::vector<std::byte> data;  // native byte order, C order, numel() * dtype_size(dtype) bytes

  int64_t numel() const;
  size_t ndim() const { return shape.size(); }

  // Element-wise conversions (values, not bytes). to_float narrows float64 as numpy's
  // astype(float32) does; to_int64 refuses floating dtypes.
  std::vector<float> to_float() const;
  std::vector<double> to_double() const;
  std::vector<int64_t> to_int64() const;

  // Typed constructors.
  static NpyArray from_float(std::span<const float> v, std::vector<int64_t> shape);
  static NpyArray from_double(std::span<const double> v, std::vector<int64_t> shape);
  static NpyArray from_int64(std::span<const int64_t> v, std::vector<int64_t> shape);
  static NpyArray from_int32(std::span<const int32_t> v, std::vector<int64_t> shape);
  static NpyArray from_bool(std::span<const uint8_t> v, std::vector<int64_t> shape);
};

// What a .npy header says: the array the data after it must fill.
struct NpyHeader {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  bool fortran_order = false;
  bool byte_swap = false;   // the file's byte order differs from this machine's
  size_t data_offset = 0;   // bytes before the data: magic, version, length, header
  uint64_t data_bytes = 0;  // numel * item size, checked for overflow
};

// Parses the header at the start of `bytes`, which may hold only the file's first part (up to
// data_offset): a reader can check sizes before it reads, maps or inflates the data. Throws
// InputError on anything malformed.
NpyHeader parse_npy_header(std::span<const std::byte> bytes, const std::string& what);
// The bytes before the data (magic, version, length field and header) as a file's first 10 or
// 12 bytes declare them: how much a reader must read for parse_npy_header. Throws InputError
// on a bad magic or version.
uint64_t npy_data_offset(std::span<const std::byte> first, const std::string& what);
// The array from its raw data (exactly h.data_bytes), converted in place to native byte order
// and C order: no second copy of the array for a C-order file.
NpyArray npy_from_data(const NpyHeader& h, std::vector<std::byte>&& data);

// Throws InputError when `have` bytes after the header are fewer (truncated) or more (trailing
// data) than the header's array needs.
void check_npy_data_size(const NpyHeader& h, uint64_t have, const std::string& what);

// Parses a whole .npy image held in memory. `what` names the source in error messages
// (e.g. "data.npz:resp"). Throws InputError on anything malformed.
NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& what);

// The .npy header (magic, version, length, dict, padding) of an array of this dtype and shape:
// the data follow it, starting on a 64-byte boundary as numpy writes them.
std::vector<std::byte> serialize_npy_header(DType dtype, const std::vector<int64_t>& shape,
                                            size_t reserve_data = 0);

// Serialises an array to a .npy image.
std::vector<std::byte> serialize_npy(const NpyArray& a);

// File helpers. write_npy writes to a temporary name in the same folder and renames it into
// place, so the final name never holds a partial file.
NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);

// Writes a float32 (rows, cols) .npy a block of columns at a time, never holding the matrix
// (simulate --format npy makes recordings larger than memory this way): the header first, then
// each block's rows at their places in the file. Everything goes to a temporary name beside
// `path` that commit() renames into place (core/atomic_file.hpp); destroyed uncommitted, it
// removes the temporary, so the final name never holds a partial file.
class NpyColumnWriter {
 public:
  NpyColumnWriter(const std::string& path, int64_t rows, int64_t cols);
  ~NpyColumnWriter();
  NpyColumnWriter(const NpyColumnWriter&) = delete;
  NpyColumnWriter& operator=(const NpyColumnWriter&) = delete;
  // Columns [j0, j0 + m) from `block` (rows x m, row-major, m columns per row).
  void write_block(int64_t j0, const float* block, int64_t m);
  void commit();

 private:
  std::string path_, tmp_;
  int fd_ = -1;
  int64_t rows_ = 0, cols_ = 0;
  uint64_t data_offset_ = 0;
};

}  // namespace nc::io
