#include "select/plan.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "select/plan_options.hpp"

namespace nc::select {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw InputError("plan key " + key + ": " + what);
}

std::vector<std::string> parse_data(const nlohmann::json& j) {
  if (!j.is_array() || j.empty()) bad("data", "expected a non-empty list of .npz file names");
  std::vector<std::string> data;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || j[i].get<std::string>().empty())
      bad("data[" + std::to_string(i) + "]", "expected a file name, got " + j[i].dump());
    data.push_back(j[i].get<std::string>());
  }
  return data;
}

std::vector<uint64_t> parse_seeds(const nlohmann::json& j) {
  if (!j.is_array() || j.empty()) bad("seeds", "expected a non-empty list of integers >= 0");
  std::vector<uint64_t> seeds;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number_integer() || j[i].get<int64_t>() < 0)
      bad("seeds[" + std::to_string(i) + "]", "expected an integer >= 0, got " + j[i].dump());
    seeds.push_back(j[i].get<uint64_t>());
  }
  return seeds;
}

std::vector<GridAxis> parse_grid(const nlohmann::json& j, const nlohmann::json& options) {
  if (!j.is_object()) bad("grid", "expected an object of option name -> list of values");
  std::vector<GridAxis> grid;
  for (const auto& [key, values] : j.items()) {  // nlohmann's objects iterate sorted by key
    if (!values.is_array()) bad("grid." + key, "expected a list of values, got " + values.dump());
    if (values.empty())
      bad("grid." + key, "expected at least one value (an empty axis makes no jobs)");
    if (options.contains(key)) bad("grid." + key, "also given in options: give it in one place");
    grid.push_back({key, values.get<std::vector<nlohmann::json>>()});
  }
  return grid;
}

// Every option and grid value applied to the command's options, so a bad name or type fails
// now, before any job; then each grid point's options are validated as the command would.
void check_options(const Plan& p) {
  runs::DecodeOptions d;
  runs::EncodeOptions e;
  auto apply = [&](const std::string& key, const nlohmann::json& v, const std::string& where) {
    if (p.command == PlanCommand::decode)
      apply_decode_option(d, key, v, where);
    else
      apply_encode_option(e, key, v, where);
  };
  for (const auto& [key, v] : p.options.items()) apply(key, v, "options." + key);
  for (const auto& axis : p.grid)
    for (size_t i = 0; i < axis.values.size(); ++i)
      apply(axis.key, axis.values[i], "grid." + axis.key + "[" + std::to_string(i) + "]");
  if (p.folds > 0 && (p.options.contains("train-fraction") ||
                      std::any_of(p.grid.begin(), p.grid.end(),
                                  [](const GridAxis& a) { return a.key == "train-fraction"; })))
    bad("folds", "conflicts with train-fraction (the folds are the splits)");
}

}  // namespace

Plan parse_plan(const nlohmann::json& j) {
  if (!j.is_object())
    throw InputError(
        "plan: expected a JSON object with keys command, data, options, grid, seeds, folds");
  static const std::set<std::string> known = {"command", "data",  "options",
                                              "grid",    "seeds", "folds"};
  for (const auto& [key, v] : j.items())
    if (known.count(key) == 0)
      bad(key, "unknown key (expected command, data, options, grid, seeds, folds)");
  Plan p;
  p.parsed = j;
  if (!j.contains("command") || !j["command"].is_string() ||
      (j["command"] != "decode" && j["command"] != "encode"))
    bad("command", "expected \"decode\" or \"encode\"");
  p.command = j["command"] == "decode" ? PlanCommand::decode : PlanCommand::encode;
  p.data = j.contains("data") ? parse_data(j["data"]) : std::vector<std::string>{""};
  if (j.contains("options")) {
    if (!j["options"].is_object()) bad("options", "expected an object of option name -> value");
    p.options = j["options"];
  }
  if (j.contains("grid")) p.grid = parse_grid(j["grid"], p.options);
  if (j.contains("seeds")) p.seeds = parse_seeds(j["seeds"]);
  if (j.contains("folds")) {
    if (p.command != PlanCommand::decode) bad("folds", "applies to decode only");
    if (!j["folds"].is_number_integer())
      bad("folds", "expected an integer >= 2, got " + j["folds"].dump());
    p.folds = j["folds"].get<int>();
    if (p.folds < 2) bad("folds", "expected an integer >= 2, got " + j["folds"].dump());
  }
  check_options(p);
  for (const Job& job :
       plan_jobs(p)) {  // one job per grid point and data suffices, but all are cheap
    if (job.seed != p.seeds[0] || job.fold > 0) continue;
    if (p.command == PlanCommand::decode)
      runs::validate(job_decode_options(p, job));
    else
      runs::validate(job_encode_options(p, job));
  }
  return p;
}

