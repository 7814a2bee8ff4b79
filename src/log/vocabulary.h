#pragma once
// The fixed vocabularies of the severity log: body locations, sides,
// activities and triage levels. One list each feeds the command-line checks,
// the --help text, the interactive questions and the error messages.
#include <string>
#include <vector>

namespace popscope::log {

const std::vector<std::string>& locations();
const std::vector<std::string>& sides();
const std::vector<std::string>& activities();

// "neck, upper-back, ..." for help and error texts.
std::string join_values(const std::vector<std::string>& values, const char* separator = ", ");

// Returns value when it is in valid, else throws UsageError:
// "--location 'hand' is not valid; use one of: neck, upper-back, ...".
std::string check_value(const std::string& flag, const std::string& value, const std::vector<std::string>& valid);

// Triage levels, from least to most pressing.
enum class Level { kSelfCare = 0, kMonitor = 1, kSeeClinician = 2, kUrgent = 3, kEmergency = 4 };

const char* level_name(Level level);                 // "self-care", "monitor", ...
Level parse_level(const std::string& name);          // throws UsageError listing the levels
const std::vector<std::string>& level_names();
// What a person should do at this level, in one or two plain sentences.
const char* level_advice(Level level);

}  // namespace popscope::log
