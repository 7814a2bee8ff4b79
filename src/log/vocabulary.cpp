#include "src/log/vocabulary.h"

#include <algorithm>

#include "src/errors.h"

namespace popscope::log {

const std::vector<std::string>& locations() {
  static const std::vector<std::string> v = {"neck",  "upper-back", "mid-back",   "lower-back", "pelvis",
                                             "jaw",   "shoulder",   "elbow",      "wrist-hand", "hip",
                                             "knee",  "ankle",      "foot",       "other"};
  return v;
}

const std::vector<std::string>& sides() {
  static const std::vector<std::string> v = {"left", "right", "both"};
  return v;
}

const std::vector<std::string>& activities() {
  static const std::vector<std::string> v = {"lifting",    "heavy-lifting", "twisting", "bending", "stretching",
                                             "adjustment", "exercise",      "rest",     "other"};
  return v;
}

std::string join_values(const std::vector<std::string>& values, const char* separator) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += separator;
    out += v;
  }
  return out;
}

std::string check_value(const std::string& flag, const std::string& value, const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return value;
  throw UsageError(flag + " '" + value + "' is not valid; use one of: " + join_values(valid));
}

const std::vector<std::string>& level_names() {
  static const std::vector<std::string> v = {"self-care", "monitor", "see-clinician", "urgent", "emergency"};
  return v;
}

const char* level_name(Level level) { return level_names()[size_t(level)].c_str(); }

Level parse_level(const std::string& name) {
  const auto& v = level_names();
  const auto it = std::find(v.begin(), v.end(), name);
  if (it == v.end()) throw UsageError("level '" + name + "' is not valid; use one of: " + join_values(v));
  return Level(it - v.begin());
}

const char* level_advice(Level level) {
  switch (level) {
    case Level::kSelfCare:
      return "Nothing in what you reported needs care: rest if it is sore and carry on as usual. Log again if "
             "pain appears or grows, or something else changes.";
    case Level::kMonitor:
      return "Rest and observe. Log again in 24 hours; if it has not faded, spreads or returns, get it assessed.";
    case Level::kSeeClinician:
      return "Book an assessment with a doctor or physiotherapist in the coming days, and bring this log.";
    case Level::kUrgent:
      return "Get assessed today or tomorrow: contact your doctor, an urgent care service, or call your "
             "health service's advice line.";
    case Level::kEmergency:
      return "Seek emergency care now (emergency department or your emergency number). Do not wait to see "
             "whether it passes.";
  }
  return "";
}

}  // namespace popscope::log
