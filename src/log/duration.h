#pragma once
// Durations and times as people type them: "30m", "4h", "2d", "1w", "90s",
// "1h30m"; times as ISO 8601 ("2026-11-20T14:30", "2026-11-20 14:30:05Z",
// "2026-11-20"), local time unless they end in Z.
#include <cstdint>
#include <string>

namespace popscope::log {

// Seconds in a duration. Throws UsageError naming the flag and the accepted
// forms when the text is not a duration.
int64_t parse_duration_s(const std::string& flag, const std::string& text);
// "2d 4h", "45m", "30s": the two largest units.
std::string format_duration(int64_t seconds);

// Unix seconds of an ISO 8601 date/time; throws UsageError naming the flag.
double parse_time(const std::string& flag, const std::string& text);
// "2026-11-20T14:30:05Z" (UTC) and "2026-11-20 15:30" (local, for people).
std::string format_time_utc(double unix_s);
std::string format_time_local(double unix_s);
std::string format_date_local(double unix_s);  // "2026-11-20"
double now_unix();

}  // namespace popscope::log
