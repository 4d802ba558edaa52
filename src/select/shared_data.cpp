#include "select/shared_data.hpp"

#include <sstream>

#include "nn/gram.hpp"
#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"

namespace nc::select {

bool uses_gram(const runs::DecoderConfig& cfg) {
  return cfg.train.penalty.l1 == 0 && (cfg.train.algorithm == train::DecoderAlgorithm::automatic ||
                                       cfg.train.algorithm == train::DecoderAlgorithm::dual);
}

SharedData::DecodeEntry& SharedData::decode_entry(const std::string& path, double bin_width,
                                                  double period) {
  DecodeEntry* e = nullptr;
  {
    const std::lock_guard lock(mutex_);
    auto& slot = decode_[{path, bin_width, period}];
    if (!slot) slot = std::make_unique<DecodeEntry>();
    e = slot.get();
  }
  // Outside the lock: jobs on other datasets go on while this one loads. An exception leaves
  // the once_flag unset, so the next job retries (and reports) it.
  std::call_once(e->loaded, [&] {
    runs::DecodeOptions o;
    o.data = path;
    o.bin_width = bin_width;
    o.period = period;
    o.quiet = true;
    std::string source;
    std::ostringstream log;
    e->ds = runs::load_decode_dataset(o, source, log);
  });
  return *e;
}

const data::Dataset& SharedData::decode_data(const std::string& path, double bin_width,
                                             double period) {
  return decode_entry(path, bin_width, period).ds;
}

const RowMat& SharedData::gram(const std::string& path, double bin_width, double period) {
  DecodeEntry& e = decode_entry(path, bin_width, period);
  std::call_once(e.gram_done, [&] { e.gram = gram_matrix(e.ds.resp.block_reader()); });
  return e.gram;
}

const data::SplitDataset& SharedData::encode_data(const std::string& path) {
  EncodeEntry* e = nullptr;
  {
    const std::lock_guard lock(mutex_);
    auto& slot = encode_[path];
    if (!slot) slot = std::make_unique<EncodeEntry>();
    e = slot.get();
  }
  std::call_once(e->loaded, [&] {
    runs::EncodeOptions o;
    o.data = path;
    o.quiet = true;
    std::string source;
    std::ostringstream log;
    e->ds = runs::load_encode_dataset(o, source, log);
  });
  return e->ds;
}

}  // namespace nc::select
