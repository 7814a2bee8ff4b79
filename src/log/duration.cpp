#include "src/log/duration.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "src/errors.h"

namespace popscope::log {

int64_t parse_duration_s(const std::string& flag, const std::string& text) {
  auto bad = [&] {
    return UsageError(flag + " '" + text +
                      "' is not a duration; use a number with a unit: s (seconds), m (minutes), h (hours), "
                      "d (days) or w (weeks), e.g. 30m, 4h, 2d, 1h30m");
  };
  if (text.empty()) throw bad();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 9 || j == text.size()) throw bad();
    const int64_t n = std::stoll(text.substr(i, j - i));
    int64_t unit = 0;
    switch (text[j]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: throw bad();
    }
    total += n * unit;
    i = j + 1;
  }
  if (total > int64_t(10) * 365 * 86400) throw UsageError(flag + " '" + text + "' is longer than 10 years");
  return total;
}

std::string format_duration(int64_t s) {
  if (s < 0) return "unknown";
  const int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
  char buf[64];
  if (d > 0) std::snprintf(buf, sizeof buf, h ? "%lldd %lldh" : "%lldd", (long long)d, (long long)h);
  else if (h > 0) std::snprintf(buf, sizeof buf, m ? "%lldh %lldm" : "%lldh", (long long)h, (long long)m);
  else if (m > 0) std::snprintf(buf, sizeof buf, "%lldm", (long long)m);
  else std::snprintf(buf, sizeof buf, "%llds", (long long)sec);
  return buf;
}

double parse_time(const std::string& flag, const std::string& text) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  char sep = 0;
  int consumed = 0;
  bool ok = false;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%lf%n", &y, &mo, &d, &sep, &h, &mi, &sec, &consumed) == 7) ok = true;
  else if (sec = 0, std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &consumed) == 6)
    ok = true;
  else if (h = mi = 0, sep = 'T', std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) == 3)
    ok = true;
  std::string rest = ok ? text.substr(size_t(consumed)) : "";
  const bool utc = rest == "Z" || rest == "z";
  if (!ok || (sep != 'T' && sep != ' ') || !(rest.empty() || utc) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || sec >= 61 || sec < 0) {
    throw UsageError(flag + " '" + text +
                     "' is not a date/time; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, local time "
                     "unless it ends in Z (UTC)");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  const std::time_t t = utc ? timegm(&tm) : std::mktime(&tm);
  return double(t) + sec;
}

namespace {
std::string format_with(double unix_s, const char* fmt, bool utc) {
  const std::time_t t = std::time_t(std::floor(unix_s));
  std::tm tm{};
  if (utc) gmtime_r(&t, &tm);
  else localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}
}  // namespace

std::string format_time_utc(double unix_s) { return format_with(unix_s, "%Y-%m-%dT%H:%M:%SZ", true); }
std::string format_time_local(double unix_s) { return format_with(unix_s, "%Y-%m-%d %H:%M", false); }
std::string format_date_local(double unix_s) { return format_with(unix_s, "%Y-%m-%d", false); }

double now_unix() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

}  // namespace popscope::log
