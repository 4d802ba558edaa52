#pragma once
// All of a model's parameters in one allocation, with named views (PyTorch state_dict names),
// and their gradients in a second allocation with the same layout: the optimizer walks one flat
// array, and saving a model is a walk over the views.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace nc {

struct ParamView {
  std::string name;            // state_dict name, e.g. "in_layer.weight"
  std::vector<int64_t> shape;  // PyTorch shape, e.g. {H, N}
  size_t offset = 0;           // into ParameterSet::values / grads
  size_t size = 0;             // product of shape
};

class ParameterSet {
 public:
  // Declares a parameter; call before finalize(). Returns its index.
  size_t add(const std::string& name, std::vector<int64_t> shape);
  // Allocates values and grads (zeroed) for everything declared.
  void finalize();

  const std::vector<ParamView>& views() const { return views_; }
  const ParamView& view(size_t index) const { return views_.at(index); }
  const ParamView& view(const std::string& name) const;  // throws std::out_of_range
  bool has(const std::string& name) const;

  float* value(const std::string& name);
  const float* value(const std::string& name) const;
  float* grad(const std::string& name);

  // A parameter as a matrix: 2-D shapes as (rows, cols); 1-D as a column; 4-D conv weights
  // as (C_out, C_in*K*K).
  MatMap value_mat(const std::string& name);
  CMatMap value_mat(const std::string& name) const;
  MatMap grad_mat(const std::string& name);
  VecMap value_vec(const std::string& name);
  VecMap grad_vec(const std::string& name);

  // The same by declaration index, for models that keep typed views (models/decoder.hpp):
  // no name lookup in the training loops.
  MatMap value_mat(size_t index);
  CMatMap value_mat(size_t index) const;
  MatMap grad_mat(size_t index);
  VecMap value_vec(size_t index);
  CVecMap value_vec(size_t index) const;
  VecMap grad_vec(size_t index);
  // Parameters first..last (declaration indices, inclusive) as one flat span: they are
  // contiguous because they are laid out in declaration order.
  std::span<float> value_span(size_t first, size_t last);
  std::span<float> grad_span(size_t first, size_t last);

  void zero_grad();
  size_t total_size() const { return values.size(); }

  AlignedFloats values;  // every parameter, concatenated in declaration order
  AlignedFloats grads;   // same layout as values

 private:
  std::vector<ParamView> views_;
};

}  // namespace nc
