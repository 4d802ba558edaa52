#include "io/npy.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace nc::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kHeaderAlign = 64;  // numpy >= 1.14 aligns the data start to 64 bytes
// Nesting limit for the header's literal: numpy's own headers nest two deep; the limit keeps a
// hostile header from exhausting the stack of the recursive-descent parser.
constexpr int kMaxLiteralDepth = 32;
// numpy 2 allows at most 64 dimensions.
constexpr size_t kMaxDims = 64;

// Error messages are one line: bytes taken from the file are escaped and cut short.
std::string printable(std::string_view s, size_t max_len = 48) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Appending rather than "'" + s + "'" sidesteps a false -Wrestrict in GCC 12 (PR 105329).
std::string quoted(std::string_view s) {
  std::string out = "'";
  out += printable(s);
  out += '\'';
  return out;
}

// --- The header's Python literal ------------------------------------------------------------

// The subset of Python literals numpy headers use (ast.literal_eval in numpy itself): strings,
// integers, True/False/None, tuples, lists and dicts.
struct PyValue {
  enum class Kind { str, boolean, none, integer, tuple, list, dict };
  Kind kind = Kind::none;
  std::string str;
  bool boolean = false;
  int64_t integer = 0;
  bool int_overflow = false;   // an integer literal beyond int64
  std::vector<PyValue> items;  // tuple / list elements; dict: key, value, key, value...
};

class LiteralParser {
 public:
  LiteralParser(std::string_view src, const std::string& what) : src_(src), what_(what) {}

  PyValue parse_all() {
    PyValue v = parse_value(0);
    skip_ws();
    if (pos_ != src_.size()) fail("unexpected '" + printable(src_.substr(pos_, 8)) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(what_ + ": .npy header is not a valid dict literal: " + msg + " at byte " +
                     std::to_string(pos_) + " of the header");
  }

  void skip_ws() {
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') break;
      ++pos_;
    }
  }

  bool at_end() const { return pos_ >= src_.size(); }
  char peek() const { return src_[pos_]; }

  PyValue parse_value(int depth) {
    if (depth > kMaxLiteralDepth) fail("nesting deeper than " + std::to_string(kMaxLiteralDepth));
    skip_ws();
    if (at_end()) fail("unexpected end");
    const char c = peek();
    if (c == '\'' || c == '"') return parse_string();
    // u'...' from headers written by numpy under Python 2.
    if ((c == 'u' || c == 'U') && pos_ + 1 < src_.size() &&
        (src_[pos_ + 1] == '\'' || src_[pos_ + 1] == '"')) {
      ++pos_;
      return parse_string();
    }
    if (c == '(') return parse_sequence(depth, ')', PyValue::Kind::tuple);
    if (c == '[') return parse_sequence(depth, ']', PyValue::Kind::list);
    if (c == '{') return parse_dict(depth);
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return parse_int();
    if (consume_word("True")) return make_bool(true);
    if (consume_word("False")) return make_bool(false);
    if (consume_word("None")) return PyValue{};
    fail("unexpected '" + printable(src_.substr(pos_, 8)) + "'");
  }

  static PyValue make_bool(bool b) {
    PyValue v;
    v.kind = PyValue::Kind::boolean;
    v.boolean = b;
    return v;
  }

  static bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  bool consume_word(std::string_view w) {
    if (src_.substr(pos_, w.size()) != w) return false;
    if (pos_ + w.size() < src_.size() && is_ident_char(src_[pos_ + w.size()])) return false;
    pos_ += w.size();
    return true;
  }

  PyValue parse_string() {
    const char quote = src_[pos_++];
    PyValue v;
    v.kind = PyValue::Kind::str;
    while (true) {
      if (at_end()) fail("unterminated string");
      char c = src_[pos_++];
      if (c == quote) break;
      if (c == '\n') fail("newline inside a string");
      // Escapes only matter for telling where the string ends; their meaning is irrelevant
      // because no supported descr contains one.
      if (c == '\\') {
        if (at_end()) fail("unterminated string");
        c = src_[pos_++];
      }
      v.str += c;
    }
    return v;
  }

