#include "src/log/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <random>
#include <thread>
#include <algorithm>

#include <nlohmann/json.hpp>

#include "src/errors.h"
#include "src/log/duration.h"

namespace popscope::log {

namespace fs = std::filesystem;

namespace {

// Ordered migrations: kMigrations[i] brings schema version i to i + 1. A
// released migration is never edited; a change is a new entry.
const char* const kMigrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  started_unix REAL NOT NULL,
  ended_unix REAL,
  source TEXT NOT NULL,
  input TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  time_unix REAL NOT NULL,
  onset_s REAL NOT NULL,
  offset_s REAL NOT NULL,
  channel INTEGER NOT NULL,
  side TEXT NOT NULL DEFAULT '',
  class TEXT NOT NULL DEFAULT '',
  confidence REAL NOT NULL DEFAULT 0,
  peak_dbfs REAL NOT NULL,
  thrust INTEGER NOT NULL DEFAULT -1,
  refractory INTEGER NOT NULL DEFAULT 0,
  file TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_time ON events(time_unix);
CREATE INDEX events_session ON events(session_id);
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  time_unix REAL NOT NULL,
  created_unix REAL NOT NULL,
  location TEXT NOT NULL,
  side TEXT NOT NULL DEFAULT '',
  activity TEXT NOT NULL DEFAULT '',
  pop INTEGER NOT NULL DEFAULT 0,
  pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
  pain_since_s INTEGER NOT NULL DEFAULT -1,
  stiffness INTEGER NOT NULL DEFAULT 0,
  reduced_movement INTEGER NOT NULL DEFAULT 0,
  numbness INTEGER NOT NULL DEFAULT 0,
  tingling INTEGER NOT NULL DEFAULT 0,
  weakness INTEGER NOT NULL DEFAULT 0,
  spreading INTEGER NOT NULL DEFAULT 0,
  swelling INTEGER NOT NULL DEFAULT 0,
  giving_way INTEGER NOT NULL DEFAULT 0,
  night_pain INTEGER NOT NULL DEFAULT 0,
  weight_loss INTEGER NOT NULL DEFAULT 0,
  bladder_bowel INTEGER NOT NULL DEFAULT 0,
  saddle_numbness INTEGER NOT NULL DEFAULT 0,
  both_legs INTEGER NOT NULL DEFAULT 0,
  fever INTEGER NOT NULL DEFAULT 0,
  trauma INTEGER NOT NULL DEFAULT 0,
  dizziness INTEGER NOT NULL DEFAULT 0,
  double_vision INTEGER NOT NULL DEFAULT 0,
  slurred_speech INTEGER NOT NULL DEFAULT 0,
  trouble_swallowing INTEGER NOT NULL DEFAULT 0,
  drop_attack INTEGER NOT NULL DEFAULT 0,
  severe_headache INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  event_id INTEGER REFERENCES events(id) ON DELETE SET NULL
);
CREATE INDEX reports_time ON reports(time_unix);
CREATE TABLE assessments (
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  time_unix REAL NOT NULL,
  level TEXT NOT NULL,
  reasons TEXT NOT NULL,
  rule_ids TEXT NOT NULL,
  rules_version INTEGER NOT NULL
);
CREATE INDEX assessments_report ON assessments(report_id);
)sql",
    // 1 -> 2: facial numbness, an emergency sign after neck manipulation.
    R"sql(
ALTER TABLE reports ADD COLUMN facial_numbness INTEGER NOT NULL DEFAULT 0;
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

// Refuses a file at the path that is not a SQLite database before SQLite (or
// anything else) writes to it.
void check_existing_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (!S_ISREG(st.st_mode)) throw DatabaseError(path + ": not a regular file; give --db a file path");
  if (st.st_size == 0) return;  // created empty by us or another popscope that is about to initialise it
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  if (!in || st.st_size < 512 || std::memcmp(head, kSqliteMagic, sizeof head) != 0) {
    throw DatabaseError(path +
                        ": is not a SQLite database (wrong header); popscope left it untouched. Move it away or "
                        "pass --db with another path");
  }
}

