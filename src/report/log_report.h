#pragma once
// The severity log as one self-contained HTML page (`popscope report log`):
// the current triage level with its reasons and the disclaimer, a timeline of
// reports and recorded pops, pops per day by location, the pain trend and the
// table of reports. Made to be printed on A4 and handed to a clinician.
#include <string>

#include "src/log/summary.h"

namespace popscope::report {

struct LogReportOptions {
  std::string database_path;
  std::string period;  // as given, e.g. "30d"
  double generated_unix = 0;
};

std::string render_log_report(const log::LogSummary& summary, const LogReportOptions& options);

// Colours used for the triage levels (badges and timeline markers).
const char* level_color(const std::string& level);

}  // namespace popscope::report
