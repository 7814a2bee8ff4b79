// libFuzzer target: command-line parsing. The input is split at newlines into
// arguments and parsed by the whole popscope command line (every subcommand,
// its enum choices, ranges and numbers), and its text is also given to each
// value parser (--band, --format, --label-format, --profile, --sensor, --type).
// Bad values may only be refused with CLI11's parse errors or UsageError;
// anything else (a crash, another exception, a sanitizer report) is a bug.
// Commands are parsed, never run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "datasets/synth_scene.h"
#include "models/model.h"
#include "src/cli/commands.h"
#include "src/engine/detector_params.h"
#include "src/errors.h"
#include "src/io/event_writer.h"

namespace {

template <typename F>
void refuse_only_with_usage_error(F&& f) {
  try {
    f();
  } catch (const popscope::UsageError&) {
  } catch (const popscope::InputError&) {  // label formats refuse unknown names this way
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace popscope;
  const std::string text(reinterpret_cast<const char*>(data), size);

  refuse_only_with_usage_error([&] {
    DetectorSettings s;
    parse_band(text, s);
    validate_detector_settings(s);
  });
  refuse_only_with_usage_error([&] { (void)parse_event_format(text); });
  refuse_only_with_usage_error([&] { (void)labels::parse_label_format(text); });
  refuse_only_with_usage_error([&] { (void)synth::parse_profile(text); });
  refuse_only_with_usage_error([&] { (void)synth::parse_sensor(text); });
  refuse_only_with_usage_error([&] { (void)models::parse_model_type(text); });

  std::vector<std::string> args{"popscope"};
  size_t start = 0;
  for (size_t i = 0; i <= text.size() && args.size() < 64; ++i)
    if (i == text.size() || text[i] == '\n') {
      args.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  CLI::App app{"popscope"};
  app.require_subcommand(1);
  cli::CommandList commands;
  cli::add_all_commands(app, commands);
  try {
    app.parse(int(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
  }
  return 0;
}
