#include "train/loop.hpp"

#include <chrono>
#include <cmath>

namespace nc::train {

Outcome run_training(TrainerStep& form, TrainState& state, int64_t iters, const LoopHooks& hooks) {
  Outcome out;
  const auto t0 = std::chrono::steady_clock::now();
  bool stepped = false;  // a step of this call can be rolled back
  const auto diverge = [&](int64_t it, const char* which, double value) {
    if (stepped) {
      form.rollback();
      --state.sgd.steps;
    }
    out = diverged_outcome(it, which, value);
  };
  for (int64_t it = state.iteration + 1; it <= iters; ++it) {
    const double train_loss = form.train_loss();
    if (!std::isfinite(train_loss)) {
      diverge(it, "train", train_loss);
      break;
    }
    form.step();
    stepped = true;
    ++state.sgd.steps;
    const double test_loss = form.test_loss();
    if (!std::isfinite(test_loss)) {
      diverge(it, "test", test_loss);
      break;
    }
    state.history.train_loss.push_back(train_loss);
    state.history.test_loss.push_back(test_loss);
    state.iteration = it;
    if (hooks.progress &&
        is_progress_iteration(it, iters, hooks.schedule.lines, hooks.schedule.first_too))
      hooks.progress(it, iters, train_loss, test_loss);
    if (hooks.after_step && hooks.after_step(it) && it < iters) {
      out.interrupted = true;
      break;
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  form.finish();
  out.iterations_seconds = std::chrono::duration<double>(t1 - t0).count();
  out.finish_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return out;
}

void ParamSnapshot::take(const ParameterSet& p, const SgdState& sgd) {
  values = p.values;
  velocity = sgd.velocity;
}

void ParamSnapshot::restore(ParameterSet& p, SgdState& sgd) const {
  p.values = values;
  sgd.velocity = velocity;
}

}  // namespace nc::train
