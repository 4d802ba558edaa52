#include "select/plan_options.hpp"

#include <set>

#include "core/error.hpp"

namespace nc::select {
namespace {

[[noreturn]] void wrong_type(const std::string& where, const char* expected,
                             const nlohmann::json& v) {
  throw InputError("plan key " + where + ": expected " + expected + ", got " + v.dump());
}
int64_t as_int(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number_integer()) wrong_type(where, "an integer", v);
  return v.get<int64_t>();
}
double as_number(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number()) wrong_type(where, "a number", v);
  return v.get<double>();
}
std::string as_string(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string()) wrong_type(where, "a string", v);
  return v.get<std::string>();
}
bool as_bool(const nlohmann::json& v, const std::string& where) {
  if (!v.is_boolean()) wrong_type(where, "true or false", v);
  return v.get<bool>();
}

// Options of the commands that a plan sets by its own keys, or that make no sense per job.
void refuse_plan_keys(const std::string& key, const std::string& where) {
  static const std::set<std::string> reserved = {
      "out", "data", "split", "resume", "checkpoint-every", "seed", "folds"};
  if (reserved.count(key) != 0)
    throw InputError("plan key " + where + ": '" + key +
                     "' is set by the plan itself (data, seeds, folds) or by the sweep");
  if (key == "repeats")
    throw InputError("plan key " + where + ": 'repeats' is not a sweep option (list more seeds)");
}

[[noreturn]] void unknown(const std::string& command, const std::string& key,
                          const std::string& where) {
  throw InputError("plan key " + where + ": '" + key + "' is not an option of " + command);
}

}  // namespace

void apply_decode_option(runs::DecodeOptions& o, const std::string& key, const nlohmann::json& v,
                         const std::string& where) {
  refuse_plan_keys(key, where);
  if (key == "model") {
    if (!runs::set_model(o, as_string(v, where)))
      wrong_type(where,
                 "\"classification\", \"regression\", \"circular\", \"ridge\" or \"vonmises\"", v);
  } else if (key == "period")
    o.period = as_number(v, where);
  else if (key == "lambda")
    o.lambda = as_number(v, where);
  else if (key == "hidden")
    o.hidden = as_int(v, where);
  else if (key == "classes")
    o.classes = static_cast<int>(as_int(v, where));
  else if (key == "iters")
    o.iters = as_int(v, where);
  else if (key == "lr")
    o.lr = as_number(v, where);
  else if (key == "l1")
    o.l1 = as_number(v, where);
  else if (key == "l2")
    o.l2 = as_number(v, where);
  else if (key == "train-fraction") {
    o.train_fraction = as_number(v, where);
    o.train_fraction_given = true;
  } else if (key == "init")
    o.init = as_string(v, where);
  else if (key == "bin-width")
    o.bin_width = as_number(v, where);
  else if (key == "quiet")
    o.quiet = as_bool(v, where);
  else if (key == "no-plots")
    o.plots = !as_bool(v, where);
  else
    unknown("decode", key, where);
}

void apply_encode_option(runs::EncodeOptions& o, const std::string& key, const nlohmann::json& v,
                         const std::string& where) {
  refuse_plan_keys(key, where);
  if (key == "channels")
    o.channels = static_cast<int>(as_int(v, where));
  else if (key == "kernel")
    o.kernel = static_cast<int>(as_int(v, where));
  else if (key == "iters")
    o.iters = as_int(v, where);
  else if (key == "lr")
    o.lr = as_number(v, where);
  else if (key == "momentum")
    o.momentum = as_number(v, where);
  else if (key == "filters") {
    const std::string f = as_string(v, where);
    if (f != "seed" && f != "random") wrong_type(where, "\"seed\" or \"random\"", v);
    o.filters = f == "seed" ? models::EncoderFilters::seed : models::EncoderFilters::random;
  } else if (key == "init")
    o.init = as_string(v, where);
  else if (key == "quiet")
    o.quiet = as_bool(v, where);
  else if (key == "no-plots")
    o.plots = !as_bool(v, where);
  else
    unknown("encode", key, where);
}

}  // namespace nc::select
