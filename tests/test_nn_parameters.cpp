#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "nn/parameters.hpp"

namespace nc {

namespace {
ParameterSet parameters_example() {
  ParameterSet p;
  p.add("conv.weight", {6, 1, 7, 7});
  p.add("conv.bias", {6});
  p.add("out_layer.weight", {3, 5});
  p.finalize();
  return p;
}
}  // namespace

TEST(ParameterSet, ViewsOffsetsAndSizes) {
  ParameterSet p = parameters_example();
  ASSERT_EQ(p.views().size(), 3u);
  EXPECT_EQ(p.views()[0].name, "conv.weight");
  EXPECT_EQ(p.view("conv.weight").offset, 0u);
  EXPECT_EQ(p.view("conv.weight").size, 294u);
  EXPECT_EQ(p.view("conv.bias").offset, 294u);
  EXPECT_EQ(p.view("conv.bias").size, 6u);
  EXPECT_EQ(p.view("out_layer.weight").offset, 300u);
  EXPECT_EQ(p.view("out_layer.weight").size, 15u);
  EXPECT_EQ((p.view("out_layer.weight").shape), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(p.total_size(), 315u);
  EXPECT_EQ(p.grads.size(), 315u);
  EXPECT_TRUE(p.has("conv.bias"));
  EXPECT_FALSE(p.has("conv.bias2"));
  EXPECT_EQ(p.value("conv.bias"), p.values.data() + 294);
  EXPECT_EQ(p.grad("out_layer.weight"), p.grads.data() + 300);
  for (float g : p.grads) EXPECT_EQ(g, 0.0f);
}

TEST(ParameterSet, MatrixViewsAliasTheFlatStorage) {
  ParameterSet p = parameters_example();
  MatMap cw = p.value_mat("conv.weight");  // (C_out, C_in*K*K)
  EXPECT_EQ(cw.rows(), 6);
  EXPECT_EQ(cw.cols(), 49);
  MatMap cb = p.value_mat("conv.bias");  // 1-D as a column
  EXPECT_EQ(cb.rows(), 6);
  EXPECT_EQ(cb.cols(), 1);
  MatMap ow = p.value_mat("out_layer.weight");
  EXPECT_EQ(ow.rows(), 3);
  EXPECT_EQ(ow.cols(), 5);
  ow(1, 2) = 4.0f;  // row-major: offset 300 + 1*5 + 2
  EXPECT_EQ(p.values[307], 4.0f);
  cw(2, 10) = 3.0f;  // weight[2,0,1,3]
  EXPECT_EQ(p.values[2 * 49 + 10], 3.0f);
  p.grad_mat("out_layer.weight")(2, 4) = 1.5f;
  EXPECT_EQ(p.grads[314], 1.5f);
  p.value_vec("conv.bias")(5) = 2.0f;
  EXPECT_EQ(p.values[299], 2.0f);
  EXPECT_EQ(p.grad_vec("conv.bias").size(), 6);
  const ParameterSet& cp = p;
  EXPECT_EQ(cp.value_mat("out_layer.weight")(1, 2), 4.0f);
  EXPECT_EQ(cp.value("conv.bias")[5], 2.0f);
}

TEST(ParameterSet, ZeroGradClearsOnlyGrads) {
  ParameterSet p = parameters_example();
  for (size_t i = 0; i < p.total_size(); ++i) {
    p.values[i] = 1.0f;
    p.grads[i] = float(i);
  }
  p.zero_grad();
  for (float g : p.grads) EXPECT_EQ(g, 0.0f);
  for (float v : p.values) EXPECT_EQ(v, 1.0f);
}

TEST(ParameterSet, UnknownNameThrowsWithTheName) {
  ParameterSet p = parameters_example();
  EXPECT_THROW(p.view("in_layer.weight"), std::out_of_range);
  EXPECT_THROW(p.value("in_layer.weight"), std::out_of_range);
  EXPECT_THROW(p.grad_mat("in_layer.weight"), std::out_of_range);
  try {
    p.view("in_layer.weight");
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("in_layer.weight"), std::string::npos) << e.what();
  }
}

TEST(ParameterSet, MisuseIsReported) {
  ParameterSet p;
  p.add("a", {2});
  EXPECT_THROW(p.add("a", {3}), std::invalid_argument);  // duplicate name
  EXPECT_THROW(p.value("a"), std::logic_error);          // before finalize()
  p.finalize();
  EXPECT_THROW(p.add("b", {1}), std::logic_error);  // after finalize()
}

}  // namespace nc