Plan load_plan(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw InputError(path + ": cannot read the plan file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  return parse_plan(j);
}

std::string canonical(const Plan& p) {
  return p.parsed.dump();
}

std::vector<Job> plan_jobs(const Plan& p) {
  size_t n_points = 1;
  for (const auto& a : p.grid) n_points *= a.values.size();
  const int n_folds = p.folds > 0 ? p.folds : 1;
  std::vector<Job> jobs;
  for (size_t d = 0; d < p.data.size(); ++d)
    for (size_t g = 0; g < n_points; ++g) {
      std::vector<size_t> point(p.grid.size());
      size_t rest = g;  // the last axis varies fastest
      for (size_t a = p.grid.size(); a-- > 0;) {
        point[a] = rest % p.grid[a].values.size();
        rest /= p.grid[a].values.size();
      }
      for (const uint64_t seed : p.seeds)
        for (int f = 0; f < n_folds; ++f)
          jobs.push_back({static_cast<int64_t>(jobs.size()), d, point, seed, p.folds > 0 ? f : -1});
    }
  return jobs;
}

nlohmann::json job_grid(const Plan& p, const Job& job) {
  nlohmann::json g = nlohmann::json::object();
  for (size_t a = 0; a < p.grid.size(); ++a) g[p.grid[a].key] = p.grid[a].values[job.point[a]];
  return g;
}

std::string data_name(const Plan& p, size_t data) {
  return p.data[data].empty() ? "simulated" : p.data[data];
}

std::string job_line(const Plan& p, const Job& job) {
  std::ostringstream s;
  s << job.index << " data=" << data_name(p, job.data);
  for (size_t a = 0; a < p.grid.size(); ++a)
    s << " " << p.grid[a].key << "=" << p.grid[a].values[job.point[a]].dump();
  s << " seed=" << job.seed;
  if (job.fold >= 0) s << " fold=" << job.fold;
  return s.str();
}

runs::DecodeOptions job_decode_options(const Plan& p, const Job& job) {
  runs::DecodeOptions o;
  for (const auto& [key, v] : p.options.items()) apply_decode_option(o, key, v, "options." + key);
  for (size_t a = 0; a < p.grid.size(); ++a)
    apply_decode_option(o, p.grid[a].key, p.grid[a].values[job.point[a]], "grid." + p.grid[a].key);
  o.data = p.data[job.data];
  o.seed = job.seed;
  o.folds = p.folds;
  o.quiet = true;
  o.plots = false;
  return o;
}

runs::EncodeOptions job_encode_options(const Plan& p, const Job& job) {
  runs::EncodeOptions o;
  for (const auto& [key, v] : p.options.items()) apply_encode_option(o, key, v, "options." + key);
  for (size_t a = 0; a < p.grid.size(); ++a)
    apply_encode_option(o, p.grid[a].key, p.grid[a].values[job.point[a]], "grid." + p.grid[a].key);
  o.data = p.data[job.data];
  o.seed = job.seed;
  o.quiet = true;
  o.plots = false;
  return o;
}

std::pair<int64_t, int64_t> shard_range(int64_t n_jobs, int64_t i, int64_t n) {
  return {i * n_jobs / n, (i + 1) * n_jobs / n};
}

}  // namespace nc::select
