#include <doctest/doctest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "src/errors.h"
#include "src/log/database.h"
#include "src/log/recorder.h"
#include "tests/support/test_support.h"

using namespace popscope;
using namespace popscope::log;
using test::TempDir;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// Runs SQL on a database file directly (no popscope code involved).
std::string raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string result;
  char* err = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int n, char** values, char**) {
        auto& s = *static_cast<std::string*>(out);
        for (int i = 0; i < n; ++i) s += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
        s += "\n";
        return 0;
      },
      &result, &err);
  if (rc != SQLITE_OK) {
    result = std::string("ERROR: ") + (err ? err : "");
    sqlite3_free(err);
  }
  sqlite3_close(db);
  return result;
}

Event make_event(double onset_s, const std::string& cls = "cavitation", bool refractory = false) {
  Event e;
  e.onset_s = onset_s;
  e.offset_s = onset_s + 0.006;
  e.peak_dbfs = -12;
  e.class_name = cls;
  e.confidence = 0.9;
  e.refractory_repeat = refractory;
  return e;
}

int64_t session_at(Database& db, double start, const std::string& location) {
  Session s;
  s.started_unix = start;
  s.source = "listen";
  s.input = "test device";
  s.location = location;
  return db.begin_session(s);
}

Report report_at(double t, const std::string& location, int pain = 0) {
  Report r;
  r.time_unix = t;
  r.location = location;
  r.pain = pain;
  return r;
}

constexpr double kT0 = 1.8e9;  // a fixed moment: 2027-01-15

}  // namespace

TEST_CASE("a new log is private, in WAL mode, at the current schema") {
  TempDir tmp;
  const std::string path = tmp.file("data/popscope/log.db");
  {
    Database db(path);
    CHECK(db.schema_version() == kSchemaVersion);
    db.begin_session(Session{0, kT0, std::nullopt, "analyze", "a.wav", "knee", ""});
    // While the log is open, SQLite's side files exist and copy the file's mode.
    REQUIRE(std::filesystem::exists(path + "-wal"));
    CHECK(mode_of(path + "-wal") == 0600);
    CHECK(mode_of(path + "-shm") == 0600);
  }
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(tmp.file("data/popscope")) == 0700);
  CHECK(mode_of(tmp.file("data")) == 0700);
  CHECK(raw_sql(path, "PRAGMA journal_mode") == "wal\n");
  CHECK(raw_sql(path, "PRAGMA user_version") == std::to_string(kSchemaVersion) + "\n");
  CHECK(raw_sql(path, "PRAGMA application_id") == std::to_string(kApplicationId) + "\n");
  CHECK(raw_sql(path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name") ==
        "assessments\nevents\nreports\nsessions\n");
}

TEST_CASE("a log of an older schema is upgraded in order, keeping its rows") {
  TempDir tmp;
  const std::string path = tmp.file("v1.db");
  // A version-1 log as an earlier popscope left it.
  raw_sql(path, std::string("PRAGMA journal_mode = WAL;") + migration_sql(0) + "PRAGMA user_version = 1; PRAGMA application_id = " +
                    std::to_string(kApplicationId) + ";");
  raw_sql(path,
          "INSERT INTO reports (time_unix, created_unix, location, pain, note) VALUES (1.8e9, 1.8e9, 'neck', 3, 'old');");
  REQUIRE(raw_sql(path, "PRAGMA user_version") == "1\n");
  {
    Database db(path);
    CHECK(db.schema_version() == kSchemaVersion);
    const auto r = db.report(1);
    REQUIRE(r);
    CHECK(r->note == "old");
    CHECK(r->pain == 3);
    CHECK_FALSE(r->symptoms.facial_numbness);
  }
  CHECK(raw_sql(path, "SELECT facial_numbness FROM reports") == "0\n");
  CHECK(raw_sql(path, "PRAGMA integrity_check") == "ok\n");
  CHECK(migration_sql(kSchemaVersion) == nullptr);
}

