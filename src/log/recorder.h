#pragma once
// Recording a symptom report: link it to a recorded event, gather the
// acoustic and symptom history around it, triage it and store the report
// with its assessment, all in one transaction (two `popscope log` runs and a
// `listen` session can write at the same time).
#include <optional>

#include "src/log/database.h"
#include "src/log/triage.h"

namespace popscope::log {

// What the log knows around a report (reads only; call inside a transaction).
Evidence gather_evidence(Database& db, const Report& report);

struct RecordedReport {
  Report report;  // with its id and linked event
  Evidence evidence;
  TriageResult triage;
  int64_t assessment_id = 0;
};

// When link_automatically is set and report.event_id is empty, the nearest
// recorded event within kLinkWindowS at this location is linked. A given
// event_id that does not exist is a UsageError naming --event.
RecordedReport record_report(Database& db, Report report, bool link_automatically);

}  // namespace popscope::log
