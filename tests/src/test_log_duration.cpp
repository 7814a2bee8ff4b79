#include <doctest/doctest.h>

#include "src/errors.h"
#include "src/log/duration.h"
#include "src/log/vocabulary.h"

using namespace popscope;
using namespace popscope::log;

TEST_CASE("durations as people type them") {
  CHECK(parse_duration_s("--since", "30m") == 1800);
  CHECK(parse_duration_s("--since", "4h") == 4 * 3600);
  CHECK(parse_duration_s("--since", "2d") == 2 * 86400);
  CHECK(parse_duration_s("--since", "1w") == 7 * 86400);
  CHECK(parse_duration_s("--since", "1h30m") == 5400);
  CHECK(parse_duration_s("--since", "45s") == 45);
  for (const char* bad : {"", "3", "h", "3x", "-2d", "2 d", "1.5h", "99999999999d"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parse_duration_s("--pain-since", bad), doctest::Contains("--pain-since"), UsageError);
  }
  CHECK(format_duration(90061) == "1d 1h");
  CHECK(format_duration(5400) == "1h 30m");
  CHECK(format_duration(120) == "2m");
}

TEST_CASE("times: ISO dates in UTC and local time") {
  CHECK(parse_time("--at", "2027-01-15T08:00:00Z") == doctest::Approx(1.8e9));
  CHECK(format_time_utc(parse_time("--at", "2026-11-20T14:30Z")) == "2026-11-20T14:30:00Z");
  CHECK(format_date_local(parse_time("--at", "2026-11-20")) == "2026-11-20");
  for (const char* bad : {"yesterday", "2026-13-01", "2026-11-20T25:00", "2026-11-20T10:00+02"})
    CHECK_THROWS_AS(parse_time("--at", bad), UsageError);
}

TEST_CASE("vocabularies: invalid values are rejected with the list of valid ones") {
  CHECK(check_value("--location", "knee", locations()) == "knee");
  CHECK_THROWS_WITH(check_value("--location", "hand", locations()),
                    doctest::Contains("use one of: neck, upper-back, mid-back, lower-back"));
  CHECK_THROWS_WITH(check_value("--side", "up", sides()), "--side 'up' is not valid; use one of: left, right, both");
  CHECK_THROWS_WITH(check_value("--activity", "run", activities()), doctest::Contains("heavy-lifting"));
  CHECK(parse_level("urgent") == Level::kUrgent);
  CHECK(level_name(Level::kSeeClinician) == std::string("see-clinician"));
  CHECK(Level::kSelfCare < Level::kMonitor);
  CHECK(Level::kUrgent < Level::kEmergency);
}
