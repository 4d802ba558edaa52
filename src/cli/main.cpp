// The neurocodec command: parses arguments, calls the library, prints. The only place that
// touches argv, stdout and exit codes: 0 success, 1 bad input or failure, 2 usage error,
// 3 training diverged.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "core/error.hpp"
#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"
#include "runs/simulate_run.hpp"

namespace {

// CLI11's messages can span lines; the contract is one line on stderr.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

int fail(int code, const std::string& msg) {
  std::cerr << "error: " << one_line(msg) << std::endl;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"neurocodec: decode stimuli from, and predict, the activity of large neural populations"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "neurocodec 0.1.0");

  // simulate
  nc::runs::SimulateOptions sim;
  double sim_bin = 0;
  auto* simulate = app.add_subcommand("simulate", "write a simulated mouse V1 population (.npz)");
  simulate->add_option("--out", sim.out, "output .npz file")->required();
  simulate->add_flag("--split", sim.split, "split format: resp_train, resp_test, stimuli (60 six-degree bins)");
  simulate->add_option("--neurons", sim.population.neurons, "number of neurons")->capture_default_str();
  simulate->add_option("--trials", sim.population.trials, "single trials before binning")->capture_default_str();
  auto* sim_bin_opt = simulate->add_option("--bin-width", sim_bin, "bin width in degrees (default 1, or 6 with --split)");
  simulate->add_option("--seed", sim.population.seed, "seed of the simulated population")->capture_default_str();
  simulate->add_flag("--compress", sim.compress, "write a deflated npz (np.savez_compressed)");

  // decode
  nc::runs::DecodeOptions dec;
  std::string model_name = "classification";
  int64_t hidden = 0, iters = 0;
  double lr = 0;
  auto* decode = app.add_subcommand("decode", "train a decoder of stimulus orientation and analyse it");
  decode->add_option("--data", dec.data, "npz with resp (stimuli x neurons) and stimuli (degrees); default: simulated");
  decode->add_option("--model", model_name, "regression or classification")
      ->check(CLI::IsMember({"regression", "classification"}))->capture_default_str();
  auto* hidden_opt = decode->add_option("--hidden", hidden, "hidden units (default 10 regression, 20 classification)");
  decode->add_option("--classes", dec.classes, "orientation classes")->capture_default_str();
  auto* iters_opt = decode->add_option("--iters", iters, "gradient descent iterations (default 50 / 1000)");
  auto* lr_opt = decode->add_option("--lr", lr, "learning rate (default 1e-4 / 0.1)");
  decode->add_option("--l1", dec.l1, "L1 penalty on in_layer.weight")->capture_default_str();
  decode->add_option("--l2", dec.l2, "L2 penalty on in_layer.weight")->capture_default_str();
  auto* frac_opt = decode->add_option("--train-fraction", dec.train_fraction, "fraction of stimuli for training")->capture_default_str();
  decode->add_option("--seed", dec.seed, "seed of the split and the initial weights")->capture_default_str();
  decode->add_option("--split", dec.split, "npz with int arrays train_idx, test_idx");
  decode->add_option("--init", dec.init, "npz state_dict to start from (in_layer.weight, ...)");
  decode->add_option("--bin-width", dec.bin_width, "re-bin stimuli by this width in degrees (1 = as is)")->capture_default_str();
  decode->add_option("--out", dec.out, "output folder")->capture_default_str();
  decode->add_flag("--quiet", dec.quiet, "no progress output");

  // encode
  nc::runs::EncodeOptions enc;
  std::string filters_name = "seed";
  auto* encode = app.add_subcommand("encode", "fit the convolutional encoding model to every neuron");
  encode->add_option("--data", enc.data, "split-format npz (resp_train, resp_test, stimuli); default: simulated");
  encode->add_option("--channels", enc.channels, "conv channels")->capture_default_str();
  encode->add_option("--kernel", enc.kernel, "conv kernel size (odd)")->capture_default_str();
  encode->add_option("--iters", enc.iters, "gradient descent iterations")->capture_default_str();
  encode->add_option("--lr", enc.lr, "learning rate")->capture_default_str();
  encode->add_option("--momentum", enc.momentum, "SGD momentum")->capture_default_str();
  encode->add_option("--l2", enc.l2, "L2 penalty on out_layer.weight")->capture_default_str();
  encode->add_option("--l1", enc.l1, "L1 penalty on out_layer.weight")->capture_default_str();
  encode->add_option("--filters", filters_name, "conv initialisation: seed (filter bank) or random")
      ->check(CLI::IsMember({"seed", "random"}))->capture_default_str();
  encode->add_option("--seed", enc.seed, "seed of the initial weights")->capture_default_str();
  encode->add_option("--init", enc.init, "npz state_dict to start from (conv.weight, ...)");
  encode->add_option("--out", enc.out, "output folder")->capture_default_str();
  encode->add_flag("--quiet", enc.quiet, "no progress output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(2, e.what());
  }

  try {
    if (*simulate) {
      if (*sim_bin_opt) sim.bin_width = sim_bin;
      nc::runs::run_simulate(sim, std::cout);
    } else if (*decode) {
      dec.model = model_name == "regression" ? nc::models::DecoderKind::regression
                                             : nc::models::DecoderKind::classification;
      if (*hidden_opt) dec.hidden = hidden;
      if (*iters_opt) dec.iters = iters;
      if (*lr_opt) dec.lr = lr;
      dec.train_fraction_given = frac_opt->count() > 0;
      const auto res = nc::runs::run_decode(dec, std::cout);
      if (res.outcome.diverged) return 3;
    } else if (*encode) {
      enc.filters = filters_name == "random" ? nc::models::EncoderFilters::random : nc::models::EncoderFilters::seed;
      const auto res = nc::runs::run_encode(enc, std::cout);
      if (res.outcome.diverged) return 3;
    }
  } catch (const nc::InputError& e) {
    return fail(1, e.what());
  } catch (const nc::IoError& e) {
    return fail(1, e.what());
  } catch (const std::bad_alloc&) {
    return fail(1, "out of memory");
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
