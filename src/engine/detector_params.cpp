#include "src/engine/detector_params.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "src/errors.h"

namespace popscope {

const std::vector<DetectorParam>& detector_params() {
  static const std::vector<DetectorParam> table = {
      {"--silence-db", "silence_dbfs", &DetectorSettings::silence_dbfs, 1.0, -120.0, 0.0, "dBFS",
       "Onsets quieter than this level are ignored"},
      {"--min-interval-ms", "min_interval_s", &DetectorSettings::min_interval_s, 0.001, 1.0, 1000.0, "ms",
       "Shortest time between two onsets on one channel (pops can be 10 ms apart)"},
      {"--threshold", "threshold_db", &DetectorSettings::threshold_db, 1.0, 1.0, 60.0, "dB",
       "Minimum rise of the band levels above the background for an onset; higher finds fewer events"},
      {"--on-db", "on_db", &DetectorSettings::on_db, 1.0, 1.0, 40.0, "dB",
       "Level above the background's fluctuation at which a sound starts"},
      {"--off-db", "off_db", &DetectorSettings::off_db, 1.0, 0.0, 30.0, "dB",
       "Level above the background's fluctuation below which a sound has ended"},
  };
  return table;
}

void validate_detector_settings(const DetectorSettings& s) {
  for (const auto& p : detector_params()) {
    const double v = s.*(p.member) / p.scale;
    if (!std::isfinite(v) || v < p.min_value - 1e-9 || v > p.max_value + 1e-9) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s %g is out of range; give a value from %g to %g %s", p.flag, v,
                    p.min_value, p.max_value, p.unit);
      throw UsageError(buf);
    }
  }
  if (s.off_db >= s.on_db) throw UsageError("--off-db must be lower than --on-db");
}

void parse_band(const std::string& text, DetectorSettings& s) {
  const auto colon = text.find(':');
  char* end1 = nullptr;
  char* end2 = nullptr;
  const std::string a = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string b = colon == std::string::npos ? "" : text.substr(colon + 1);
  const double lo = std::strtod(a.c_str(), &end1), hi = std::strtod(b.c_str(), &end2);
  if (colon == std::string::npos || a.empty() || b.empty() || *end1 || *end2 || !std::isfinite(lo) ||
      !std::isfinite(hi)) {
    throw UsageError("--band '" + text + "' is not LOW:HIGH in Hz, for example --band 100:2000");
  }
  if (lo < 0 || hi <= lo || hi > s.analysis_rate_hz / 2) {
    throw UsageError("--band " + text + ": need 0 <= LOW < HIGH <= " +
                     std::to_string(int(s.analysis_rate_hz / 2)) + " Hz");
  }
  s.band_low_hz = lo;
  s.band_high_hz = hi;
}

}  // namespace popscope
