// popscope devices: lists audio inputs.
#include <cstdio>

#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/live/capture.h"

namespace popscope::cli {

void add_devices_command(CLI::App& app, CommandList& commands) {
  CLI::App* sub = app.add_subcommand("devices", "List audio input devices for 'popscope listen'");
  sub->footer("The default input is marked with *. Pass its index or name to 'popscope listen --device'.");
  commands.push_back({sub, [] {
                        PortAudioSession pa;
                        const auto devices = pa.input_devices();
                        if (devices.empty()) {
                          std::fprintf(stderr,
                                       "popscope: no audio input device found; 'popscope analyze FILE' analyses "
                                       "a recording instead\n");
                          return exit_code::kNoDevice;
                        }
                        std::printf("  %5s  %-40s %-10s %8s %12s\n", "index", "name", "host api", "inputs",
                                    "default rate");
                        for (const auto& d : devices) {
                          std::printf("%s %5d  %-40s %-10s %8d %9.0f Hz\n", d.is_default ? "*" : " ", d.index,
                                      d.name.c_str(), d.host_api.c_str(), d.max_input_channels, d.default_rate_hz);
                        }
                        return exit_code::kOk;
                      }});
}

}  // namespace popscope::cli