  PyValue parse_int() {
    bool negative = false;
    if (peek() == '-' || peek() == '+') {
      negative = peek() == '-';
      ++pos_;
      skip_ws();
    }
    if (at_end() || peek() < '0' || peek() > '9') fail("expected a digit");
    PyValue v;
    v.kind = PyValue::Kind::integer;
    uint64_t mag = 0;
    constexpr uint64_t limit = uint64_t{1} << 63;  // |INT64_MIN|
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      const auto d = static_cast<uint64_t>(peek() - '0');
      if (mag > (limit - d) / 10) v.int_overflow = true;
      if (!v.int_overflow) mag = mag * 10 + d;
      ++pos_;
    }
    // Python 2 longs ("3L") appear in headers written by old numpy versions.
    if (!at_end() && (peek() == 'L' || peek() == 'l')) ++pos_;
    if (!at_end() && (is_ident_char(peek()) || peek() == '.')) fail("not an integer");
    if (!v.int_overflow) {
      if (negative) {
        v.integer = mag == limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(mag);
      } else if (mag == limit) {
        v.int_overflow = true;
      } else {
        v.integer = static_cast<int64_t>(mag);
      }
    }
    return v;
  }

  // "(a)" is the value a in Python, "(a,)" a 1-tuple, "()" the empty tuple.
  PyValue parse_sequence(int depth, char close, PyValue::Kind kind) {
    ++pos_;
    PyValue v;
    v.kind = kind;
    bool saw_comma = false;
    while (true) {
      skip_ws();
      if (at_end()) fail("unterminated sequence");
      if (peek() == close) {
        ++pos_;
        break;
      }
      v.items.push_back(parse_value(depth + 1));
      skip_ws();
      if (at_end()) fail("unterminated sequence");
      if (peek() == ',') {
        ++pos_;
        saw_comma = true;
      } else if (peek() != close) {
        fail("expected ',' or '" + std::string(1, close) + "'");
      }
    }
    if (kind == PyValue::Kind::tuple && v.items.size() == 1 && !saw_comma) {
      return std::move(v.items[0]);
    }
    return v;
  }

  PyValue parse_dict(int depth) {
    ++pos_;
    PyValue v;
    v.kind = PyValue::Kind::dict;
    while (true) {
      skip_ws();
      if (at_end()) fail("unterminated dict");
      if (peek() == '}') {
        ++pos_;
        break;
      }
      v.items.push_back(parse_value(depth + 1));
      skip_ws();
      if (at_end() || peek() != ':') fail("expected ':'");
      ++pos_;
      v.items.push_back(parse_value(depth + 1));
      skip_ws();
      if (at_end()) fail("unterminated dict");
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    return v;
  }

  std::string_view src_;
  const std::string& what_;
  size_t pos_ = 0;
};

// --- dtype ----------------------------------------------------------------------------------

struct FileDType {
  DType dtype;
  bool swap;  // the file's byte order differs from this machine's
};

[[noreturn]] void refuse_dtype(const std::string& what, const std::string& shown,
                               const std::string& why) {
  throw InputError(what + ": dtype " + shown +
                   " is not supported (expected float32, float64, int32, int64 or bool); " + why);
}

FileDType parse_descr(const PyValue& descr, const std::string& what) {
  if (descr.kind != PyValue::Kind::str) {
    refuse_dtype(what, "with fields", "structured arrays are refused");
  }
  const std::string& d = descr.str;
  const std::string shown = quoted(d);
  std::string_view rest = d;
  char order = '=';
  if (!rest.empty() && (rest[0] == '<' || rest[0] == '>' || rest[0] == '=' || rest[0] == '|')) {
    order = rest[0];
    rest.remove_prefix(1);
  }
  std::optional<DType> t;
  if (rest == "f4") t = DType::f32;
  if (rest == "f8") t = DType::f64;
  if (rest == "i4") t = DType::i32;
  if (rest == "i8") t = DType::i64;
  if (rest == "b1" || rest == "?") t = DType::b1;
  if (!t) {
    const char kind = rest.empty() ? '\0' : rest[0];
    if (kind == 'O') refuse_dtype(what, shown, "object arrays are refused");
    if (kind == 'U' || kind == 'S' || kind == 'a') {
      refuse_dtype(what, shown, "string arrays are refused");
    }
    if (kind == 'c') refuse_dtype(what, shown, "complex arrays are refused");
    if (kind == 'V') refuse_dtype(what, shown, "structured arrays are refused");
    if (kind == 'M' || kind == 'm') refuse_dtype(what, shown, "datetime arrays are refused");
    refuse_dtype(what, shown, "convert it in numpy first, e.g. with .astype(np.float32)");
  }
  const size_t size = dtype_size(*t);
  // '|' means "byte order not applicable", which is only true of one-byte types.
  if (order == '|' && size != 1) {
    throw InputError(what + ": dtype " + shown + " has no byte order ('|') but its items are " +
                     std::to_string(size) + " bytes (expected '<' or '>')");
  }
  bool swap = false;
  if (size > 1) {
    if (order == '<') swap = std::endian::native != std::endian::little;
    if (order == '>') swap = std::endian::native != std::endian::big;
  }
  return {*t, swap};
}

