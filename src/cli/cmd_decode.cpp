#include <iostream>

#include "cli/commands.hpp"
#include "runs/decode_run.hpp"
#include "select/cv_run.hpp"

namespace nc::cli {
namespace {

struct DecodeState {
  runs::DecodeOptions opt;
  std::string model = "classification";
  int64_t hidden = 0, iters = 0;
  double lr = 0;
  CLI::Option *hidden_opt = nullptr, *iters_opt = nullptr, *lr_opt = nullptr, *frac_opt = nullptr;
};

}  // namespace

Command add_decode_command(CLI::App& app) {
  auto s = std::make_shared<DecodeState>();
  auto& o = s->opt;
  auto* c = app.add_subcommand("decode", "train a decoder of stimulus orientation and analyse it");
  c->add_option("--data", o.data,
                "npz with resp (stimuli x neurons) and stimuli (degrees); default: simulated");
  c->add_option("--model", s->model,
                "classification, regression, circular (MLP on cos/sin), ridge or vonmises "
                "(closed-form linear)")
      ->check(CLI::IsMember({"regression", "classification", "circular", "ridge", "vonmises"}))
      ->capture_default_str();
  c->add_option("--period", o.period,
                "period of the stimulus variable in degrees (180: orientation; 0: not circular)")
      ->capture_default_str();
  c->add_option("--lambda", o.lambda, "ridge/vonmises penalty: alpha = lambda * n_train")
      ->capture_default_str();
  s->hidden_opt = c->add_option("--hidden", s->hidden,
                                "hidden units (default 10 regression, 20 classification/circular)");
  c->add_option("--classes", o.classes, "orientation classes")->capture_default_str();
  s->iters_opt =
      c->add_option("--iters", s->iters, "gradient descent iterations (default 50 / 1000)");
  s->lr_opt = c->add_option("--lr", s->lr, "learning rate (default 1e-4 / 0.1)");
  c->add_option("--l1", o.l1, "L1 penalty on in_layer.weight")->capture_default_str();
  c->add_option("--l2", o.l2, "L2 penalty on in_layer.weight")->capture_default_str();
  s->frac_opt =
      c->add_option("--train-fraction", o.train_fraction, "fraction of stimuli for training")
          ->capture_default_str();
  c->add_option("--seed", o.seed, "seed of the split and the initial weights")
      ->capture_default_str();
  auto* split_opt = c->add_option("--split", o.split, "npz with int arrays train_idx, test_idx");
  auto* folds_opt =
      c->add_option("--folds", o.folds,
                    "K-fold cross-validation (K >= 2; stratified by class for the classifier)")
          ->check(CLI::Range(2, 1000000));
  c->add_option("--repeats", o.repeats, "repeat the cross-validation R times with new folds")
      ->capture_default_str()
      ->needs(folds_opt);
  // The folds are the splits: a usage error (exit 2), as CLI11 reports exclusions.
  folds_opt->excludes(split_opt)->excludes(s->frac_opt);
  c->add_option("--init", o.init, "npz state_dict to start from (in_layer.weight, ...)");
  c->add_option("--bin-width", o.bin_width, "re-bin stimuli by this width in degrees (1 = as is)")
      ->capture_default_str();
  add_run_options(c, o);
  // Options given as strings or only when present become DecodeOptions fields.
  auto finish = [s] {
    auto& o = s->opt;
    runs::set_model(o, s->model);  // CLI::IsMember above admits only its names
    if (*s->hidden_opt) o.hidden = s->hidden;
    if (*s->iters_opt) o.iters = s->iters;
    if (*s->lr_opt) o.lr = s->lr;
    o.train_fraction_given = s->frac_opt->count() > 0;
  };
  return {c,
          [s, finish] {
            finish();
            if (s->opt.folds > 0) {
              const auto cv = select::run_cross_validation(s->opt, std::cout);
              if (cv.interrupted_by != 0) return 128 + cv.interrupted_by;
              return cv.n_diverged > 0 ? 3 : 0;
            }
            const auto res = runs::run_decode(s->opt, std::cout);
            if (res.interrupted_by != 0)
              return 128 + res.interrupted_by;  // 130 SIGINT, 143 SIGTERM
            if (s->opt.linear) return 0;
            return res.fit.outcome.diverged ? 3 : 0;
          },
          [s, finish] {
            finish();
            runs::validate(s->opt);
          }};
}

}  // namespace nc::cli
