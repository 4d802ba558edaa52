#include "select/collect.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/json.hpp"
#include "select/collect_report.hpp"
#include "select/cv_run.hpp"
#include "select/stats.hpp"
#include "select/sweep_run.hpp"

namespace nc::select {
namespace {

// A metric's value in a record; the final losses come from the curves.
double metric_value(const nlohmann::json& r, const std::string& m) {
  if (m == "final_train_loss" || m == "final_test_loss") {
    const auto& curve = r[m == "final_train_loss" ? "train_loss" : "test_loss"];
    return curve.is_array() && !curve.empty() && curve.back().is_number()
               ? curve.back().get<double>()
               : NAN;
  }
  return number_or_nan(r, m.c_str());
}

std::vector<nlohmann::json> grid_header(const Plan& p) {
  std::vector<nlohmann::json> h;
  for (const auto& a : p.grid) h.push_back(a.key);
  return h;
}

std::string results_csv(const CollectedJobs& c, const std::vector<std::string>& metrics) {
  std::vector<nlohmann::json> header = {"index", "data"};
  for (const auto& k : grid_header(c.plan)) header.push_back(k);
  for (const char* k : {"seed", "fold", "diverged"}) header.push_back(k);
  for (const auto& m : metrics) header.push_back(m);
  header.push_back("seconds");
  std::string out = csv_row(header);
  for (size_t i = 0; i < c.jobs.size(); ++i) {
    const auto& r = c.records[i];
    if (r.is_null()) continue;
    std::vector<nlohmann::json> row = {c.jobs[i].index, data_name(c.plan, c.jobs[i].data)};
    for (const auto& a : c.plan.grid)
      row.push_back(a.values[c.jobs[i].point[std::addressof(a) - c.plan.grid.data()]]);
    row.push_back(c.jobs[i].seed);
    row.push_back(c.jobs[i].fold >= 0 ? nlohmann::json(c.jobs[i].fold) : nlohmann::json(nullptr));
    row.push_back(r.value("diverged", false));
    // Counts (n_excluded) as the integers the job wrote; the rest as numbers (NaN: empty).
    for (const auto& m : metrics)
      row.push_back(r.contains(m) && r[m].is_number_integer() ? r[m]
                                                              : json_number(metric_value(r, m)));
    row.push_back(r.value("seconds", nlohmann::json(nullptr)));
    out += csv_row(row);
  }
  return out;
}

}  // namespace

std::vector<Group> group_jobs(const CollectedJobs& c, const std::vector<std::string>& metrics) {
  std::map<std::pair<size_t, std::vector<size_t>>, size_t> where;
  std::vector<Group> groups;
  for (size_t i = 0; i < c.jobs.size(); ++i) {
    const Job& j = c.jobs[i];
    const auto key = std::make_pair(j.data, j.point);
    if (where.count(key) == 0) {
      where[key] = groups.size();
      groups.push_back(
          {j.data, j.point, job_grid(c.plan, j), std::vector<std::vector<double>>(metrics.size())});
    }
    Group& g = groups[where[key]];
    if (c.records[i].is_null()) continue;
    for (size_t m = 0; m < metrics.size(); ++m) {
      const double v = metric_value(c.records[i], metrics[m]);
      if (std::isfinite(v)) g.values[m].push_back(v);
    }
  }
  return groups;
}

CollectedJobs read_jobs(const std::string& dir) {
  const std::string plan_path = dir + "/plan.json";
  std::ifstream f(plan_path);
  if (!f) throw InputError(plan_path + ": no plan here (is " + dir + " a sweep's --out folder?)");
  nlohmann::json pj;
  try {
    pj = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(plan_path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  CollectedJobs c{parse_plan(pj), {}, {}, {}};
  c.jobs = plan_jobs(c.plan);
  for (const Job& j : c.jobs) {
    nlohmann::json r;
    try {
      std::ifstream jf(job_path(dir, j.index));
      r = jf ? nlohmann::json::parse(jf) : nlohmann::json(nullptr);
      if (!r.is_null() && (!r.is_object() || r.value("index", int64_t{-1}) != j.index)) r = nullptr;
    } catch (const nlohmann::json::exception&) {
      r = nullptr;
    }
    if (r.is_null()) c.missing.push_back(j.index);
    c.records.push_back(std::move(r));
  }
  return c;
}

std::vector<std::string> collect_metrics(const Plan& plan) {
  if (plan.command == PlanCommand::encode)
    return {"median_test_corr", "median_noise_ceiling", "median_normalized_corr",
            "n_excluded",       "final_train_loss",     "final_test_loss"};
  return decode_scalar_metrics();
}

std::string default_select(const CollectedJobs& c) {
  if (c.plan.command == PlanCommand::encode) return "median_test_corr";
  for (const auto& r : c.records)
    if (!r.is_null())
      return r["options"].value("model", "classification") == "regression" ? "test_mse"
                                                                           : "fraction_correct";
  return "fraction_correct";
}

bool higher_is_better(const std::string& m) {
  for (const char* low : {"mse", "loss", "error", "excluded"})
    if (m.find(low) != std::string::npos) return false;
  return true;
}

int64_t collect_sweep(const CollectOptions& opt, std::ostream& log) {
  const CollectedJobs c = read_jobs(opt.dir);
  const std::vector<std::string> metrics = collect_metrics(c.plan);
  const std::string select = opt.select.empty() ? default_select(c) : opt.select;
  const auto it = std::find(metrics.begin(), metrics.end(), select);
  if (it == metrics.end())
    throw InputError("--select: '" + select + "' is not a metric of this sweep's jobs");
  const std::vector<Group> groups = group_jobs(c, metrics);
  write_file_atomic(opt.dir + "/results.csv", results_csv(c, metrics));
  write_file_atomic(opt.dir + "/summary.csv", summary_csv(c, groups, metrics));
  const nlohmann::json best =
      best_points(c, groups, static_cast<size_t>(it - metrics.begin()), select);
  io::write_json(opt.dir + "/best.json", best);
  write_collect_page(opt.dir, c, groups, metrics, select, best);
  log << "collected " << c.jobs.size() - c.missing.size() << " of " << c.jobs.size()
      << " jobs into " << opt.dir << "/{results.csv,summary.csv,best.json,index.html}\n";
  if (!c.missing.empty()) {
    log << "missing or unreadable jobs (" << c.missing.size() << "):";
    for (const int64_t i : c.missing) log << " " << i;
    log << "\n";
  }
  return static_cast<int64_t>(c.missing.size());
}

}  // namespace nc::select