// --- data layout ----------------------------------------------------------------------------

void byte_swap_items(std::vector<std::byte>& data, size_t item) {
  for (size_t i = 0; i + item <= data.size(); i += item) {
    std::reverse(data.begin() + static_cast<ptrdiff_t>(i),
                 data.begin() + static_cast<ptrdiff_t>(i + item));
  }
}

// Fortran (column-major) bytes to C (row-major) order. Walks the C-order output with an
// odometer over the index and keeps the matching Fortran offset up to date incrementally.
std::vector<std::byte> fortran_to_c(const std::vector<std::byte>& src,
                                    const std::vector<int64_t>& shape, size_t item) {
  std::vector<std::byte> dst(src.size());
  const size_t nd = shape.size();
  if (src.empty()) return dst;
  std::vector<size_t> fstride(nd);  // Fortran strides in items
  size_t s = 1;
  for (size_t k = 0; k < nd; ++k) {
    fstride[k] = s;
    s *= static_cast<size_t>(shape[k]);
  }
  std::vector<size_t> idx(nd, 0);
  size_t foff = 0;
  const size_t n = src.size() / item;
  for (size_t c = 0; c < n; ++c) {
    std::memcpy(dst.data() + c * item, src.data() + foff * item, item);
    // Advance the C-order index: the last axis moves fastest.
    for (size_t k = nd; k-- > 0;) {
      if (++idx[k] < static_cast<size_t>(shape[k])) {
        foff += fstride[k];
        break;
      }
      foff -= (idx[k] - 1) * fstride[k];
      idx[k] = 0;
    }
  }
  return dst;
}

// Number of elements, refusing negative dimensions and any product that overflows, even when
// another dimension is zero (numpy refuses those too).
int64_t checked_numel(const std::vector<int64_t>& shape, size_t item, const std::string& what) {
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0) {
      throw InputError(what + ": shape " + shape_string(shape) +
                       " has a negative dimension (expected non-negative integers)");
    }
    if (d == 0) {
      zero = true;
      continue;
    }
    if (n > std::numeric_limits<int64_t>::max() / d ||
        n * d > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(item)) {
      throw InputError(what + ": shape " + shape_string(shape) +
                       " is too large (its byte count overflows 64 bits)");
    }
    n *= d;
  }
  return zero ? 0 : n;
}

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class Out>
std::vector<Out> convert(const NpyArray& a) {
  const size_t n = a.data.size() / dtype_size(a.dtype);
  std::vector<Out> out(n);
  const std::byte* p = a.data.data();
  for (size_t i = 0; i < n; ++i) {
    switch (a.dtype) {
      case DType::f32:
        out[i] = static_cast<Out>(load<float>(p + 4 * i));
        break;
      case DType::f64:
        out[i] = static_cast<Out>(load<double>(p + 8 * i));
        break;
      case DType::i32:
        out[i] = static_cast<Out>(load<int32_t>(p + 4 * i));
        break;
      case DType::i64:
        out[i] = static_cast<Out>(load<int64_t>(p + 8 * i));
        break;
      case DType::b1:
        out[i] = static_cast<Out>(p[i] != std::byte{0});
        break;
    }
  }
  return out;
}

template <class T>
NpyArray make_array(DType t, std::span<const T> v, std::vector<int64_t> shape, const char* fn) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > std::numeric_limits<int64_t>::max() / d)) {
      throw std::invalid_argument(std::string(fn) + ": invalid shape " + shape_string(shape));
    }
    n *= d;
  }
  if (static_cast<uint64_t>(n) != v.size()) {
    throw std::invalid_argument(std::string(fn) + ": " + std::to_string(v.size()) +
                                " values do not fill shape " + shape_string(shape));
  }
  NpyArray a;
  a.dtype = t;
  a.shape = std::move(shape);
  a.data.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32:
      return "float32";
    case DType::f64:
      return "float64";
    case DType::i32:
      return "int32";
    case DType::i64:
      return "int64";
    case DType::b1:
      return "bool";
  }
  return "unknown";
}

