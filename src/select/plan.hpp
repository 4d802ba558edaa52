#pragma once
// Sweep plans (DESIGN.md "Sweeps (#8)"): a JSON object naming the command, the data files,
// fixed options, a grid of option values, seeds and folds, expanded into a list of independent
// jobs in a stable order.
//
//   {"command": "decode", "data": ["rec1.npz"], "options": {"iters": 1000},
//    "grid": {"l2": [0, 0.01], "hidden": [10, 20]}, "seeds": [1, 2], "folds": 5}
//
// Job order: data (as listed), then the grid keys sorted by name with the last key varying
// fastest and values in listed order, then seeds (listed order), then folds 0..K-1.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "runs/decode_run.hpp"
#include "runs/encode_run.hpp"

namespace nc::select {

enum class PlanCommand { decode, encode };

struct GridAxis {
  std::string key;                     // an option's long name, dashes kept ("train-fraction")
  std::vector<nlohmann::json> values;  // in listed order
};

struct Plan {
  PlanCommand command = PlanCommand::decode;
  std::vector<std::string> data;  // as listed; one empty name = the built-in simulated data
  nlohmann::json options = nlohmann::json::object();  // fixed options
  std::vector<GridAxis> grid;                         // sorted by key
  std::vector<uint64_t> seeds{1};
  int folds = 0;          // 0: no cross-validation (decode's seeded split)
  nlohmann::json parsed;  // the plan as read; its dump is the canonical form
};

struct Job {
  int64_t index = 0;
  size_t data = 0;            // into Plan::data
  std::vector<size_t> point;  // a value index per grid axis
  uint64_t seed = 1;
  int fold = -1;  // -1 without folds
};

// Checks keys, types and option names; throws InputError naming the key and what was expected.
// Option values are checked by building every grid point's options (runs' validate()).
Plan parse_plan(const nlohmann::json& j);
// Reads and parses a plan file; errors name the file.
Plan load_plan(const std::string& path);
std::string canonical(const Plan& p);  // the parsed plan's dump: "same plan" means equal dumps

std::vector<Job> plan_jobs(const Plan& p);
// {key: value} of the job's grid point.
nlohmann::json job_grid(const Plan& p, const Job& job);
// One line of --list: "<index> data=... key=value ... seed=S [fold=F]".
std::string job_line(const Plan& p, const Job& job);
// The name of a data entry in results ("simulated" for the built-in data).
std::string data_name(const Plan& p, size_t data);

// The command's options for a job: fixed options, then the grid point's, then data and seed.
runs::DecodeOptions job_decode_options(const Plan& p, const Job& job);
runs::EncodeOptions job_encode_options(const Plan& p, const Job& job);

// Shard i of n runs jobs [floor(i*J/n), floor((i+1)*J/n)).
std::pair<int64_t, int64_t> shard_range(int64_t n_jobs, int64_t i, int64_t n);

}  // namespace nc::select
