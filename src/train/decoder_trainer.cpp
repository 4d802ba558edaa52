#include "train/decoder_trainer.hpp"

#include <chrono>
#include <stdexcept>

namespace nc::train {

DecoderAlgorithm resolve_algorithm(const DecoderTrainOptions& opt, const DecoderTrainState& state) {
  DecoderAlgorithm a = opt.algorithm;
  if (a == DecoderAlgorithm::automatic)
    a = opt.penalty.l1 == 0.0f ? DecoderAlgorithm::dual : DecoderAlgorithm::fused;
  if (state.dual.active) a = DecoderAlgorithm::dual;  // a resumed dual run stays dual
  if (a == DecoderAlgorithm::dual && opt.penalty.l1 != 0.0f)
    throw std::invalid_argument(
        "the decoder's dual form has no L1 term: use the fused or plain form");
  return a;
}

Outcome train_decoder(models::Decoder& d, const DecoderData& data, const DecoderTrainOptions& opt,
                      DecoderTrainState& state, const ProgressFn& progress,
                      const AfterStepFn& after_step) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<TrainerStep> form;
  switch (resolve_algorithm(opt, state)) {
    case DecoderAlgorithm::dual:
      form = make_decoder_dual_step(d, data, opt, state);
      break;
    case DecoderAlgorithm::fused:
      form = make_decoder_fused_step(d, data, opt, state);
      break;
    default:
      form = make_decoder_plain_step(d, data, opt, state);
      break;
  }
  const double prepare =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Outcome out = run_training(*form, state, opt.iters, {kDecoderProgress, progress, after_step});
  out.prepare_seconds = prepare;
  return out;
}

}  // namespace nc::train