size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32:
      return 4;
    case DType::f64:
      return 8;
    case DType::i32:
      return 4;
    case DType::i64:
      return 8;
    case DType::b1:
      return 1;
  }
  return 1;
}

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<float> NpyArray::to_float() const {
  return convert<float>(*this);
}
std::vector<double> NpyArray::to_double() const {
  return convert<double>(*this);
}

std::vector<int64_t> NpyArray::to_int64() const {
  if (dtype == DType::f32 || dtype == DType::f64) {
    throw InputError(std::string("array of dtype ") + dtype_name(dtype) + " shape " +
                     shape_string(shape) +
                     " cannot be read as integers (expected int32, int64 or bool)");
  }
  return convert<int64_t>(*this);
}

NpyArray NpyArray::from_float(std::span<const float> v, std::vector<int64_t> shape) {
  return make_array(DType::f32, v, std::move(shape), "NpyArray::from_float");
}
NpyArray NpyArray::from_double(std::span<const double> v, std::vector<int64_t> shape) {
  return make_array(DType::f64, v, std::move(shape), "NpyArray::from_double");
}
NpyArray NpyArray::from_int64(std::span<const int64_t> v, std::vector<int64_t> shape) {
  return make_array(DType::i64, v, std::move(shape), "NpyArray::from_int64");
}
NpyArray NpyArray::from_int32(std::span<const int32_t> v, std::vector<int64_t> shape) {
  return make_array(DType::i32, v, std::move(shape), "NpyArray::from_int32");
}
NpyArray NpyArray::from_bool(std::span<const uint8_t> v, std::vector<int64_t> shape) {
  NpyArray a = make_array(DType::b1, v, std::move(shape), "NpyArray::from_bool");
  for (auto& b : a.data) b = b != std::byte{0} ? std::byte{1} : std::byte{0};
  return a;
}