// Waits for another writer with short, jittered sleeps (SQLite's own timeout
// handler sleeps up to 100 ms per try and can starve behind a busy writer).
int busy_wait(void* state, int attempt) {
  using clock = std::chrono::steady_clock;
  auto& started = *static_cast<clock::time_point*>(state);
  if (attempt == 0) started = clock::now();
  if (clock::now() - started > std::chrono::milliseconds(kBusyTimeoutMs)) return 0;
  thread_local std::minstd_rand rng(std::random_device{}());
  const int cap_us = std::min(20000, 1000 * (1 + attempt));
  std::this_thread::sleep_for(std::chrono::microseconds(200 + int(rng() % unsigned(cap_us))));
  return 1;
}

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, i))) : std::string();
}

}  // namespace

// A prepared statement with bound parameters; finalised on destruction.
class Statement {
 public:
  Statement(const Database& db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db.db_, sql.c_str(), int(sql.size()), &s_, nullptr) != SQLITE_OK)
      db.fail("cannot prepare a query");
  }
  ~Statement() { sqlite3_finalize(s_); }
  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Statement& bind(int i, int v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Statement& bind(int i, bool v) { return check(sqlite3_bind_int(s_, i, v ? 1 : 0)); }
  Statement& bind(int i, double v) { return check(sqlite3_bind_double(s_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind_null(int i) { return check(sqlite3_bind_null(s_, i)); }
  // True while there is a row.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail("query failed");
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  double f64(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const { return column_text(s_, c); }
  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) db_.fail("cannot bind a value");
    return *this;
  }
  const Database& db_;
  sqlite3_stmt* s_ = nullptr;
};

const char* migration_sql(int from) {
  return from >= 0 && from < kSchemaVersion ? kMigrations[from] : nullptr;
}

std::string resolve_database_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("POPSCOPE_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && xdg[0] == '/')
    return (fs::path(xdg) / "popscope" / "popscope.db").string();
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    throw DatabaseError("cannot find the log: HOME is not set; pass --db PATH or set POPSCOPE_DB");
  return (fs::path(home) / ".local" / "share" / "popscope" / "popscope.db").string();
}

bool Database::exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void Database::fail(const std::string& what) const {
  const int code = db_ ? sqlite3_extended_errcode(db_) : SQLITE_ERROR;
  const std::string detail = db_ ? sqlite3_errmsg(db_) : "cannot open";
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
    throw DatabaseError(path_ + ": the database is damaged (" + detail +
                        "); popscope will not write to it. Restore a backup or move it away");
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    throw DatabaseError(path_ + ": the database stayed locked by another program for too long (" + detail + ")");
  if ((code & 0xff) == SQLITE_FULL) throw DatabaseError(path_ + ": the disk is full (" + detail + ")");
  throw DatabaseError(path_ + ": " + what + " (" + detail + ")");
}

void Database::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    fail(msg);
  }
}

