// The neurocodec command: parses arguments, calls the library, prints. The only place that
// touches argv, stdout and exit codes: 0 success, 1 bad input or failure, 2 usage error,
// 3 training diverged. Each subcommand is in its own cmd_*.cpp.
#include <CLI/CLI.hpp>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/blas_spin.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace {

// CLI11's messages can span lines; the contract is one line on stderr.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

int fail(int code, const std::string& msg) {
  std::cerr << "error: " << one_line(msg) << std::endl;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  nc::cli::exec_with_short_blas_spin(argv);
  CLI::App app{
      "neurocodec: decode stimuli from, and predict, the activity of large neural populations"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "neurocodec 0.1.0");
  const std::vector<nc::cli::Command> commands = {
      nc::cli::add_simulate_command(app),     nc::cli::add_decode_command(app),
      nc::cli::add_discriminate_command(app), nc::cli::add_encode_command(app),
      nc::cli::add_tutorial_command(app),     nc::cli::add_fetch_command(app),
      nc::cli::add_sweep_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(2, e.what());
  }

  nc::install_interrupt_handlers();
  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const nc::InputError& e) {
    return fail(1, e.what());
  } catch (const nc::IoError& e) {
    return fail(1, e.what());
  } catch (const std::bad_alloc&) {
    return fail(1, "out of memory");
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 0;
}
