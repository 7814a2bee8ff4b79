// End-to-end tests of the severity log commands: log, history, export,
// forget and analyze --log, including concurrent writers and a writer killed
// mid-transaction.
#include <doctest/doctest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "src/io/audio_file_writer.h"
#include "src/log/database.h"
#include "src/log/duration.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

std::string db_flag(const TempDir& tmp) { return " --db " + quote(tmp.file("log.db")); }

std::string sql(const std::string& path, const std::string& query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  std::string result;
  sqlite3_exec(
      db, query.c_str(),
      [](void* out, int n, char** v, char**) {
        auto& s = *static_cast<std::string*>(out);
        for (int i = 0; i < n; ++i) s += (i ? "|" : "") + std::string(v[i] ? v[i] : "NULL");
        s += "\n";
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  return result;
}

size_t lines(const std::string& s) { return test::count_of(s, "\n"); }

// Answers for the interactive questions: location, side, activity, pop,
// pain, pain-since, 22 yes/no symptom questions, note.
std::string answers(const std::string& location, int pain, const std::vector<int>& yes_at = {}) {
  std::string a = location + "\n\n\ny\n" + std::to_string(pain) + "\n";
  if (pain > 0) a += "3h\n";
  for (int i = 0; i < 22; ++i)
    a += std::find(yes_at.begin(), yes_at.end(), i) != yes_at.end() ? "y\n" : "n\n";
  return a + "typed at the terminal\n";
}

}  // namespace

TEST_CASE("log records a report and prints the level, reasons, what to do and the disclaimer") {
  TempDir tmp;
  auto r = run_popscope("log --location lower-back --activity heavy-lifting --pop --pain 5 --pain-since 2h" +
                        db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Recorded report 1") != std::string::npos);
  CHECK(r.out.find("Triage level: see-clinician") != std::string::npos);
  CHECK(r.out.find("A pop while lifting something heavy, followed by pain") != std::string::npos);
  CHECK(r.out.find("What to do: Book an assessment") != std::string::npos);
  CHECK(r.out.find("This is not a diagnosis.") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(tmp.file("log.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(sql(tmp.file("log.db"), "SELECT location, activity, pop, pain, pain_since_s FROM reports") ==
        "lower-back|heavy-lifting|1|5|7200\n");
  CHECK(sql(tmp.file("log.db"), "SELECT level, rules_version FROM assessments") == "see-clinician|1\n");

  // A painless pop: self-care, never alarming.
  r = run_popscope("log --location knee --pop" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Triage level: self-care") != std::string::npos);
  CHECK(r.out.find("harmless") != std::string::npos);
}

TEST_CASE("log rejects invalid values with the valid ones, before touching the log") {
  TempDir tmp;
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"--location knee --pain 11", "--pain '11' is not valid; use a whole number from 0 (no pain) to 10"},
      {"--location knee --pain -1", "--pain '-1' is not valid"},
      {"--location knee --pain lots", "--pain 'lots' is not valid"},
      {"--location hand", "--location 'hand' is not valid; use one of: neck, upper-back, mid-back, lower-back, "
                          "pelvis, jaw, shoulder, elbow, wrist-hand, hip, knee, ankle, foot, other"},
      {"--location knee --side up", "--side 'up' is not valid; use one of: left, right, both"},
      {"--location knee --activity running", "use one of: lifting, heavy-lifting, twisting"},
      {"--location knee --pain 3 --pain-since 3x", "--pain-since '3x' is not a duration; use a number with a unit"},
      {"--location knee --pain-since 2d", "--pain-since needs --pain 1 to 10"},
      {"--location knee --at yesterday", "--at 'yesterday' is not a date/time"},
      {"--pain 3", "--location is required; use one of: neck"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    const auto r = run_popscope("log " + c.args + db_flag(tmp));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(lines(r.err) == 1);
  }
  CHECK_FALSE(std::filesystem::exists(tmp.file("log.db")));
  // No flags and no terminal: a clear error, not a hang.
  const auto r = run_popscope("log" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("run it on a terminal to be asked the questions") != std::string::npos);
}

TEST_CASE("a note with SQL and HTML is stored and exported verbatim") {
  TempDir tmp;
  const std::string note = "'); DROP TABLE reports;-- <b>bold</b> <script>alert(1)</script> \"quoted\", comma";
  auto r = run_popscope("log --location jaw --note " + quote(note) + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  r = run_popscope("export --format json" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["reports"].size() == 1);
  CHECK(j["reports"][0]["note"] == note);
  CHECK(sql(tmp.file("log.db"), "SELECT count(*) FROM reports") == "1\n");
  // CSV quotes the field so it reads back as one value.
  r = run_popscope("export --format csv" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"'); DROP TABLE reports;-- <b>bold</b> <script>alert(1)</script> \"\"quoted\"\", comma\"") !=
        std::string::npos);
}

TEST_CASE("a non-SQLite file or a newer log at --db: exit 5, the file untouched") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  const std::string text = "shopping list\nmilk\n";
  test::write_text(path, text);
  for (const char* cmd : {"log --location knee", "history", "export", "forget --all --yes"}) {
    CAPTURE(cmd);
    const auto r = run_popscope(cmd + db_flag(tmp));
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("is not a SQLite database") != std::string::npos);
    CHECK(test::read_text(path) == text);
  }
  std::filesystem::remove(path);
  REQUIRE(run_popscope("log --location knee" + db_flag(tmp)).exit_code == 0);
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  const std::string before = test::read_text(path);
  const auto r = run_popscope("log --location knee" + db_flag(tmp));
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("newer popscope (schema 7, this program knows up to 2)") != std::string::npos);
  CHECK(test::read_text(path) == before);
}

TEST_CASE("POPSCOPE_DB and XDG_DATA_HOME choose the log when --db is absent") {
  TempDir tmp;
  auto r = run_popscope("log --location hip", "POPSCOPE_DB=" + quote(tmp.file("env.db")));
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(tmp.file("env.db")));
  r = run_popscope("log --location hip", "env -u POPSCOPE_DB XDG_DATA_HOME=" + quote(tmp.file("xdg")));
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(tmp.file("xdg/popscope/popscope.db")));
  struct stat st {};
  REQUIRE(::stat(tmp.file("xdg/popscope").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("concurrent writers: parallel log runs and an event writer lose nothing") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  log::Database db(path);
  const int64_t session = db.begin_session({0, log::now_unix() - 3600, std::nullopt, "listen", "test", "neck", ""});
  constexpr int kLogRuns = 8, kBatches = 60, kPerBatch = 5;
  // Eight `popscope log` processes at once, in the background of this test.
  std::string cmd;
  for (int i = 0; i < kLogRuns; ++i)
    cmd += quote(test::binary_path()) + " log --no-link --location knee --pain " + std::to_string(i % 10) +
           " --note run" + std::to_string(i) + " --db " + quote(path) + " >/dev/null 2>" +
           quote(tmp.file("err" + std::to_string(i))) + " & ";
  cmd += "wait";
  int shell_status = -1;
  std::atomic<bool> logs_done{false};
  std::thread logs([&] {
    shell_status = std::system(cmd.c_str());
    logs_done = true;
  });
  // Meanwhile (and for as long as they run) this process adds events, one
  // transaction per batch.
  int batches = 0;
  for (; batches < kBatches || !logs_done; ++batches) {
    std::vector<Event> events(kPerBatch);
    for (int k = 0; k < kPerBatch; ++k) events[size_t(k)].onset_s = batches + 0.1 * k;
    db.add_events(session, events);
  }
  logs.join();
  MESSAGE(batches << " event transactions committed while " << kLogRuns << " log runs wrote");
  CHECK(shell_status == 0);
  for (int i = 0; i < kLogRuns; ++i) CHECK(test::read_text(tmp.file("err" + std::to_string(i))) == "");
  CHECK(sql(path, "SELECT count(*) FROM events") == std::to_string(batches * kPerBatch) + "\n");
  CHECK(sql(path, "SELECT count(*), count(DISTINCT note) FROM reports") == "8|8\n");
  CHECK(sql(path, "SELECT count(*) FROM assessments") == "8\n");
  CHECK(sql(path, "PRAGMA integrity_check") == "ok\n");
}

TEST_CASE("parallel first runs create the log once and keep every report") {
  TempDir tmp;
  const std::string path = tmp.file("new/log.db");
  std::string cmd;
  for (int i = 0; i < 8; ++i)
    cmd += quote(test::binary_path()) + " log --location knee --note first" + std::to_string(i) + " --db " +
           quote(path) + " >/dev/null & ";
  const auto r = test::run_shell(cmd + "wait");
  CHECK(r.err == "");
  CHECK(sql(path, "SELECT count(*), count(DISTINCT note) FROM reports") == "8|8\n");
  CHECK(sql(path, "PRAGMA user_version") == "2\n");
  CHECK(sql(path, "PRAGMA integrity_check") == "ok\n");
}

TEST_CASE("a writer killed with SIGKILL mid-write leaves every committed row and a valid log") {
  TempDir tmp;
  const std::string path = tmp.file("log.db");
  { log::Database db(path); }
  constexpr int kPerBatch = 200;
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipefd[0]);
    try {
      log::Database db(path);
      const int64_t s = db.begin_session({0, 1.8e9, std::nullopt, "listen", "test", "knee", ""});
      std::vector<Event> events(kPerBatch);
      for (int b = 0;; ++b) {
        for (int k = 0; k < kPerBatch; ++k) events[size_t(k)].onset_s = b * 1000 + k;
        db.add_events(s, events);
        const int committed = b + 1;  // reported only after the commit returned
        if (::write(pipefd[1], &committed, sizeof committed) != sizeof committed) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(pipefd[1]);
  int committed = 0, n = 0;
  while (committed < 25 && ::read(pipefd[0], &n, sizeof n) == sizeof n) committed = n;
  ::kill(child, SIGKILL);
  while (::read(pipefd[0], &n, sizeof n) == sizeof n) committed = n;  // commits reported before the kill landed
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipefd[0]);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  REQUIRE(committed >= 25);
  // Opening it again recovers from the WAL; every reported commit is there and
  // no half batch is.
  log::Database db(path);
  const long events = std::stol(sql(path, "SELECT count(*) FROM events"));
  CHECK(events >= long(committed) * kPerBatch);
  CHECK(events <= long(committed + 1) * kPerBatch);
  CHECK(events % kPerBatch == 0);
  CHECK(sql(path, "PRAGMA integrity_check") == "ok\n");
  // And it is still writable.
  CHECK(run_popscope("log --location knee --db " + quote(path)).exit_code == 0);
}

TEST_CASE("history: counts per day and location, pain trend and the latest triage") {
  TempDir tmp;
  const double now = log::now_unix();
  auto at = [&](double days_ago) { return " --at " + log::format_time_utc(now - days_ago * 86400).substr(0, 19) + "Z"; };
  REQUIRE(run_popscope("log --location knee --pain 6 --pop" + at(3) + db_flag(tmp)).exit_code == 0);
  REQUIRE(run_popscope("log --location knee --pain 4" + at(2) + db_flag(tmp)).exit_code == 0);
  REQUIRE(run_popscope("log --location knee --pain 2" + at(1) + db_flag(tmp)).exit_code == 0);
  REQUIRE(run_popscope("log --location neck --pop" + at(0.01) + db_flag(tmp)).exit_code == 0);
  REQUIRE(run_popscope("log --location neck --pop" + at(20) + db_flag(tmp)).exit_code == 0);  // outside 7 d
  auto r = run_popscope("history" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("4 reports, 0 recorded events") != std::string::npos);
  CHECK(r.out.find("knee         pain 6 -> 2 over 2.0 days (-2.00 per day, 3 reports): improving") !=
        std::string::npos);
  CHECK(r.out.find("neck         pain 0 (one report)") != std::string::npos);
  CHECK(r.out.find("Latest triage (report 4") != std::string::npos);
  CHECK(r.out.find("This is not a diagnosis.") != std::string::npos);
  // The knee report with pain 6 after a pop: monitor (moderate pain) on its day.
  const std::string day3 = log::format_date_local(now - 3 * 86400);
  CHECK(r.out.find(day3 + "  knee               1     1        0        6  monitor") != std::string::npos);
  r = run_popscope("history --since 30d --location neck" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2 reports") != std::string::npos);
  CHECK(r.out.find("knee ") == std::string::npos);
  r = run_popscope("history --since forever" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--since 'forever' is not a duration") != std::string::npos);
  r = run_popscope("history --db " + quote(tmp.file("none.db")));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("No severity log yet") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.file("none.db")));
}

TEST_CASE("export: JSON holds everything, CSV one table with documented columns, files are private") {
  TempDir tmp;
  REQUIRE(run_popscope("log --location knee --pain 2 --swelling" + db_flag(tmp)).exit_code == 0);
  auto r = run_popscope("export --format json --out " + quote(tmp.file("out.json")) + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(tmp.file("out.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto j = nlohmann::json::parse(test::read_text(tmp.file("out.json")));
  CHECK(j["format"] == "popscope-log");
  CHECK(j["schema_version"] == 2);
  for (const char* key : {"sessions", "events", "reports", "assessments"}) CHECK(j[key].is_array());
  CHECK(j["reports"][0]["swelling"] == true);
  CHECK(j["assessments"][0]["level"] == "monitor");
  CHECK(j["assessments"][0]["rule_ids"][0] == "swelling");
  r = run_popscope("export --format csv" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("id,time,location,side,activity,pop,pain,pain_since_s,stiffness,reduced_movement,numbness,"
                    "tingling,weakness,spreading,swelling,giving_way,night_pain,weight_loss,bladder_bowel,"
                    "saddle_numbness,both_legs,fever,trauma,dizziness,double_vision,slurred_speech,"
                    "trouble_swallowing,drop_attack,severe_headache,facial_numbness,note,event_id,level,reasons\n",
                    0) == 0);
  CHECK(lines(r.out) == 2);
  r = run_popscope("export --format csv --table events" + db_flag(tmp));
  CHECK(r.out == "id,session_id,time,time_unix,onset_s,offset_s,channel,side,class,confidence,peak_dbfs,thrust,"
                 "refractory,file,location\n");
  r = run_popscope("export --format xml" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("use one of: json, csv") != std::string::npos);
}

TEST_CASE("forget asks for confirmation, refuses without a terminal, and deletes with --yes") {
  TempDir tmp;
  REQUIRE(run_popscope("log --location knee --note first-secret-note" + db_flag(tmp)).exit_code == 0);
  REQUIRE(run_popscope("log --location hip --note second" + db_flag(tmp)).exit_code == 0);
  auto r = run_popscope("forget 1" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("without confirmation (standard input is not a terminal); add --yes") != std::string::npos);
  CHECK(sql(tmp.file("log.db"), "SELECT count(*) FROM reports") == "2\n");
  REQUIRE(test::read_text(tmp.file("log.db")).find("first-secret-note") != std::string::npos);
  r = run_popscope("forget 1 --yes" + db_flag(tmp));
  CHECK(r.exit_code == 0);
  CHECK(sql(tmp.file("log.db"), "SELECT note FROM reports") == "second\n");
  // The deleted note is gone from the file, not just unlinked (secure_delete + checkpoint).
  CHECK(test::read_text(tmp.file("log.db")).find("first-secret-note") == std::string::npos);
  CHECK(test::read_text(tmp.file("log.db-wal")).find("first-secret-note") == std::string::npos);
  CHECK(sql(tmp.file("log.db"), "SELECT count(*) FROM assessments") == "1\n");
  r = run_popscope("forget 1 --yes" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("there is no report 1") != std::string::npos);
  r = run_popscope("forget" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("give exactly one of") != std::string::npos);
  if (!test::have_program("script")) {
    MESSAGE("skipping the terminal confirmation: 'script' (util-linux) is not installed");
  } else {
    const std::string base = quote(test::binary_path()) + " forget --all" + db_flag(tmp);
    r = test::run_shell("printf 'n\\n' | script -qec " + quote(base) + " /dev/null");
    CHECK(r.out.find("Delete everything in the severity log") != std::string::npos);
    CHECK(r.out.find("Nothing deleted.") != std::string::npos);
    CHECK(sql(tmp.file("log.db"), "SELECT count(*) FROM reports") == "1\n");
    r = test::run_shell("printf 'y\\n' | script -qec " + quote(base) + " /dev/null");
    CHECK(r.out.find("Deleted every report") != std::string::npos);
    CHECK(sql(tmp.file("log.db"), "SELECT count(*) FROM reports") == "0\n");
  }
  CHECK(sql(tmp.file("log.db"), "PRAGMA integrity_check") == "ok\n");
}

TEST_CASE("log on a terminal asks the questions one by one, red flags always") {
  if (!test::have_program("script")) {
    MESSAGE("skipping: 'script' (util-linux) is not installed, so no pseudo-terminal for the interactive mode");
    return;
  }
  TempDir tmp;
  const std::string cmd = "env POPSCOPE_DB=" + quote(tmp.file("log.db")) + " " + quote(test::binary_path()) + " log";
  // Knee, pain 3 for 3 h, all symptoms no: mild soreness.
  auto r = test::run_shell("printf %s " + quote(answers("knee", 3)) + " | script -qec " + quote(cmd) + " /dev/null");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Where in the body?") != std::string::npos);
  CHECK(r.out.find("How long has it hurt?") != std::string::npos);
  CHECK(r.out.find("A few safety questions (asked every time)") != std::string::npos);
  CHECK(r.out.find("Any new trouble passing urine") != std::string::npos);
  CHECK(r.out.find("A sudden, severe headache") != std::string::npos);
  CHECK(r.out.find("Triage level: self-care") != std::string::npos);
  CHECK(sql(tmp.file("log.db"), "SELECT location, pop, pain, pain_since_s, note FROM reports") ==
        "knee|1|3|10800|typed at the terminal\n");
  // Pain 0: the pain duration is not asked, the red flags still are; answering
  // yes to the bladder question (the 11th yes/no question) is an emergency.
  r = test::run_shell("printf %s " + quote(answers("lower-back", 0, {10})) + " | script -qec " + quote(cmd) +
                      " /dev/null");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("How long has it hurt?") == std::string::npos);
  CHECK(r.out.find("Any numbness around the genitals") != std::string::npos);
  CHECK(r.out.find("Triage level: emergency") != std::string::npos);
  CHECK(sql(tmp.file("log.db"), "SELECT bladder_bowel FROM reports WHERE id = 2") == "1\n");
  // A wrong answer is asked again; the default location is the last one used.
  std::string a = "\n\n\nn\neleven\n0\n";
  for (int i = 0; i < 22; ++i) a += "\n";
  a += "\n";
  r = test::run_shell("printf %s " + quote(a) + " | script -qec " + quote(cmd) + " /dev/null");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("[lower-back]") != std::string::npos);
  CHECK(r.out.find("'eleven' is not valid") != std::string::npos);
  CHECK(sql(tmp.file("log.db"), "SELECT location, pop, pain FROM reports WHERE id = 3") == "lower-back|0|0\n");
}

TEST_CASE("analyze --log stores a session with its events, and log links a report to the pop") {
  TempDir tmp;
  // Three pops on quiet noise.
  const int rate = 48000;
  std::vector<std::vector<float>> x(1, std::vector<float>(size_t(3 * rate), 0.0f));
  unsigned seed = 1;
  for (auto& v : x[0]) v = 0.001f * (float((seed = seed * 1103515245u + 12345u) >> 16 & 0x7fff) / 16384.0f - 1.0f);
  for (double t0 : {0.5, 1.5, 2.5})
    for (size_t i = 0; i < size_t(0.02 * rate); ++i) {
      const double t = double(i) / rate;
      x[0][size_t(t0 * rate) + i] += float(0.4 * std::exp(-t / 0.0015) * std::sin(2 * M_PI * 700 * t));
    }
  write_audio_file(tmp.file("neck.wav"), rate, x, SampleEncoding::kPcm16);
  // The recording ended (file written) at 2026-09-21 14:13:23 UTC.
  REQUIRE(test::run_shell("touch -d @1790000003 " + quote(tmp.file("neck.wav"))).exit_code == 0);
  // Unclassified events (--model none): this test is about storing and linking.
  auto r = run_popscope("analyze --log --model none --location neck " + quote(tmp.file("neck.wav")) + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("3 events of") != std::string::npos);
  const std::string db = tmp.file("log.db");
  CHECK(sql(db, "SELECT source, location, started_unix, ended_unix FROM sessions") ==
        "analyze|neck|1790000000.0|1790000003.0\n");
  CHECK(sql(db, "SELECT count(*), min(onset_s) > 0.49, max(onset_s) < 2.51 FROM events") == "3|1|1\n");
  CHECK(sql(db, "SELECT DISTINCT file FROM events") == tmp.file("neck.wav") + "\n");
  // A report two minutes later at the neck links to the nearest (last) pop.
  r = run_popscope("log --location neck --pain 2 --at 2026-09-21T14:15:20Z" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Linked to recorded event 3") != std::string::npos);
  CHECK(sql(db, "SELECT event_id, pop FROM reports") == "3|1\n");
  // Not at another location.
  r = run_popscope("log --location knee --at 2026-09-21T14:15:20Z" + db_flag(tmp));
  CHECK(r.out.find("Linked") == std::string::npos);
  // An explicit --event links whatever the time and place; an unknown one is refused.
  r = run_popscope("log --location knee --pain 1 --event 1" + db_flag(tmp));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Linked to recorded event 1") != std::string::npos);
  r = run_popscope("log --location knee --event 99" + db_flag(tmp));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--event 99: no recorded event has this id") != std::string::npos);
  CHECK(sql(db, "SELECT count(*) FROM reports") == "3\n");
  // --db without --log is a usage error; a bad log stops the run with exit 5.
  r = run_popscope("analyze --db x.db " + quote(tmp.file("neck.wav")));
  CHECK(r.exit_code == 2);
  test::write_text(tmp.file("bad.db"), "not a database at all");
  r = run_popscope("analyze --log --db " + quote(tmp.file("bad.db")) + " " + quote(tmp.file("neck.wav")));
  CHECK(r.exit_code == 5);
  CHECK(test::read_text(tmp.file("bad.db")) == "not a database at all");
}
