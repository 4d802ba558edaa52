// The circular decoder (issue 12: the MLP on (cos, sin) of 2πθ/P) follows PyTorch's train and
// test loss trajectories from the same initial weights and split, at every iteration, in each
// trainer form (DESIGN.md pass rule: 2e-3 relative + 1e-5), and ends at the same weights.
// Golden: tools/make_goldens.py --only circular.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"
#include "models/linear_decoder.hpp"
#include "models/state_dict.hpp"
#include "train/decoder_trainer.hpp"

namespace nc {
namespace {

class CircularParity : public ::testing::TestWithParam<train::DecoderAlgorithm> {};

TEST_P(CircularParity, FollowsPyTorchTrajectoryAndWeights) {
  const nlohmann::json ref = testing::read_json(testing::golden("circular_losses.json"));
  const auto& o = ref["options"];
  ASSERT_EQ(o["model"], "circular");
  const double period = o["period"].get<double>();
  const data::Dataset ds = data::load_dataset(testing::golden("decoder_data.npz"));
  const data::Split split = data::load_split(testing::golden("decoder_split.npz"), ds.n_stimuli());
  models::Decoder net = models::decoder_create({.kind = models::DecoderKind::circular,
                                                .n_inputs = ds.n_neurons(),
                                                .n_hidden = o["hidden"].get<int64_t>(),
                                                .n_outputs = 2});
  models::load_state_dict(testing::golden("circular_init.npz"), net.params);
  train::DecoderData d;
  d.x_train = data::take_rows(ds.resp, split.train_idx);
  d.x_test = data::take_rows(ds.resp, split.test_idx);
  d.y_train.angles = data::take(ds.stimuli, split.train_idx);
  d.y_test.angles = data::take(ds.stimuli, split.test_idx);
  d.y_train.unit = models::periodic_targets(d.y_train.angles, period).cast<float>();
  d.y_test.unit = models::periodic_targets(d.y_test.angles, period).cast<float>();
  train::DecoderTrainState state;
  train::DecoderTrainOptions opt;
  opt.iters = o["iters"].get<int64_t>();
  opt.lr = o["lr"].get<float>();
  opt.algorithm = GetParam();
  const train::Outcome out = train::train_decoder(net, d, opt, state);
  ASSERT_FALSE(out.diverged) << out.message;
  testing::expect_trajectory(state.history.train_loss, ref["train_loss"].get<std::vector<double>>(),
                             2e-3, "train");
  testing::expect_trajectory(state.history.test_loss, ref["test_loss"].get<std::vector<double>>(),
                             2e-3, "test");
  const io::NpzContents final_ref = io::read_npz(testing::golden("circular_final.npz"));
  for (const auto& v : net.params.views()) {
    const std::vector<float> w = final_ref.at(v.name).to_float();
    ASSERT_EQ(w.size(), v.size) << v.name;
    double max_abs = 0, max_diff = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      max_abs = std::max(max_abs, std::abs(static_cast<double>(w[i])));
      max_diff =
          std::max(max_diff, std::abs(static_cast<double>(w[i]) - net.params.values[v.offset + i]));
    }
    EXPECT_LE(max_diff, 2e-3 * max_abs + 1e-6) << v.name;
  }
  // The loss the test compares against must be able to fail: the last test loss moved by 1%.
  std::vector<double> moved = ref["test_loss"].get<std::vector<double>>();
  moved.back() *= 1.01;
  EXPECT_GT(std::abs(state.history.test_loss.back() - moved.back()),
            2e-3 * std::abs(moved.back()) + 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Forms, CircularParity,
                         ::testing::Values(train::DecoderAlgorithm::plain,
                                           train::DecoderAlgorithm::fused,
                                           train::DecoderAlgorithm::dual));

}  // namespace
}  // namespace nc
