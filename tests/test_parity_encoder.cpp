// The encoder follows PyTorch's train and test loss trajectories from the same initial weights
// at every iteration (DESIGN.md pass rule for the encoder: 5e-3 relative + 1e-5).
#include <gtest/gtest.h>

#include "data/dataset.hpp"
#include "golden_helpers.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"
#include "sim/stimuli.hpp"
#include "train/encoder_trainer.hpp"

namespace nc {
namespace {

class EncoderParity : public ::testing::TestWithParam<const char*> {};

TEST_P(EncoderParity, FollowsPyTorchTrajectoryAndWeights) {
  const std::string name = GetParam();
  const auto ref = testing::read_json(testing::golden(name + "_losses.json"));
  const auto& o = ref["options"];
  data::SplitDataset ds = data::load_split_dataset(testing::golden("encoder_data.npz"));
  models::Encoder net = models::encoder_create({.n_neurons = ds.n_neurons(),
                                                .channels = o["channels"].get<int>(),
                                                .kernel = o["kernel"].get<int>()});
  models::load_state_dict(testing::golden(name + "_init.npz"), net.params);
  train::EncoderData d;
  d.images = sim::grating_stack(sim::encoder_angles(ds.stimuli), 0.025);
  d.resp_train = ds.resp_train;
  d.resp_test = ds.resp_test;
  train::EncoderTrainState st;
  const auto outcome = train::train_encoder(net, d,
                                            {.iters = o["iters"].get<int64_t>(),
                                             .lr = o["lr"].get<float>(),
                                             .momentum = o["momentum"].get<float>(),
                                             .l1 = o["l1"].get<float>(),
                                             .l2 = o["l2"].get<float>()},
                                            st);
  ASSERT_FALSE(outcome.diverged) << outcome.message;
  testing::expect_trajectory(st.history.train_loss, ref["train_loss"].get<std::vector<double>>(),
                             5e-3, name + " train");
  testing::expect_trajectory(st.history.test_loss, ref["test_loss"].get<std::vector<double>>(),
                             5e-3, name + " test");
  const io::NpzContents fin = io::read_npz(testing::golden(name + "_final.npz"));
  for (const auto& v : net.params.views()) {
    const std::vector<float> w = fin.at(v.name).to_float();
    double max_abs = 0, max_diff = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      max_abs = std::max(max_abs, std::abs(static_cast<double>(w[i])));
      max_diff =
          std::max(max_diff, std::abs(static_cast<double>(w[i]) - net.params.values[v.offset + i]));
    }
    EXPECT_LE(max_diff, 5e-3 * max_abs + 1e-6) << name << " " << v.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, EncoderParity, ::testing::Values("encoder", "encoder_random"));

}  // namespace
}  // namespace nc