Database::Database(const std::string& path, OpenMode mode) : path_(path) {
  check_existing_file(path);
  if (!exists(path)) {
    if (mode == OpenMode::kMustExist) throw DatabaseError(path + ": no severity log here yet");
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::exists(parent)) {
      // Each missing folder is private to the user: 0700.
      std::vector<fs::path> missing;
      for (fs::path p = parent; !p.empty() && !fs::exists(p); p = p.parent_path()) missing.push_back(p);
      for (auto it = missing.rbegin(); it != missing.rend(); ++it)
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
          throw DatabaseError(it->string() + ": cannot create the folder for the log (" + std::strerror(errno) + ")");
    }
    // Create the file ourselves so it is 0600 from its first byte.
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
      throw DatabaseError(path + ": cannot create the log (" + std::strerror(errno) + ")");
    if (fd >= 0) ::close(fd);
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string detail = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError(path + ": cannot open the log (" + detail + ")");
  }
  try {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0777) != 0600) ::chmod(path.c_str(), 0600);
    sqlite3_busy_handler(db_, busy_wait, &busy_started_);
    exec("PRAGMA foreign_keys = ON");
    exec("PRAGMA secure_delete = ON");
    // Read-only checks first: nothing is written to a file we would refuse.
    {
      Statement check(*this, "PRAGMA quick_check(1)");
      if (check.step() && check.text(0) != "ok")
        throw DatabaseError(path + ": the database is damaged (" + check.text(0) +
                            "); popscope will not write to it. Restore a backup or move it away");
    }
    int version = 0, app_id = 0, tables = 0;
    {
      Statement v(*this, "PRAGMA user_version");
      if (v.step()) version = int(v.i64(0));
      Statement a(*this, "PRAGMA application_id");
      if (a.step()) app_id = int(a.i64(0));
      Statement t(*this, "SELECT count(*) FROM sqlite_master");
      if (t.step()) tables = int(t.i64(0));
    }
    if (app_id != kApplicationId && (tables > 0 || version != 0))
      throw DatabaseError(path + ": is a SQLite database but not a popscope log; popscope left it untouched");
    if (version > kSchemaVersion)
      throw DatabaseError(path + ": was written by a newer popscope (schema " + std::to_string(version) +
                          ", this program knows up to " + std::to_string(kSchemaVersion) +
                          "); it is left as it is. Use a newer popscope");
    // Switching a new file to WAL needs the file to itself; SQLite reports
    // that as busy without calling the busy handler when several first runs
    // race, so the switch is retried here within the same time limit.
    for (const auto started = std::chrono::steady_clock::now();;) {
      try {
        Statement wal(*this, "PRAGMA journal_mode = WAL");
        if (!wal.step() || wal.text(0) != "wal") fail("cannot switch the journal to WAL");
        break;
      } catch (const DatabaseError&) {
        const int code = sqlite3_extended_errcode(db_) & 0xff;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
            std::chrono::steady_clock::now() - started > std::chrono::milliseconds(kBusyTimeoutMs))
          throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    exec("PRAGMA synchronous = FULL");
    if (version < kSchemaVersion) migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

void Database::migrate() {
  Transaction tx(*this, Transaction::Kind::kWrite);
  int version = schema_version();  // another process may have migrated meanwhile
  if (version > kSchemaVersion) fail("the schema changed to a newer version while opening");
  for (; version < kSchemaVersion; ++version) exec(kMigrations[version]);
  exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  tx.commit();
}

int Database::schema_version() const {
  Statement v(*this, "PRAGMA user_version");
  return v.step() ? int(v.i64(0)) : 0;
}

Database::Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = true;
}

Database::Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Database::Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

// ---------------------------------------------------------------- sessions