TEST_CASE("an existing log with a too open mode is made private") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  { Database db(path); }
  ::chmod(path.c_str(), 0644);
  { Database db(path); }
  CHECK(mode_of(path) == 0600);
}

TEST_CASE("a log written by a newer popscope is refused and left as it is") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  { Database db(path); }
  raw_sql(path, "PRAGMA user_version = 99");
  const std::string before = test::read_text(path);
  try {
    Database db(path);
    FAIL("a newer schema was accepted");
  } catch (const DatabaseError& e) {
    CHECK(std::string(e.what()).find("newer popscope (schema 99") != std::string::npos);
  }
  CHECK(test::read_text(path) == before);
  CHECK(raw_sql(path, "PRAGMA user_version") == "99\n");
}

TEST_CASE("a file that is not a SQLite database is refused and never touched") {
  TempDir tmp;
  for (const std::string& content : {std::string("my diary: knee hurt on monday\n"), std::string(4096, 'x'),
                                    std::string("SQLite format 3")}) {
    const std::string path = tmp.file("notes.db");
    test::write_text(path, content);
    ::chmod(path.c_str(), 0644);
    CHECK_THROWS_WITH_AS(Database db(path), doctest::Contains("not a SQLite database"), DatabaseError);
    CHECK(test::read_text(path) == content);
    CHECK(mode_of(path) == 0644);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  }
}

