#pragma once
// The cross-validation figure (cv.png): the metric of each fold with their mean, and the mean
// test-loss curve over iterations with its standard-error band.
#include <nlohmann/json.hpp>
#include <string>

namespace nc::select {

// folds: cv.json's per-fold records; summary: cv_summary's; metric: the per-fold value drawn
// (the mean test-loss curve is drawn beside it when the summary has one). Returns the file
// name written.
std::string write_cv_figure(const std::string& path, const nlohmann::json& folds,
                            const nlohmann::json& summary, const std::string& metric);

}  // namespace nc::select
