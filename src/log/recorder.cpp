#include "src/log/recorder.h"

#include <cmath>
#include <set>

#include "src/engine/postprocess.h"
#include "src/errors.h"
#include "src/log/duration.h"

namespace popscope::log {

Evidence gather_evidence(Database& db, const Report& r) {
  Evidence ev;
  if (r.event_id) ev.linked_event = db.event(*r.event_id);
  const double t = r.time_unix;
  const bool this_pop = r.pop || (ev.linked_event && counts_as_pop(ev.linked_event->class_name));

  // Pops within the refractory window before the report (and up to it). The
  // pops of one thrust (several joints releasing within ~0.25 s: Dunning 2013,
  // Mourad 2019) are one episode, not a repeat.
  int pops = 0;
  bool linked_counted = false;
  double last_pop = -1e300;
  for (const auto& e : db.events(t - kRefractoryWindowS, t + 1.0, r.location)) {
    if (!counts_as_pop(e.class_name)) continue;
    if (e.time_unix - last_pop > kThrustWindowS) ++pops;
    last_pop = e.time_unix;
    if (e.refractory) ev.refractory_flag = true;
    if (ev.linked_event && e.id == ev.linked_event->id) linked_counted = true;
  }
  if (ev.linked_event && ev.linked_event->refractory) ev.refractory_flag = true;
  if (ev.linked_event && counts_as_pop(ev.linked_event->class_name) && !linked_counted) ++pops;
  if (r.pop && !(ev.linked_event && counts_as_pop(ev.linked_event->class_name))) ++pops;  // felt, not recorded
  int reported = 0;
  for (const auto& p : db.reports(t - kRefractoryWindowS, t, r.location))
    if (p.id != r.id && p.pop && !p.event_id) ++reported;  // a report linked to an event is that event
  ev.pops_within_refractory = pops + reported;

  // Different days with pops at this location.
  std::set<std::string> days;
  for (const auto& e : db.events(t - kRecurringWindowS, t + 1.0, r.location))
    if (counts_as_pop(e.class_name)) days.insert(format_date_local(e.time_unix));
  for (const auto& p : db.reports(t - kRecurringWindowS, t, r.location))
    if (p.pop) days.insert(format_date_local(p.time_unix));
  if (this_pop) days.insert(format_date_local(t));
  ev.days_with_pops = int(days.size());

  // The current painful spell: earlier painful reports here with no
  // pain-free report in between.
  if (r.pain > 0) {
    const auto earlier = db.reports(t - kRecurringWindowS, t, r.location);
    for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
      if (it->id == r.id || it->time_unix > t) continue;
      if (it->pain == 0) break;
      ev.spell_start_pain = it->pain;
      ev.spell_age_s = (t - it->time_unix) + double(std::max<int64_t>(0, it->pain_since_s));
    }
  }
  return ev;
}

RecordedReport record_report(Database& db, Report report, bool link_automatically) {
  Database::Transaction tx(db, Database::Transaction::Kind::kWrite);
  if (report.event_id) {
    if (!db.event(*report.event_id))
      throw UsageError("--event " + std::to_string(*report.event_id) + ": no recorded event has this id (see "
                       "'popscope export --format csv --table events')");
  } else if (link_automatically) {
    if (auto e = db.nearest_event(report.time_unix, kLinkWindowS, report.location)) report.event_id = e->id;
  }
  if (report.event_id && counts_as_pop(db.event(*report.event_id)->class_name)) report.pop = true;
  RecordedReport out;
  report.id = db.insert_report(report);
  out.evidence = gather_evidence(db, report);
  out.triage = triage({report, out.evidence});
  Assessment a;
  a.report_id = report.id;
  a.time_unix = now_unix();
  a.level = level_name(out.triage.level);
  for (const auto& reason : out.triage.reasons) {
    a.reasons.push_back(reason.text + " [" + reason.source + "]");
    a.rule_ids.push_back(reason.rule_id);
  }
  a.rules_version = kRulesVersion;
  out.assessment_id = db.insert_assessment(a);
  tx.commit();
  out.report = report;
  return out;
}

}  // namespace popscope::log
