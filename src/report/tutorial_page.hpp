#pragma once
// The tutorial report's page (`neurocodec tutorial`, runs/tutorial_run.hpp): each section's
// figures, tables of the metrics, the timings and the options of every run, as one plain HTML
// page with PNG images beside it. Fed by the runs' results, not by files read back.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/sparsity.hpp"

namespace nc::report {

struct TutorialStage {
  std::string key;         // subfolder of the report holding the run's files and figures
  std::string title;       // for tables
  double seconds = 0;      // the stage's wall time
  nlohmann::json metrics;  // the run's metrics record (what its metrics.json holds)
  std::optional<analysis::WeightSparsity> w_in;  // decoders: how sparse in_layer.weight is
};

struct TutorialPage {
  std::string out;        // the report folder: figures are found under out/<key>/
  std::string data_html;  // the paragraph that says which data the runs used
  // In order: section 1 regression, 2.2 classifier, 2.3 regularised classifier, 3 encoder,
  // and when single trials exist (the built-in data) the discrimination threshold.
  std::vector<TutorialStage> stages;
  uint64_t seed = 1;
  double seconds = 0;  // the whole run's wall time
};

// The whole page (<!doctype html> ...).
std::string tutorial_page_html(const TutorialPage& p);

}  // namespace nc::report
