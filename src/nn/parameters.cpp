#include "nn/parameters.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace nc {
namespace {

// Rows and columns of a parameter seen as a matrix: the first dimension, and the product of
// the rest (so a (C_out,C_in,K,K) conv weight is (C_out, C_in*K*K), as a GEMM conv sees it);
// 1-D as a column (n,1); a 0-D scalar as (1,1).
std::pair<Eigen::Index, Eigen::Index> param_mat_dims(const ParamView& v) {
  if (v.shape.empty()) return {1, 1};
  Eigen::Index cols = 1;
  for (size_t d = 1; d < v.shape.size(); ++d) cols *= v.shape[d];
  return {v.shape[0], cols};
}

// Every accessor below goes through this: a view whose storage is not allocated yet means
// finalize() was not called, a programming error that would otherwise read out of bounds.
const ParamView& checked_view(const ParameterSet& p, const std::string& name) {
  const ParamView& v = p.view(name);
  if (v.offset + v.size > p.values.size())
    throw std::logic_error("ParameterSet: \"" + name + "\" used before finalize()");
  return v;
}

}  // namespace

size_t ParameterSet::add(const std::string& name, std::vector<int64_t> shape) {
  if (!values.empty())
    throw std::logic_error("ParameterSet::add(\"" + name + "\") after finalize()");
  if (has(name)) throw std::invalid_argument("ParameterSet: duplicate parameter \"" + name + "\"");
  size_t size = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("ParameterSet: negative dimension in \"" + name + "\"");
    size *= size_t(d);
  }
  const size_t offset = views_.empty() ? 0 : views_.back().offset + views_.back().size;
  views_.push_back(ParamView{name, std::move(shape), offset, size});
  return views_.size() - 1;
}

void ParameterSet::finalize() {
  const size_t total = views_.empty() ? 0 : views_.back().offset + views_.back().size;
  values.assign(total, 0.0f);
  grads.assign(total, 0.0f);
}

const ParamView& ParameterSet::view(const std::string& name) const {
  for (const auto& v : views_)
    if (v.name == name) return v;
  throw std::out_of_range("ParameterSet: no parameter named \"" + name + "\"");
}

bool ParameterSet::has(const std::string& name) const {
  for (const auto& v : views_)
    if (v.name == name) return true;
  return false;
}

float* ParameterSet::value(const std::string& name) {
  return values.data() + checked_view(*this, name).offset;
}

const float* ParameterSet::value(const std::string& name) const {
  return values.data() + checked_view(*this, name).offset;
}

float* ParameterSet::grad(const std::string& name) {
  return grads.data() + checked_view(*this, name).offset;
}

MatMap ParameterSet::value_mat(const std::string& name) {
  const ParamView& v = checked_view(*this, name);
  const auto [rows, cols] = param_mat_dims(v);
  return MatMap(values.data() + v.offset, rows, cols);
}

CMatMap ParameterSet::value_mat(const std::string& name) const {
  const ParamView& v = checked_view(*this, name);
  const auto [rows, cols] = param_mat_dims(v);
  return CMatMap(values.data() + v.offset, rows, cols);
}

MatMap ParameterSet::grad_mat(const std::string& name) {
  const ParamView& v = checked_view(*this, name);
  const auto [rows, cols] = param_mat_dims(v);
  return MatMap(grads.data() + v.offset, rows, cols);
}

VecMap ParameterSet::value_vec(const std::string& name) {
  const ParamView& v = checked_view(*this, name);
  return VecMap(values.data() + v.offset, Eigen::Index(v.size));
}

VecMap ParameterSet::grad_vec(const std::string& name) {
  const ParamView& v = checked_view(*this, name);
  return VecMap(grads.data() + v.offset, Eigen::Index(v.size));
}

namespace {
const ParamView& checked_view(const ParameterSet& p, size_t index) {
  const ParamView& v = p.view(index);
  if (v.offset + v.size > p.values.size())
    throw std::logic_error("ParameterSet: \"" + v.name + "\" used before finalize()");
  return v;
}
}  // namespace

MatMap ParameterSet::value_mat(size_t index) {
  const ParamView& v = checked_view(*this, index);
  const auto [rows, cols] = param_mat_dims(v);
  return MatMap(values.data() + v.offset, rows, cols);
}

CMatMap ParameterSet::value_mat(size_t index) const {
  const ParamView& v = checked_view(*this, index);
  const auto [rows, cols] = param_mat_dims(v);
  return CMatMap(values.data() + v.offset, rows, cols);
}

MatMap ParameterSet::grad_mat(size_t index) {
  const ParamView& v = checked_view(*this, index);
  const auto [rows, cols] = param_mat_dims(v);
  return MatMap(grads.data() + v.offset, rows, cols);
}

VecMap ParameterSet::value_vec(size_t index) {
  const ParamView& v = checked_view(*this, index);
  return VecMap(values.data() + v.offset, Eigen::Index(v.size));
}

CVecMap ParameterSet::value_vec(size_t index) const {
  const ParamView& v = checked_view(*this, index);
  return CVecMap(values.data() + v.offset, Eigen::Index(v.size));
}

VecMap ParameterSet::grad_vec(size_t index) {
  const ParamView& v = checked_view(*this, index);
  return VecMap(grads.data() + v.offset, Eigen::Index(v.size));
}

std::span<float> ParameterSet::value_span(size_t first, size_t last) {
  const ParamView& a = checked_view(*this, first);
  const ParamView& b = checked_view(*this, last);
  return {values.data() + a.offset, b.offset + b.size - a.offset};
}

std::span<float> ParameterSet::grad_span(size_t first, size_t last) {
  const ParamView& a = checked_view(*this, first);
  const ParamView& b = checked_view(*this, last);
  return {grads.data() + a.offset, b.offset + b.size - a.offset};
}

void ParameterSet::zero_grad() {
  std::fill(grads.begin(), grads.end(), 0.0f);
}

}  // namespace nc
