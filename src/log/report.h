#pragma once
// What the severity log stores: recording sessions, their events, symptom
// reports and the triage assessment of each report.
//
// The yes/no symptoms live in one table (symptom_fields): it names the
// database column, the command-line flag, the plain-language question asked on
// a terminal and whether the question is a red flag (always asked).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popscope::log {

struct Symptoms {
  bool stiffness = false;
  bool reduced_movement = false;
  bool numbness = false;
  bool tingling = false;
  bool weakness = false;
  bool spreading = false;
  bool swelling = false;
  bool giving_way = false;
  bool night_pain = false;
  bool weight_loss = false;
  // Red flags: possible cauda equina syndrome (BASS 2018, NICE NG59), infection, injury.
  bool bladder_bowel = false;
  bool saddle_numbness = false;
  bool both_legs = false;
  bool fever = false;
  bool trauma = false;
  // Red flags after a neck adjustment: possible cervical artery dissection.
  bool dizziness = false;
  bool double_vision = false;
  bool slurred_speech = false;
  bool trouble_swallowing = false;
  bool drop_attack = false;
  bool severe_headache = false;
  bool facial_numbness = false;  // schema 2
};

struct SymptomField {
  const char* column;    // database column and JSON key: "reduced_movement"
  const char* flag;      // "--reduced-movement"
  const char* help;      // --help text
  const char* question;  // asked on a terminal, answered yes/no
  bool red_flag;
  bool Symptoms::*member;
};

const std::vector<SymptomField>& symptom_fields();

struct Report {
  int64_t id = 0;
  double time_unix = 0;      // when it happened
  std::string location;      // one of locations()
  std::string side;          // one of sides(), or empty when not given
  std::string activity;      // one of activities(), or empty
  bool pop = false;          // a pop was heard or felt (set when a recorded event is linked)
  int pain = 0;              // 0-10
  int64_t pain_since_s = -1; // how long the pain has lasted; -1 when not given
  Symptoms symptoms;
  std::string note;          // free text, stored verbatim
  std::optional<int64_t> event_id;
};

struct Session {
  int64_t id = 0;
  double started_unix = 0;
  std::optional<double> ended_unix;
  std::string source;    // "listen" or "analyze"
  std::string input;     // device name or file path
  std::string location;  // body location, may be empty
  std::string note;
};

// One event as stored: the fields of popscope::Event that matter later.
struct StoredEvent {
  int64_t id = 0;
  int64_t session_id = 0;
  double time_unix = 0;  // session start + onset_s
  double onset_s = 0;
  double offset_s = 0;
  int channel = 0;       // 0-based
  std::string side;
  std::string class_name;
  double confidence = 0;
  double peak_dbfs = 0;
  int thrust = -1;
  bool refractory = false;
  std::string file;
  std::string location;  // the session's location (read only)
};

struct Assessment {
  int64_t id = 0;
  int64_t report_id = 0;
  double time_unix = 0;
  std::string level;
  std::vector<std::string> reasons;
  std::vector<std::string> rule_ids;
  int rules_version = 0;
};

}  // namespace popscope::log
