#include "train/checkpoint.hpp"

#include <cstring>

#include "core/error.hpp"
#include "io/npz.hpp"
#include "models/state_dict.hpp"

namespace nc::train {
namespace {

io::NpyArray json_bytes(const nlohmann::json& j) {
  const std::string s = j.dump();
  std::vector<uint8_t> b(s.begin(), s.end());
  // an int32 array of the byte values: a plain numeric array that numpy reads without pickles
  std::vector<int32_t> v(b.begin(), b.end());
  return io::NpyArray::from_int32(v, {static_cast<int64_t>(v.size())});
}

nlohmann::json parse_meta(const io::NpzContents& npz, const std::string& path) {
  const io::NpyArray& a = io::npz_require(npz, path, "meta.json");
  if (a.dtype != io::DType::i32 || a.ndim() != 1)
    throw InputError(path + ":meta.json: expected an int32 byte array");
  const auto v = a.to_int64();
  std::string s(v.begin(), v.end());
  try {
    return nlohmann::json::parse(s);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ":meta.json: not valid JSON (" + e.what() + ")");
  }
}

}  // namespace

void save_checkpoint(const std::string& path, const ParameterSet& params, const TrainState& state,
                     const DecoderDualState* dual, const nlohmann::json& run_info) {
  const SgdState& sgd = state.sgd;
  const History& history = state.history;
  const int64_t iteration = state.iteration;
  io::NpzContents npz = models::state_dict(params);
  if (!sgd.velocity.empty())
    npz["optim.velocity"] =
        io::NpyArray::from_float(sgd.velocity, {static_cast<int64_t>(sgd.velocity.size())});
  nlohmann::json meta;
  meta["iteration"] = iteration;
  meta["sgd_steps"] = sgd.steps;
  meta["train_loss"] = history.train_loss;
  meta["test_loss"] = history.test_loss;
  meta["run"] = run_info;
  meta["dual"] = dual != nullptr && dual->active;
  if (dual != nullptr && dual->active) {
    meta["dual_c"] = dual->c;
    npz["dual.w0"] =
        io::NpyArray::from_float({dual->w0.data(), static_cast<size_t>(dual->w0.size())},
                                 {dual->w0.rows(), dual->w0.cols()});
    npz["dual.b"] = io::NpyArray::from_double({dual->b.data(), static_cast<size_t>(dual->b.size())},
                                              {dual->b.rows(), dual->b.cols()});
  }
  npz["meta.json"] = json_bytes(meta);
  io::write_npz(path, npz);
}

nlohmann::json read_checkpoint_info(const std::string& path) {
  return parse_meta(io::read_npz(path), path)["run"];
}

LoadedCheckpoint load_checkpoint(const std::string& path, ParameterSet& params, TrainState& state,
                                 DecoderDualState* dual) {
  SgdState& sgd = state.sgd;
  History& history = state.history;
  io::NpzContents npz = io::read_npz(path);
  const nlohmann::json meta = parse_meta(npz, path);
  LoadedCheckpoint out;
  try {
    out.iteration = meta.at("iteration").get<int64_t>();
    sgd.steps = meta.at("sgd_steps").get<long>();
    history.train_loss = meta.at("train_loss").get<std::vector<double>>();
    history.test_loss = meta.at("test_loss").get<std::vector<double>>();
    out.run_info = meta.at("run");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ":meta.json: missing or malformed field (" + e.what() + ")");
  }
  io::NpzContents model;
  for (const auto& v : params.views()) {
    auto it = npz.find(v.name);
    if (it != npz.end()) model.insert(*it);
  }
  models::load_state_dict(model, path, params);
  sgd.velocity.clear();
  if (auto it = npz.find("optim.velocity"); it != npz.end()) {
    sgd.velocity = it->second.to_float();
    if (sgd.velocity.size() != params.values.size())
      throw InputError(path + ":optim.velocity: expected " + std::to_string(params.values.size()) +
                       " values");
  }
  if (dual != nullptr) {
    dual->active = meta.value("dual", false);
    if (dual->active) {
      const io::NpyArray& w0 = io::npz_require(npz, path, "dual.w0");
      const io::NpyArray& b = io::npz_require(npz, path, "dual.b");
      if (w0.ndim() != 2 || b.ndim() != 2 || b.dtype != io::DType::f64)
        throw InputError(path + ": dual.w0 / dual.b have unexpected shapes or dtypes");
      dual->c = meta.at("dual_c").get<double>();
      dual->w0 = RowMat(w0.shape[0], w0.shape[1]);
      const auto wv = w0.to_float();
      std::memcpy(dual->w0.data(), wv.data(), wv.size() * sizeof(float));
      dual->b = RowMatD(b.shape[0], b.shape[1]);
      std::memcpy(dual->b.data(), b.data.data(), b.data.size());
    }
  }
  if (static_cast<int64_t>(history.train_loss.size()) != out.iteration)
    throw InputError(path + ": history length does not match the iteration");
  state.iteration = out.iteration;
  return out;
}

}  // namespace nc::train
