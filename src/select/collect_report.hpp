#pragma once
// collect's tables and page from the jobs grouped by dataset and grid point.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nc::select {

struct CollectedJobs;

// The jobs of one dataset and grid point (over seeds x folds).
struct Group {
  size_t data = 0;
  std::vector<size_t> point;
  nlohmann::json grid;                      // {key: value}
  std::vector<std::vector<double>> values;  // per metric, the finite values of the jobs present
};
std::vector<Group> group_jobs(const CollectedJobs& c, const std::vector<std::string>& metrics);

// One CSV line (RFC 4180 quoting; numbers in the shortest form that reads back exactly, null
// as empty).
std::string csv_row(const std::vector<nlohmann::json>& cells);

std::string summary_csv(const CollectedJobs& c, const std::vector<Group>& groups,
                        const std::vector<std::string>& metrics);
// {"metric", "higher_is_better", "datasets": {name: {"grid", "mean", "se", "n"}}, "missing"}
nlohmann::json best_points(const CollectedJobs& c, const std::vector<Group>& groups, size_t metric,
                           const std::string& name);
// index.html and its PNGs in dir.
void write_collect_page(const std::string& dir, const CollectedJobs& c,
                        const std::vector<Group>& groups, const std::vector<std::string>& metrics,
                        const std::string& select, const nlohmann::json& best);

}  // namespace nc::select
