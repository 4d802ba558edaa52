#pragma once
// What the jobs of one sweep process share: each dataset is loaded (and re-binned) once, and
// its Gram matrix X Xᵀ computed once, by the first job that needs it, whatever the number of
// jobs running side by side. A job's result does not depend on which job computed them: the
// Gram routine (nn/gram.hpp) has one fixed order of sums for a given BLAS thread count.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "data/dataset.hpp"
#include "runs/fit.hpp"

namespace nc::select {

// Whether a decoder fit takes the dual form, the only one that reads the Gram: the default
// algorithm picks it when there is no L1 term.
bool uses_gram(const runs::DecoderConfig& cfg);

class SharedData {
 public:
  // The dataset of `path` ("" = simulated) re-binned by bin_width, its angles taken mod
  // `period` (runs/decode_run.hpp's loader); InputError on a bad file.
  const data::Dataset& decode_data(const std::string& path, double bin_width,
                                   double period = 360.0);
  // Its Gram matrix (computed on first use).
  const RowMat& gram(const std::string& path, double bin_width, double period = 360.0);
  const data::SplitDataset& encode_data(const std::string& path);

 private:
  struct DecodeEntry {
    std::once_flag loaded, gram_done;
    data::Dataset ds;
    RowMat gram;
  };
  struct EncodeEntry {
    std::once_flag loaded;
    data::SplitDataset ds;
  };
  DecodeEntry& decode_entry(const std::string& path, double bin_width, double period);

  std::mutex mutex_;  // guards the maps, not the entries (each has its once_flag)
  std::map<std::tuple<std::string, double, double>, std::unique_ptr<DecodeEntry>> decode_;
  std::map<std::string, std::unique_ptr<EncodeEntry>> encode_;
};

}  // namespace nc::select
