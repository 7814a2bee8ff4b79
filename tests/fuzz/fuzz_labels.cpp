// libFuzzer target: every label-file parser on arbitrary bytes. A parser may
// reject input only with InputError; anything else (a crash, another
// exception, a sanitizer report) is a bug. Accepted input must write back and
// read again to the same events (round trip).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "datasets/labels.h"
#include "src/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace popscope::labels;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (LabelFormat f : {LabelFormat::kAudacity, LabelFormat::kRaven, LabelFormat::kCsv, LabelFormat::kJsonl}) {
    std::vector<LabelEvent> events;
    try {
      events = parse_labels(text, f, "fuzz");
    } catch (const popscope::InputError&) {
      continue;
    }
    // Labels with tabs or newlines cannot survive tab-separated formats; the
    // CSV writer must round-trip anything, the JSON writer any valid UTF-8.
    bool valid_utf8 = true;
    for (const auto& e : events) {
      // Each string on its own: two invalid halves can join into valid UTF-8.
      for (const std::string* s : {&e.label, &e.file}) {
        try {
          (void)nlohmann::json(*s).dump();
        } catch (const nlohmann::json::exception&) {
          valid_utf8 = false;
        }
      }
    }
    for (LabelFormat g : {LabelFormat::kCsv, LabelFormat::kJsonl}) {
      if (g == LabelFormat::kJsonl && !valid_utf8) continue;
      const auto back = parse_labels(format_labels(events, g), g, "fuzz-roundtrip");
      if (back.size() != events.size()) __builtin_trap();
      for (size_t i = 0; i < back.size(); ++i) {
        if (!(back[i] == events[i])) __builtin_trap();
      }
    }
  }
  (void)detect_label_format("fuzz.txt", text);
  return 0;
}