namespace {

// The fixed part before the header: magic, version, header length. Sets the prefix's size.
// The header length the prefix declares (magic, version, length field: `prefix` bytes); the
// header itself need not be in `bytes` yet.
uint64_t npy_declared_header_length(std::span<const std::byte> bytes, const std::string& what,
                                    size_t& prefix) {
  if (bytes.empty()) throw InputError(what + ": empty, expected a .npy array");
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (std::memcmp(raw, kMagic, std::min(size, kMagicLen)) != 0) {
    throw InputError(what + ": not a .npy array (bad magic; expected \\x93NUMPY)");
  }
  if (size < 10) {
    throw InputError(what + ": truncated .npy file (" + std::to_string(size) +
                     " bytes; expected a magic, a version and a header length)");
  }
  const int major = raw[6], minor = raw[7];
  uint64_t header_len = 0;
  if (major == 1 && minor == 0) {
    prefix = 10;
    header_len = raw[8] | (uint64_t{raw[9]} << 8);
  } else if ((major == 2 || major == 3) && minor == 0) {
    prefix = 12;
    if (size < prefix) {
      throw InputError(what + ": truncated .npy file (" + std::to_string(size) +
                       " bytes; expected a magic, a version and a header length)");
    }
    header_len =
        raw[8] | (uint64_t{raw[9]} << 8) | (uint64_t{raw[10]} << 16) | (uint64_t{raw[11]} << 24);
  } else {
    throw InputError(what + ": unsupported .npy format version " + std::to_string(major) + "." +
                     std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  return header_len;
}

uint64_t npy_header_length(std::span<const std::byte> bytes, const std::string& what,
                           size_t& prefix) {
  const uint64_t header_len = npy_declared_header_length(bytes, what, prefix);
  const size_t size = bytes.size();
  if (header_len > size - prefix) {
    throw InputError(what + ": truncated .npy header (declares " + std::to_string(header_len) +
                     " bytes, " + std::to_string(size - prefix) + " present)");
  }
  return header_len;
}

// The header dict's three values, each present once and nothing else.
struct HeaderFields {
  const PyValue* descr = nullptr;
  const PyValue* fortran = nullptr;
  const PyValue* shape = nullptr;
};

HeaderFields header_fields(const PyValue& dict, const std::string& what) {
  const PyValue* descr = nullptr;
  const PyValue* fortran = nullptr;
  const PyValue* shape_v = nullptr;
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PyValue& k = dict.items[i];
    const PyValue* v = &dict.items[i + 1];
    const std::string key = k.kind == PyValue::Kind::str ? k.str : std::string();
    const PyValue** slot = key == "descr"           ? &descr
                           : key == "fortran_order" ? &fortran
                           : key == "shape"         ? &shape_v
                                                    : nullptr;
    if (!slot) {
      throw InputError(what + ": .npy header has unexpected key " +
                       (k.kind == PyValue::Kind::str ? quoted(key) : "(not a string)") +
                       " (expected descr, fortran_order, shape)");
    }
    if (*slot) throw InputError(what + ": .npy header repeats key " + quoted(key));
    *slot = v;
  }
  if (!descr || !fortran || !shape_v) {
    throw InputError(what + ": .npy header lacks key '" +
                     (!descr     ? "descr"
                      : !fortran ? "fortran_order"
                                 : "shape") +
                     "' (expected descr, fortran_order, shape)");
  }
  return {descr, fortran, shape_v};
}

}  // namespace

uint64_t npy_data_offset(std::span<const std::byte> first, const std::string& what) {
  size_t prefix = 0;
  const uint64_t header_len = npy_declared_header_length(first, what, prefix);
  return prefix + header_len;
}

NpyHeader parse_npy_header(std::span<const std::byte> bytes, const std::string& what) {
  size_t prefix = 0;
  const uint64_t header_len = npy_header_length(bytes, what, prefix);
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::string_view header(reinterpret_cast<const char*>(raw + prefix), header_len);
  const PyValue dict = LiteralParser(header, what).parse_all();
  if (dict.kind != PyValue::Kind::dict) {
    throw InputError(what +
                     ": .npy header is not a dict (expected keys descr, fortran_order, "
                     "shape)");
  }
  const auto [descr, fortran, shape_v] = header_fields(dict, what);
  const FileDType ft = parse_descr(*descr, what);
  if (fortran->kind != PyValue::Kind::boolean) {
    throw InputError(what + ": .npy header's fortran_order is not True or False");
  }
  if (shape_v->kind != PyValue::Kind::tuple) {
    throw InputError(what + ": .npy header's shape is not a tuple of integers");
  }
  if (shape_v->items.size() > kMaxDims) {
    throw InputError(what + ": .npy shape has " + std::to_string(shape_v->items.size()) +
                     " dimensions (at most " + std::to_string(kMaxDims) + " are supported)");
  }
  NpyHeader a;
  a.dtype = ft.dtype;
  a.byte_swap = ft.swap;
  a.fortran_order = fortran->boolean;
  a.data_offset = prefix + header_len;
  for (const PyValue& d : shape_v->items) {
    if (d.kind != PyValue::Kind::integer) {
      throw InputError(what + ": .npy header's shape is not a tuple of integers");
    }
    if (d.int_overflow) {
      throw InputError(what + ": .npy shape has a dimension beyond 64 bits");
    }
    a.shape.push_back(d.integer);
  }
  a.data_bytes = static_cast<uint64_t>(checked_numel(a.shape, dtype_size(a.dtype), what)) *
                 dtype_size(a.dtype);
  return a;
}

NpyArray npy_from_data(const NpyHeader& h, std::vector<std::byte>&& data) {
  assert(data.size() == h.data_bytes);
  NpyArray a;
  a.dtype = h.dtype;
  a.shape = h.shape;
  a.data = std::move(data);
  const size_t item = dtype_size(a.dtype);
  if (h.byte_swap) byte_swap_items(a.data, item);
  if (a.dtype == DType::b1) {
    for (auto& b : a.data) b = b != std::byte{0} ? std::byte{1} : std::byte{0};
  }
  if (h.fortran_order && a.shape.size() > 1) a.data = fortran_to_c(a.data, a.shape, item);
  return a;
}

void check_npy_data_size(const NpyHeader& h, uint64_t have, const std::string& what) {
  const uint64_t need = h.data_bytes;
  if (have < need) {
    throw InputError(what + ": truncated .npy data: shape " + shape_string(h.shape) + " of " +
                     dtype_name(h.dtype) + " needs " + std::to_string(need) + " bytes, " +
                     std::to_string(have) + " present");
  }
  if (have > need) {
    throw InputError(what + ": " + std::to_string(have - need) +
                     " bytes of trailing data after the array (shape " + shape_string(h.shape) +
                     " of " + dtype_name(h.dtype) + " needs " + std::to_string(need) + " bytes)");
  }
}

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& what) {
  const NpyHeader h = parse_npy_header(bytes, what);
  // Compare what the header promises with what is there before allocating anything.
  const uint64_t need = h.data_bytes;
  check_npy_data_size(h, bytes.size() - h.data_offset, what);
  const std::byte* payload = bytes.data() + h.data_offset;
  return npy_from_data(h, std::vector<std::byte>(payload, payload + need));
}

