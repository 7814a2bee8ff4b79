#pragma once
// The detector's user-facing parameters in one table: it feeds the CLI flags,
// their validation and --help, and the parameters saved beside every output.
#include <string>
#include <vector>

#include "src/engine/engine.h"

namespace popscope {

struct DetectorParam {
  const char* flag;   // command-line flag
  const char* key;    // name in the saved run parameters
  double DetectorSettings::*member;
  double scale;       // flag value * scale = member value (ms -> s)
  double min_value;   // range of the flag value
  double max_value;
  const char* unit;
  const char* help;
};

const std::vector<DetectorParam>& detector_params();

// Checks every value in the table against its range; throws UsageError naming
// the flag, the value and the range.
void validate_detector_settings(const DetectorSettings& settings);

// Parses "LOW:HIGH" in Hz for --band; throws UsageError.
void parse_band(const std::string& text, DetectorSettings& settings);

}  // namespace popscope
