#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "fetch/fetch.hpp"
#include "runs/output_dir.hpp"

namespace nc::cli {

Command add_fetch_command(CLI::App& app) {
  struct State {
    std::string dir = ".";
    std::string url_base;
    bool quiet = false;
  };
  auto s = std::make_shared<State>();
  auto* c = app.add_subcommand("fetch-data",
                               "download the tutorial's two data files and check their MD5");
  c->add_option("--dir", s->dir, "folder to put the files in")->capture_default_str();
  c->add_option(
      "--url-base", s->url_base,
      "replaces https://osf.io in the published addresses (also: env NEUROCODEC_DATA_URL_BASE)");
  c->add_flag("--quiet", s->quiet, "no progress output");
  return {c, [s] {
            std::string base = s->url_base;
            if (base.empty())
              if (const char* env = std::getenv("NEUROCODEC_DATA_URL_BASE")) base = env;
            if (base.empty()) base = fetch::kDefaultUrlBase;
            runs::prepare_output_dir(s->dir);
            // Both files are tried; the failures are reported together, on one line.
            std::string errors;
            int failed = 0;
            const auto files = fetch::tutorial_files(base);
            for (const auto& f : files) {
              try {
                fetch::fetch_file(f, s->dir, std::cout, {.quiet = s->quiet});
              } catch (const IoError& e) {
                errors += (failed++ ? "; " : "") + std::string(e.what());
              }
            }
            if (failed)
              throw IoError(failed == 1
                                ? errors
                                : std::to_string(failed) + " of " + std::to_string(files.size()) +
                                      " downloads failed: " + errors);
            if (!s->quiet)
              std::cout << "data ready in " << s->dir << ": neurocodec tutorial --data-dir "
                        << s->dir << " --out <folder>\n";
            return 0;
          }};
}

}  // namespace nc::cli