std::vector<std::byte> serialize_npy_header(DType dtype, const std::vector<int64_t>& shape,
                                            size_t reserve_data) {
  const NpyArray a{dtype, shape, {}};  // only its dtype and shape are read below
  const char* descr = "";
  switch (a.dtype) {
    case DType::f32:
      descr = "<f4";
      break;
    case DType::f64:
      descr = "<f8";
      break;
    case DType::i32:
      descr = "<i4";
      break;
    case DType::i64:
      descr = "<i8";
      break;
    case DType::b1:
      descr = "|b1";
      break;
  }
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape_string(a.shape) + ", }";
  // Pad with spaces and end with '\n' so the data starts on a 64-byte boundary, as numpy does.
  size_t prefix = 10;
  auto pad = [&](size_t pre) {
    const size_t total = pre + header.size() + 1;
    return std::string((kHeaderAlign - total % kHeaderAlign) % kHeaderAlign, ' ') + "\n";
  };
  std::string padded = header + pad(prefix);
  if (padded.size() > 65535) {
    prefix = 12;
    padded = header + pad(prefix);
  }
  std::vector<std::byte> out;
  out.reserve(prefix + padded.size() + reserve_data);
  auto put = [&](uint8_t b) { out.push_back(static_cast<std::byte>(b)); };
  for (size_t i = 0; i < kMagicLen; ++i) put(static_cast<uint8_t>(kMagic[i]));
  put(prefix == 10 ? 1 : 2);
  put(0);
  const size_t hl = padded.size();
  put(static_cast<uint8_t>(hl & 0xff));
  put(static_cast<uint8_t>((hl >> 8) & 0xff));
  if (prefix == 12) {
    put(static_cast<uint8_t>((hl >> 16) & 0xff));
    put(static_cast<uint8_t>((hl >> 24) & 0xff));
  }
  for (char c : padded) put(static_cast<uint8_t>(c));
  return out;
}

std::vector<std::byte> serialize_npy(const NpyArray& a) {
  for (int64_t d : a.shape) {
    if (d < 0)
      throw std::invalid_argument("serialize_npy: negative dimension in shape " +
                                  shape_string(a.shape));
  }
  const size_t item = dtype_size(a.dtype);
  if (a.data.size() != static_cast<uint64_t>(a.numel()) * item) {
    throw std::invalid_argument("serialize_npy: " + std::to_string(a.data.size()) +
                                " bytes of data do not match shape " + shape_string(a.shape) +
                                " of " + dtype_name(a.dtype));
  }
  std::vector<std::byte> out = serialize_npy_header(a.dtype, a.shape, a.data.size());
  const size_t data_start = out.size();
  out.insert(out.end(), a.data.begin(), a.data.end());
  std::span<std::byte> data(out.data() + data_start, a.data.size());
  if (a.dtype == DType::b1) {
    for (auto& b : data) b = b != std::byte{0} ? std::byte{1} : std::byte{0};
  } else if (std::endian::native != std::endian::little) {
    for (size_t i = 0; i + item <= data.size(); i += item) {
      std::reverse(data.begin() + static_cast<ptrdiff_t>(i),
                   data.begin() + static_cast<ptrdiff_t>(i + item));
    }
  }
  return out;
}

NpyArray read_npy(const std::string& path) {
  return parse_npy(read_file_bytes(path), path);
}

void write_npy(const std::string& path, const NpyArray& a) {
  write_file_atomic(path, serialize_npy(a));
}

}  // namespace nc::io