int64_t Database::begin_session(const Session& s) {
  Transaction tx(*this, Transaction::Kind::kWrite);
  Statement st(*this,
               "INSERT INTO sessions (started_unix, ended_unix, source, input, location, note) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, s.started_unix);
  if (s.ended_unix) st.bind(2, *s.ended_unix);
  else st.bind_null(2);
  st.bind(3, s.source).bind(4, s.input).bind(5, s.location).bind(6, s.note);
  st.step();
  const int64_t id = sqlite3_last_insert_rowid(db_);
  tx.commit();
  return id;
}

void Database::add_events(int64_t session_id, const std::vector<Event>& events, const std::string& file) {
  Transaction tx(*this, Transaction::Kind::kWrite);
  double start = 0;
  {
    Statement q(*this, "SELECT started_unix FROM sessions WHERE id = ?1");
    q.bind(1, session_id);
    if (!q.step()) throw DatabaseError(path_ + ": session " + std::to_string(session_id) + " does not exist");
    start = q.f64(0);
  }
  Statement st(*this,
               "INSERT INTO events (session_id, time_unix, onset_s, offset_s, channel, side, class, confidence, "
               "peak_dbfs, thrust, refractory, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  for (const Event& e : events) {
    st.bind(1, session_id).bind(2, start + e.onset_s).bind(3, e.onset_s).bind(4, e.offset_s).bind(5, e.channel);
    st.bind(6, e.side).bind(7, e.class_name).bind(8, e.confidence).bind(9, e.peak_dbfs).bind(10, e.thrust_id);
    st.bind(11, e.refractory_repeat).bind(12, file);
    st.step();
    st.reset();
  }
  tx.commit();
}

void Database::end_session(int64_t session_id, double ended_unix) {
  Transaction tx(*this, Transaction::Kind::kWrite);
  Statement st(*this, "UPDATE sessions SET ended_unix = ?1 WHERE id = ?2");
  st.bind(1, ended_unix).bind(2, session_id);
  st.step();
  if (sqlite3_changes(db_) != 1) throw DatabaseError(path_ + ": session " + std::to_string(session_id) + " does not exist");
  tx.commit();
}

std::vector<Session> Database::sessions() {
  Statement st(*this, "SELECT id, started_unix, ended_unix, source, input, location, note FROM sessions ORDER BY id");
  std::vector<Session> out;
  while (st.step()) {
    Session s;
    s.id = st.i64(0);
    s.started_unix = st.f64(1);
    if (!st.is_null(2)) s.ended_unix = st.f64(2);
    s.source = st.text(3);
    s.input = st.text(4);
    s.location = st.text(5);
    s.note = st.text(6);
    out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------- events

namespace {
const char* const kEventColumns =
    "e.id, e.session_id, e.time_unix, e.onset_s, e.offset_s, e.channel, e.side, e.class, e.confidence, "
    "e.peak_dbfs, e.thrust, e.refractory, e.file, s.location FROM events e JOIN sessions s ON s.id = e.session_id";

StoredEvent read_event(const Statement& st) {
  StoredEvent e;
  e.id = st.i64(0);
  e.session_id = st.i64(1);
  e.time_unix = st.f64(2);
  e.onset_s = st.f64(3);
  e.offset_s = st.f64(4);
  e.channel = int(st.i64(5));
  e.side = st.text(6);
  e.class_name = st.text(7);
  e.confidence = st.f64(8);
  e.peak_dbfs = st.f64(9);
  e.thrust = int(st.i64(10));
  e.refractory = st.i64(11) != 0;
  e.file = st.text(12);
  e.location = st.text(13);
  return e;
}
}  // namespace

std::optional<StoredEvent> Database::event(int64_t id) {
  Statement st(*this, std::string("SELECT ") + kEventColumns + " WHERE e.id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_event(st);
}

std::optional<StoredEvent> Database::nearest_event(double t, double window_s, const std::string& location) {
  Statement st(*this, std::string("SELECT ") + kEventColumns +
                          " WHERE e.time_unix BETWEEN ?1 AND ?2 AND (s.location = '' OR s.location = ?3)"
                          " AND e.class <> 'other' ORDER BY abs(e.time_unix - ?4), e.id LIMIT 1");
  st.bind(1, t - window_s).bind(2, t + window_s).bind(3, location).bind(4, t);
  if (!st.step()) return std::nullopt;
  return read_event(st);
}

std::vector<StoredEvent> Database::events(double from, double to, const std::string& location) {
  Statement st(*this, std::string("SELECT ") + kEventColumns +
                          " WHERE e.time_unix BETWEEN ?1 AND ?2 AND (?3 = '' OR s.location = ?3)"
                          " ORDER BY e.time_unix, e.id");
  st.bind(1, from).bind(2, to).bind(3, location);
  std::vector<StoredEvent> out;
  while (st.step()) out.push_back(read_event(st));
  return out;
}

// ---------------------------------------------------------------- reports

namespace {
std::string report_columns() {
  std::string c = "id, time_unix, location, side, activity, pop, pain, pain_since_s, note, event_id";
  for (const auto& f : symptom_fields()) c += std::string(", ") + f.column;
  return c;
}
constexpr int kFirstSymptomColumn = 10;

Report read_report(const Statement& st) {
  Report r;
  r.id = st.i64(0);
  r.time_unix = st.f64(1);
  r.location = st.text(2);
  r.side = st.text(3);
  r.activity = st.text(4);
  r.pop = st.i64(5) != 0;
  r.pain = int(st.i64(6));
  r.pain_since_s = st.i64(7);
  r.note = st.text(8);
  if (!st.is_null(9)) r.event_id = st.i64(9);
  int c = kFirstSymptomColumn;
  for (const auto& f : symptom_fields()) r.symptoms.*(f.member) = st.i64(c++) != 0;
  return r;
}
}  // namespace

int64_t Database::insert_report(const Report& r) {
  std::string cols = "time_unix, created_unix, location, side, activity, pop, pain, pain_since_s, note, event_id";
  std::string params = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10";
  int n = 10;
  for (const auto& f : symptom_fields()) {
    cols += std::string(", ") + f.column;
    params += ", ?" + std::to_string(++n);
  }
  Statement st(*this, "INSERT INTO reports (" + cols + ") VALUES (" + params + ")");
  st.bind(1, r.time_unix).bind(2, now_unix()).bind(3, r.location).bind(4, r.side).bind(5, r.activity);
  st.bind(6, r.pop).bind(7, r.pain).bind(8, r.pain_since_s).bind(9, r.note);
  if (r.event_id) st.bind(10, *r.event_id);
  else st.bind_null(10);
  n = 10;
  for (const auto& f : symptom_fields()) st.bind(++n, r.symptoms.*(f.member));
  st.step();
  return sqlite3_last_insert_rowid(db_);
}

std::optional<Report> Database::report(int64_t id) {
  Statement st(*this, "SELECT " + report_columns() + " FROM reports WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_report(st);
}

std::vector<Report> Database::reports(double from, double to, const std::string& location) {
  Statement st(*this, "SELECT " + report_columns() +
                          " FROM reports WHERE time_unix BETWEEN ?1 AND ?2 AND (?3 = '' OR location = ?3)"
                          " ORDER BY time_unix, id");
  st.bind(1, from).bind(2, to).bind(3, location);
  std::vector<Report> out;
  while (st.step()) out.push_back(read_report(st));
  return out;
}

// ---------------------------------------------------------------- assessments

namespace {
Assessment read_assessment(const Statement& st) {
  Assessment a;
  a.id = st.i64(0);
  a.report_id = st.i64(1);
  a.time_unix = st.f64(2);
  a.level = st.text(3);
  a.reasons = nlohmann::json::parse(st.text(4)).get<std::vector<std::string>>();
  a.rule_ids = nlohmann::json::parse(st.text(5)).get<std::vector<std::string>>();
  a.rules_version = int(st.i64(6));
  return a;
}
const char* const kAssessmentColumns =
    "a.id, a.report_id, a.time_unix, a.level, a.reasons, a.rule_ids, a.rules_version FROM assessments a";
}  // namespace

int64_t Database::insert_assessment(const Assessment& a) {
  Statement st(*this,
               "INSERT INTO assessments (report_id, time_unix, level, reasons, rule_ids, rules_version) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, a.report_id).bind(2, a.time_unix).bind(3, a.level);
  st.bind(4, nlohmann::json(a.reasons).dump()).bind(5, nlohmann::json(a.rule_ids).dump()).bind(6, a.rules_version);
  st.step();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<Assessment> Database::assessments(double from, double to) {
  Statement st(*this, std::string("SELECT ") + kAssessmentColumns +
                          " JOIN reports r ON r.id = a.report_id WHERE r.time_unix BETWEEN ?1 AND ?2"
                          " ORDER BY r.time_unix, a.id");
  st.bind(1, from).bind(2, to);
  std::vector<Assessment> out;
  while (st.step()) out.push_back(read_assessment(st));
  return out;
}

std::optional<Assessment> Database::assessment_of(int64_t report_id) {
  Statement st(*this, std::string("SELECT ") + kAssessmentColumns + " WHERE a.report_id = ?1 ORDER BY a.id DESC LIMIT 1");
  st.bind(1, report_id);
  if (!st.step()) return std::nullopt;
  return read_assessment(st);
}

// ---------------------------------------------------------------- forgetting

bool Database::delete_report(int64_t id) {
  Transaction tx(*this, Transaction::Kind::kWrite);
  Statement st(*this, "DELETE FROM reports WHERE id = ?1");
  st.bind(1, id);
  st.step();
  const bool found = sqlite3_changes(db_) > 0;
  tx.commit();
  checkpoint();
  return found;
}

bool Database::delete_session(int64_t id) {
  Transaction tx(*this, Transaction::Kind::kWrite);
  Statement st(*this, "DELETE FROM sessions WHERE id = ?1");
  st.bind(1, id);
  st.step();
  const bool found = sqlite3_changes(db_) > 0;
  tx.commit();
  checkpoint();
  return found;
}

void Database::delete_everything() {
  {
    Transaction tx(*this, Transaction::Kind::kWrite);
    exec("DELETE FROM assessments; DELETE FROM reports; DELETE FROM events; DELETE FROM sessions;");
    tx.commit();
  }
  // Shrink the file, then move the deleted pages out of the WAL.
  exec("VACUUM");
  checkpoint();
}

void Database::checkpoint() {
  // Best effort: a reader in another process may keep part of the WAL alive
  // until it finishes; SQLite then overwrites it on the next checkpoint.
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

}  // namespace popscope::log
