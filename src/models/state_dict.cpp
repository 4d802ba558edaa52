#include "models/state_dict.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace nc::models {
namespace {}  // namespace

io::NpzContents state_dict(const ParameterSet& p) {
  io::NpzContents out;
  for (const auto& v : p.views())
    out[v.name] = io::NpyArray::from_float({p.values.data() + v.offset, v.size}, v.shape);
  return out;
}

void save_state_dict(const std::string& path, const ParameterSet& p) {
  io::write_npz(path, state_dict(p));
}

void load_state_dict(const io::NpzContents& npz, const std::string& what, ParameterSet& p) {
  for (const auto& [key, arr] : npz) {
    if (!p.has(key)) {
      std::string expected;
      for (const auto& v : p.views()) expected += (expected.empty() ? "" : ", ") + v.name;
      throw InputError(what + ": unexpected key '" + key + "'; this model's parameters are " +
                       expected);
    }
  }
  for (const auto& v : p.views()) {
    const auto it = npz.find(v.name);
    if (it == npz.end())
      throw InputError(what + ": missing key '" + v.name + "' with shape " +
                       io::shape_string(v.shape));
    const io::NpyArray& a = it->second;
    if (a.dtype != io::DType::f32 && a.dtype != io::DType::f64)
      throw InputError(what + ":" + v.name + ": expected float32 or float64, got " +
                       io::dtype_name(a.dtype));
    if (a.shape != v.shape)
      throw InputError(what + ":" + v.name + ": expected shape " + io::shape_string(v.shape) +
                       ", got " + io::shape_string(a.shape));
    const std::vector<float> vals = a.to_float();
    for (size_t i = 0; i < vals.size(); ++i)
      if (!std::isfinite(vals[i]))
        throw InputError(what + ":" + v.name + ": non-finite value at flat index " +
                         std::to_string(i));
    std::copy(vals.begin(), vals.end(), p.values.begin() + static_cast<std::ptrdiff_t>(v.offset));
  }
}

void load_state_dict(const std::string& path, ParameterSet& p) {
  load_state_dict(io::read_npz(path), path, p);
}

}  // namespace nc::models
