// popscope: finds and classifies joint sounds in recordings and live input.
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "datasets/synth_dataset.h"
#include "popscope_version.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/errors.h"
#include "src/stop_request.h"

int main(int argc, char** argv) {
  using namespace popscope;
  // Past a file-size limit (ulimit -f) a write then fails with EFBIG and is
  // reported as an output error, instead of SIGXFSZ killing the process and
  // leaving temporary files behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "popscope " POPSCOPE_VERSION
      ": finds joint sounds in recordings and live input and tells cavitation pops\n"
      "from crepitus, snaps and other noises."};
  // The generator's version too: scripts that keep generated recordings
  // (bench/, models/default/rebuild.sh) make them again when it changes.
  app.set_version_flag("--version", std::string("popscope " POPSCOPE_VERSION " (recording generator ") +
                                        synth::kGeneratorVersion + ")");
  app.require_subcommand(1);
  app.fallthrough(false);
  app.footer("Run 'popscope COMMAND --help' for the options of one command.\n"
             "Exit codes: 0 ok, 2 usage error, 3 input error, 4 output error, 5 log database error, "
             "6 no capture device, 130 interrupted.");

  cli::CommandList commands;
  cli::add_all_commands(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_code::kUsage;
  }

  try {
    for (auto& cmd : commands) {
      if (cmd.app->parsed()) return cmd.run();
    }
  } catch (const UsageError& e) {
    std::cerr << "popscope: " << e.what() << "\n";
    return exit_code::kUsage;
  } catch (const InputError& e) {
    std::cerr << "popscope: " << e.what() << "\n";
    return exit_code::kInput;
  } catch (const OutputError& e) {
    std::cerr << "popscope: " << e.what() << "\n";
    return exit_code::kOutput;
  } catch (const DatabaseError& e) {
    std::cerr << "popscope: " << e.what() << "\n";
    return exit_code::kDatabase;
  } catch (const Interrupted& e) {
    std::cerr << "popscope: " << e.what() << "; outputs finished before it are complete, nothing half-written was kept\n";
    return exit_code::kInterrupted;
  } catch (const std::exception& e) {
    std::cerr << "popscope: internal error: " << e.what() << "\n";
    return exit_code::kInternal;
  }
  return exit_code::kUsage;
}
