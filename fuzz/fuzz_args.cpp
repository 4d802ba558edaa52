// libFuzzer target: the command line (the subcommands of src/cli/main.cpp, in its order). The input
// is split at '\n' into arguments (after the program name); they are parsed by the real
// subcommands' CLI11 definitions (src/cli/cmd_*.cpp) and, when parsing succeeds, the chosen
// command's options are completed and validated by the library (nc::runs::validate), without
// running anything. A usage error must be a CLI::ParseError and a bad value an nc::InputError, as
// src/cli/main.cpp expects; anything else is a finding. See docs/fuzzing.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  size_t start = 0;
  while (start <= in.size()) {
    size_t end = in.find('\n', start);
    if (end == std::string_view::npos) end = in.size();
    args.emplace_back(in.substr(start, end - start));
    start = end + 1;
  }
  if (!args.empty() && args.back().empty()) args.pop_back();  // a trailing newline ends a line

  // A fresh app per input: CLI11 does not reset bound variables between parses.
  CLI::App app{"neurocodec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "neurocodec 0.1.0");
  const std::vector<nc::cli::Command> commands = {
      nc::cli::add_simulate_command(app), nc::cli::add_decode_command(app),
      nc::cli::add_encode_command(app),   nc::cli::add_tutorial_command(app),
      nc::cli::add_fetch_command(app),
  };
  std::reverse(args.begin(), args.end());  // App::parse(vector) takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  for (const auto& c : commands) {
    if (!c.app->parsed() || !c.check) continue;
    try {
      c.check();
    } catch (const nc::InputError&) {
    }
  }
  return 0;
}