TEST_CASE("a SQLite database of another program is refused and untouched") {
  TempDir tmp;
  const std::string path = tmp.file("other.db");
  raw_sql(path, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ann');");
  const std::string before = test::read_text(path);
  CHECK_THROWS_WITH_AS(Database db(path), doctest::Contains("not a popscope log"), DatabaseError);
  CHECK(test::read_text(path) == before);
}

TEST_CASE("a truncated or garbled log is refused with a clear error and not overwritten") {
  TempDir tmp;
  const std::string good = tmp.file("good.db");
  {
    Database db(good);
    for (int i = 0; i < 300; ++i) {
      Database::Transaction tx(db, Database::Transaction::Kind::kWrite);
      Report r = report_at(kT0 + i, "knee", i % 11);
      r.note = std::string(200, char('a' + i % 26));
      db.insert_report(r);
      tx.commit();
    }
  }
  const std::string bytes = test::read_text(good);
  REQUIRE(bytes.size() > 40000);
  SUBCASE("truncated") {
    const std::string path = tmp.file("truncated.db");
    const std::string cut = bytes.substr(0, bytes.size() / 2);
    test::write_text(path, cut);
    CHECK_THROWS_WITH_AS(Database db(path), doctest::Contains("damaged"), DatabaseError);
    CHECK(test::read_text(path) == cut);
  }
  SUBCASE("garbled pages") {
    const std::string path = tmp.file("garbled.db");
    std::string bad = bytes;
    for (size_t i = 4096; i < bad.size(); i += 7) bad[i] = char(0xA5 ^ (i & 0xff));
    test::write_text(path, bad);
    CHECK_THROWS_WITH_AS(Database db(path), doctest::Contains("damaged"), DatabaseError);
    CHECK(test::read_text(path) == bad);
  }
}

TEST_CASE("free text is stored verbatim through bound parameters") {
  TempDir tmp;
  Database db(tmp.file("log.db"));
  const std::string note = "'); DROP TABLE reports;-- <script>alert(\"x\")</script> & \xC3\xA9\n2nd line";
  Report r = report_at(kT0, "jaw", 1);
  r.note = note;
  r.side = "left";
  const auto rec = record_report(db, r, true);
  const auto back = db.report(rec.report.id);
  REQUIRE(back);
  CHECK(back->note == note);
  CHECK(back->side == "left");
  CHECK(raw_sql(tmp.file("log.db"), "SELECT count(*) FROM reports") == "1\n");
}

TEST_CASE("sessions and events: times are session start plus onset, one transaction per call") {
  TempDir tmp;
  Database db(tmp.file("log.db"));
  const int64_t s = session_at(db, kT0, "lower-back");
  db.add_events(s, {make_event(1.5), make_event(2.25, "crepitus")}, "rec.wav");
  db.end_session(s, kT0 + 60);
  const auto events = db.events(kT0, kT0 + 100);
  REQUIRE(events.size() == 2);
  CHECK(events[0].time_unix == doctest::Approx(kT0 + 1.5));
  CHECK(events[1].class_name == "crepitus");
  CHECK(events[1].file == "rec.wav");
  CHECK(events[0].location == "lower-back");
  REQUIRE(db.sessions().size() == 1);
  CHECK(*db.sessions()[0].ended_unix == doctest::Approx(kT0 + 60));
  // A failing call stores nothing.
  CHECK_THROWS_AS(db.add_events(999, {make_event(1)}), DatabaseError);
  CHECK(db.events(0, 1e12).size() == 2);
}

TEST_CASE("a report links to the nearest recorded event within 10 minutes at its location") {
  TempDir tmp;
  Database db(tmp.file("log.db"));
  const int64_t knee = session_at(db, kT0, "knee");
  const int64_t hip = session_at(db, kT0, "hip");
  db.add_events(knee, {make_event(10), make_event(300)});
  db.add_events(hip, {make_event(290)});
  auto rec = record_report(db, report_at(kT0 + 290, "knee"), true);
  REQUIRE(rec.report.event_id);
  CHECK(db.event(*rec.report.event_id)->onset_s == doctest::Approx(300));
  CHECK(rec.report.pop);  // a linked recording is a pop
  // A noise classified "other" is never linked automatically.
  db.add_events(knee, {make_event(700, "other")});
  rec = record_report(db, report_at(kT0 + 700, "knee"), true);
  REQUIRE(rec.report.event_id);
  CHECK(db.event(*rec.report.event_id)->onset_s == doctest::Approx(300));
  // Too far from any event: no link.
  rec = record_report(db, report_at(kT0 + 300 + 11 * 60, "knee"), true);
  CHECK_FALSE(rec.report.event_id);
  // Automatic linking off.
  rec = record_report(db, report_at(kT0 + 300, "knee"), false);
  CHECK_FALSE(rec.report.event_id);
  // An explicit id that does not exist.
  Report r = report_at(kT0, "knee");
  r.event_id = 12345;
  CHECK_THROWS_WITH_AS(record_report(db, r, true), doctest::Contains("--event 12345"), UsageError);
}

TEST_CASE("evidence: repeated pops within 20 minutes, pops across days, the painful spell") {
  TempDir tmp;
  Database db(tmp.file("log.db"));
  // Three pops at the knee within 5 minutes.
  const int64_t s = session_at(db, kT0, "knee");
  db.add_events(s, {make_event(0), make_event(120), make_event(300, "cavitation", true)});
  auto rec = record_report(db, report_at(kT0 + 310, "knee"), true);
  CHECK(rec.evidence.pops_within_refractory == 3);
  CHECK(rec.evidence.linked_event->onset_s == doctest::Approx(300));
  CHECK(rec.evidence.refractory_flag);
  CHECK(rec.triage.level == Level::kSelfCare);
  CHECK(rec.assessment_id > 0);
  // Same pops, but it hurts: the stored assessment says see-clinician.
  rec = record_report(db, report_at(kT0 + 320, "knee", 3), true);
  CHECK(db.assessment_of(rec.report.id)->level == "see-clinician");

  // Pops on three different days at the shoulder, from reports without recordings.
  for (int day = 0; day < 3; ++day) {
    Report r = report_at(kT0 + day * 86400.0, "shoulder");
    r.pop = true;
    rec = record_report(db, r, true);
  }
  CHECK(rec.evidence.days_with_pops == 3);
  CHECK(rec.evidence.pops_within_refractory == 1);

  // A painful spell at the lower back: 6 then 6 then 6 over three days.
  for (int day = 0; day < 3; ++day) rec = record_report(db, report_at(kT0 + day * 86400.0, "lower-back", 6), true);
  REQUIRE(rec.evidence.spell_start_pain);
  CHECK(*rec.evidence.spell_start_pain == 6);
  CHECK(rec.evidence.spell_age_s == doctest::Approx(2 * 86400));
  CHECK(rec.triage.level == Level::kSeeClinician);
  // A pain-free report ends the spell.
  record_report(db, report_at(kT0 + 3 * 86400.0, "lower-back", 0), true);
  rec = record_report(db, report_at(kT0 + 4 * 86400.0, "lower-back", 2), true);
  CHECK_FALSE(rec.evidence.spell_start_pain);
}

TEST_CASE("the pops of one thrust are one episode, not repeated popping") {
  TempDir tmp;
  Database db(tmp.file("log.db"));
  // A neck thrust: four pops within 60 ms (3.57 pops per C1-2 thrust, Dunning 2013).
  const int64_t s = session_at(db, kT0, "neck");
  db.add_events(s, {make_event(5.0), make_event(5.012), make_event(5.03), make_event(5.06)});
  Report r = report_at(kT0 + 30, "neck");
  auto rec = record_report(db, r, true);
  CHECK(rec.evidence.pops_within_refractory == 1);
  CHECK(rec.triage.level == Level::kSelfCare);
  CHECK(rec.triage.reasons[0].rule_id == "painless-pop");
  // A second thrust five minutes later at the same place is a repeat.
  db.add_events(s, {make_event(305.0), make_event(305.02)});
  rec = record_report(db, report_at(kT0 + 310, "neck"), true);
  CHECK(rec.evidence.pops_within_refractory == 2);
  CHECK(rec.triage.reasons[0].rule_id == "painless-repeated-pops");
}

TEST_CASE("forgetting removes reports with their assessments, sessions with their events, or everything") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  Database db(path);
  const int64_t s = session_at(db, kT0, "knee");
  db.add_events(s, {make_event(1)});
  const auto linked = record_report(db, report_at(kT0 + 2, "knee", 1), true);
  const auto other = record_report(db, report_at(kT0 + 3, "hip", 1), true);
  REQUIRE(linked.report.event_id);
  CHECK(db.delete_report(other.report.id));
  CHECK_FALSE(db.report(other.report.id));
  CHECK_FALSE(db.assessment_of(other.report.id));
  CHECK_FALSE(db.delete_report(other.report.id));
  CHECK(db.delete_session(s));
  CHECK(db.events(0, 1e12).empty());
  CHECK_FALSE(db.report(linked.report.id)->event_id);  // the report stays, unlinked
  db.delete_everything();
  CHECK(db.reports(0, 1e12).empty());
  CHECK(db.sessions().empty());
  CHECK(raw_sql(path, "PRAGMA integrity_check") == "ok\n");
}

TEST_CASE("the database path: --db, then POPSCOPE_DB, then XDG_DATA_HOME, then ~/.local/share") {
  CHECK(resolve_database_path("/x/y.db") == "/x/y.db");
  const char* keep_db = std::getenv("POPSCOPE_DB");
  const std::string saved_db = keep_db ? keep_db : "";
  const char* keep_xdg = std::getenv("XDG_DATA_HOME");
  const std::string saved_xdg = keep_xdg ? keep_xdg : "";
  ::setenv("POPSCOPE_DB", "/env/p.db", 1);
  CHECK(resolve_database_path("") == "/env/p.db");
  ::unsetenv("POPSCOPE_DB");
  ::setenv("XDG_DATA_HOME", "/xdg", 1);
  CHECK(resolve_database_path("") == "/xdg/popscope/popscope.db");
  ::unsetenv("XDG_DATA_HOME");
  CHECK(resolve_database_path("") == std::string(std::getenv("HOME")) + "/.local/share/popscope/popscope.db");
  if (keep_db) ::setenv("POPSCOPE_DB", saved_db.c_str(), 1);
  if (keep_xdg) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
}
