#pragma once
// The triage engine: one table of rules (triage_rules()) turns a symptom
// report plus the acoustic evidence around it into a level, the reasons that
// led there and a disclaimer. It never diagnoses: reasons say what a sign
// "can be a sign of" and which source the rule follows (DOMAIN.md, "Symptoms
// and triage").
//
// The level is the highest level of all rules that apply. Painless pops stay
// self-care. Single red flags have poor diagnostic accuracy (Finucane 2020,
// IFOMPT framework), so when several signs apply together the result says so
// and lists them all.
#include <optional>
#include <string>
#include <vector>

#include "src/log/report.h"
#include "src/log/vocabulary.h"

namespace popscope::log {

// Bumped whenever a rule changes; stored with every assessment.
constexpr int kRulesVersion = 1;

// A joint cannot cavitate again for ~20 minutes (Unsworth 1971; Chandran Suja
// & Barakat 2018): repeated pops in one place within it are something else.
constexpr double kRefractoryWindowS = 20.0 * 60.0;
// Most mild reactions after manipulation are gone within 24 h (74%, Senstad
// 1997; Cagnie 2004); pain not improving after 48 h should be assessed.
constexpr double kPainFadeS = 24.0 * 3600.0;
constexpr double kPainPersistentS = 48.0 * 3600.0;
// Pops on this many different days within kRecurringWindowS count as recurring.
constexpr int kRecurringDays = 3;
constexpr double kRecurringWindowS = 14.0 * 86400.0;
// A report is linked to the nearest recorded event within this window.
constexpr double kLinkWindowS = 10.0 * 60.0;

extern const char* const kDisclaimer;

// Recorded sounds that count as a pop: cavitation, snaps and unclassified
// events (a run without a model); not crepitus trains or "other" noises.
bool counts_as_pop(const std::string& class_name);

// What the log knows around one report.
struct Evidence {
  std::optional<StoredEvent> linked_event;
  // Pop episodes at this location in the refractory window before the
  // report: recorded pops (those of one thrust count once), earlier reports
  // of a pop without a recording, and this report's pop.
  int pops_within_refractory = 0;
  // A recorded event in that window was flagged as a refractory repeat.
  bool refractory_flag = false;
  // Different days with pops at this location within kRecurringWindowS.
  int days_with_pops = 0;
  // Earliest earlier report of the current painful spell at this location
  // (no pain-free report since): its pain and how long before this report.
  std::optional<int> spell_start_pain;
  double spell_age_s = 0;
};

struct TriageInput {
  Report report;
  Evidence evidence;
};

struct Rule {
  const char* id;
  Level level;
  const char* reason;  // plain language; never a diagnosis
  const char* source;  // where the rule comes from
  bool (*applies)(const TriageInput&);
};

// Every rule, most pressing first.
const std::vector<Rule>& triage_rules();

struct Reason {
  std::string rule_id;
  Level level;
  std::string text;
  std::string source;
};

struct TriageResult {
  Level level = Level::kSelfCare;
  std::vector<Reason> reasons;  // most pressing first
  std::string advice;           // what to do at this level
  std::string disclaimer;
};

TriageResult triage(const TriageInput& input);

// How long the pain has lasted, from the report and the earlier reports of
// the same painful spell; -1 when unknown.
double pain_duration_s(const TriageInput& input);

}  // namespace popscope::log
