#include <iostream>

#include "cli/commands.hpp"
#include "runs/encode_run.hpp"

namespace nc::cli {

Command add_encode_command(CLI::App& app) {
  struct State {
    runs::EncodeOptions opt;
    std::string filters = "seed";
  };
  auto s = std::make_shared<State>();
  auto& o = s->opt;
  auto* c = app.add_subcommand("encode", "fit the convolutional encoding model to every neuron");
  c->add_option("--data", o.data,
                "split-format npz (resp_train, resp_test, stimuli); default: simulated");
  c->add_option("--channels", o.channels, "conv channels")->capture_default_str();
  c->add_option("--kernel", o.kernel, "conv kernel size (odd)")->capture_default_str();
  c->add_option("--iters", o.iters, "gradient descent iterations")->capture_default_str();
  c->add_option("--lr", o.lr, "learning rate")->capture_default_str();
  c->add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  c->add_option("--l2", o.l2, "L2 penalty on out_layer.weight")->capture_default_str();
  c->add_option("--l1", o.l1, "L1 penalty on out_layer.weight")->capture_default_str();
  c->add_option("--filters", s->filters, "conv initialisation: seed (filter bank) or random")
      ->check(CLI::IsMember({"seed", "random"}))
      ->capture_default_str();
  c->add_option("--seed", o.seed, "seed of the initial weights")->capture_default_str();
  c->add_option("--init", o.init, "npz state_dict to start from (conv.weight, ...)");
  add_run_options(c, o);
  auto finish = [s] {
    s->opt.filters =
        s->filters == "random" ? models::EncoderFilters::random : models::EncoderFilters::seed;
  };
  return {c,
          [s, finish] {
            finish();
            const auto res = runs::run_encode(s->opt, std::cout);
            if (res.interrupted_by != 0)
              return 128 + res.interrupted_by;  // 130 SIGINT, 143 SIGTERM
            return res.fit.outcome.diverged ? 3 : 0;
          },
          [s, finish] {
            finish();
            runs::validate(s->opt);
          }};
}

}  // namespace nc::cli
