#pragma once
// The severity log: one SQLite file holding recording sessions, their events,
// symptom reports and assessments (schema in database.cpp, kMigrations).
//
// Health data, so the file is private and durable:
//  - the folder is created 0700, the file (and SQLite's -wal/-shm files, which
//    copy its mode) 0600;
//  - WAL journal, synchronous=FULL, foreign keys on, and a busy timeout so a
//    `listen` session and a `log` run writing at once wait for each other
//    instead of failing;
//  - every write is one transaction (BEGIN IMMEDIATE ... COMMIT): a process
//    killed mid-write loses only the transaction it had not committed;
//  - a file that is not a SQLite database, a damaged database or one written
//    by a newer popscope is refused with DatabaseError and never modified;
//  - values are always bound, never spliced into SQL.
//
// One Database object belongs to one thread (the sink thread in `listen`).
//
// Storing a recording run (as `analyze --log` does, and `listen --db` should):
//   log::Database db(log::resolve_database_path(db_flag));   // before capture: fails early, exit 5
//   log::Session s; s.started_unix = <wall clock of stream time 0>; s.source = "listen";
//   s.input = device_name; s.location = location_flag;       // location checked with log::check_value
//   const int64_t id = db.begin_session(s);
//   db.add_events(id, released_events, record_path);         // per batch; onset_s in stream seconds
//   db.end_session(id, log::now_unix());
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/engine/event.h"
#include "src/log/report.h"

struct sqlite3;

namespace popscope::log {

constexpr int kSchemaVersion = 2;
// PRAGMA application_id: "POPS". Marks the file as a popscope log.
constexpr int kApplicationId = 0x504f5053;
constexpr int kBusyTimeoutMs = 10000;

// --db value, else $POPSCOPE_DB, else $XDG_DATA_HOME/popscope/popscope.db,
// else ~/.local/share/popscope/popscope.db.
std::string resolve_database_path(const std::string& flag_value);

// The SQL that brings schema version `from` to from + 1 (for tests of the
// upgrade path).
const char* migration_sql(int from);

class Database {
 public:
  enum class OpenMode { kCreate, kMustExist };
  // Opens (and creates or migrates) the log. Throws DatabaseError naming the
  // path and the problem.
  explicit Database(const std::string& path, OpenMode mode = OpenMode::kCreate);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  static bool exists(const std::string& path);
  const std::string& path() const { return path_; }
  int schema_version() const;

  // RAII transaction. Write transactions take the write lock at once
  // (BEGIN IMMEDIATE) so two writers queue instead of deadlocking; a
  // transaction not committed is rolled back when it goes out of scope.
  class Transaction {
   public:
    enum class Kind { kRead, kWrite };
    Transaction(Database& db, Kind kind);
    ~Transaction();
    void commit();

   private:
    Database& db_;
    bool open_ = false;
  };

  // --- sessions and events (analyze --log, listen --db) ---
  // Each call is its own transaction.
  int64_t begin_session(const Session& session);
  // Stores the events of a session; event times are session start + onset_s.
  // All or nothing: one transaction.
  void add_events(int64_t session_id, const std::vector<Event>& events, const std::string& file = "");
  void end_session(int64_t session_id, double ended_unix);

  // --- reads and writes used inside a caller's Transaction ---
  int64_t insert_report(const Report& report);
  int64_t insert_assessment(const Assessment& assessment);
  std::optional<StoredEvent> event(int64_t id);
  // The joint sound (any class but "other") nearest to time_unix within
  // window_s, from sessions at this location or with no location.
  std::optional<StoredEvent> nearest_event(double time_unix, double window_s, const std::string& location);
  // Events in [from, to], optionally only at one location; by time.
  std::vector<StoredEvent> events(double from_unix, double to_unix, const std::string& location = "");
  std::vector<Report> reports(double from_unix, double to_unix, const std::string& location = "");
  std::optional<Report> report(int64_t id);
  std::vector<Session> sessions();
  // Assessments of reports in [from, to], by time.
  std::vector<Assessment> assessments(double from_unix, double to_unix);
  std::optional<Assessment> assessment_of(int64_t report_id);

  // --- forgetting (secure_delete is on: deleted rows are overwritten) ---
  bool delete_report(int64_t id);
  bool delete_session(int64_t id);  // with its events
  void delete_everything();

 private:
  friend class Statement;
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what) const;
  void migrate();
  void checkpoint();

  std::string path_;
  sqlite3* db_ = nullptr;
  std::chrono::steady_clock::time_point busy_started_;
};

}  // namespace popscope::log
