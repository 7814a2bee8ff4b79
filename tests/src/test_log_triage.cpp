// Every triage rule has a case here (a test checks none is missing), plus the
// combinations named in DOMAIN.md "Symptoms and triage".
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "src/log/triage.h"

using namespace popscope::log;

namespace {

TriageInput base(const std::string& location = "lower-back") {
  TriageInput in;
  in.report.location = location;
  in.report.time_unix = 1.8e9;
  return in;
}

bool has_rule(const TriageResult& r, const std::string& id) {
  return std::any_of(r.reasons.begin(), r.reasons.end(), [&](const Reason& x) { return x.rule_id == id; });
}

struct RuleCase {
  const char* rule_id;
  Level expected_level;  // the overall level for this input
  std::function<void(TriageInput&)> make;
};

StoredEvent linked(const char* cls) {
  StoredEvent e;
  e.id = 7;
  e.class_name = cls;
  return e;
}

// One input per rule that makes it apply; expected_level is the overall result.
const std::vector<RuleCase>& rule_cases() {
  static const std::vector<RuleCase> v = {
      {"cauda-equina-combined", Level::kEmergency,
       [](TriageInput& in) { in.report.symptoms.bladder_bowel = in.report.symptoms.saddle_numbness = true; }},
      {"bladder-bowel", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.bladder_bowel = true; }},
      {"saddle-numbness", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.saddle_numbness = true; }},
      {"both-legs", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.both_legs = true; }},
      {"neck-artery-combined", Level::kEmergency,
       [](TriageInput& in) {
         in.report.location = "neck";
         in.report.activity = "adjustment";
         in.report.symptoms.dizziness = in.report.symptoms.severe_headache = true;
       }},
      {"neck-dizziness", Level::kEmergency,
       [](TriageInput& in) {
         in.report.location = "neck";
         in.report.symptoms.dizziness = true;
       }},
      {"neck-facial-numbness", Level::kEmergency,
       [](TriageInput& in) {
         in.report.activity = "adjustment";
         in.report.symptoms.facial_numbness = true;
       }},
      {"facial-numbness", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.location = "jaw";
         in.report.symptoms.facial_numbness = true;
       }},
      {"double-vision", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.double_vision = true; }},
      {"slurred-speech", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.slurred_speech = true; }},
      {"trouble-swallowing", Level::kEmergency,
       [](TriageInput& in) { in.report.symptoms.trouble_swallowing = true; }},
      {"drop-attack", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.drop_attack = true; }},
      {"severe-headache", Level::kEmergency, [](TriageInput& in) { in.report.symptoms.severe_headache = true; }},
      {"knee-pop-swelling-giving-way", Level::kUrgent,
       [](TriageInput& in) {
         in.report.location = "knee";
         in.report.pop = true;
         in.report.symptoms.swelling = true;
       }},
      {"numbness-and-weakness", Level::kUrgent,
       [](TriageInput& in) { in.report.symptoms.numbness = in.report.symptoms.weakness = true; }},
      {"spreading-numbness", Level::kUrgent,
       [](TriageInput& in) { in.report.symptoms.tingling = in.report.symptoms.spreading = true; }},
      {"trauma", Level::kUrgent, [](TriageInput& in) { in.report.symptoms.trauma = true; }},
      {"fever-with-pain", Level::kUrgent,
       [](TriageInput& in) {
         in.report.symptoms.fever = true;
         in.report.pain = 2;
       }},
      {"weakness", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.weakness = true; }},
      {"pain-not-improving-48h", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.pain = 3;
         in.report.pain_since_s = 3 * 86400;
       }},
      {"spreading", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.spreading = true; }},
      {"painful-heavy-lifting-pop", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.activity = "heavy-lifting";
         in.report.pop = true;
         in.report.pain = 2;
       }},
      {"painful-repeated-pops", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.pop = true;
         in.report.pain = 2;
         in.evidence.pops_within_refractory = 3;
       }},
      {"painful-recurring-pops", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.pop = true;
         in.report.pain = 2;
         in.evidence.days_with_pops = 4;
       }},
      {"severe-pain", Level::kSeeClinician, [](TriageInput& in) { in.report.pain = 8; }},
      {"giving-way", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.giving_way = true; }},
      {"fever", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.fever = true; }},
      {"night-pain", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.night_pain = true; }},
      {"weight-loss", Level::kSeeClinician, [](TriageInput& in) { in.report.symptoms.weight_loss = true; }},
      {"dizziness", Level::kSeeClinician,
       [](TriageInput& in) {
         in.report.location = "knee";
         in.report.symptoms.dizziness = true;
       }},
      {"pain-improving-48h", Level::kMonitor,
       [](TriageInput& in) {
         in.report.pain = 2;
         in.evidence.spell_start_pain = 6;
         in.evidence.spell_age_s = 3 * 86400;
       }},
      {"pain-over-24h", Level::kMonitor,
       [](TriageInput& in) {
         in.report.pain = 2;
         in.report.pain_since_s = 30 * 3600;
       }},
      {"moderate-pain", Level::kMonitor, [](TriageInput& in) { in.report.pain = 5; }},
      {"numbness-or-tingling", Level::kMonitor, [](TriageInput& in) { in.report.symptoms.tingling = true; }},
      {"stiffness-or-reduced-movement", Level::kMonitor,
       [](TriageInput& in) { in.report.symptoms.reduced_movement = true; }},
      {"swelling", Level::kMonitor,
       [](TriageInput& in) {
         in.report.location = "ankle";
         in.report.symptoms.swelling = true;
       }},
      {"painful-crepitus", Level::kMonitor,
       [](TriageInput& in) {
         in.report.pain = 2;
         in.evidence.linked_event = linked("crepitus");
       }},
      {"painful-snap", Level::kMonitor,
       [](TriageInput& in) {
         in.report.pain = 2;
         in.evidence.linked_event = linked("snap");
       }},
      {"painless-repeated-pops", Level::kSelfCare,
       [](TriageInput& in) {
         in.report.pop = true;
         in.evidence.pops_within_refractory = 2;
       }},
      {"painless-recurring-pops", Level::kSelfCare,
       [](TriageInput& in) {
         in.report.pop = true;
         in.evidence.days_with_pops = 3;
       }},
      {"painless-heavy-lifting-pop", Level::kSelfCare,
       [](TriageInput& in) {
         in.report.activity = "heavy-lifting";
         in.report.pop = true;
       }},
      {"painless-pop", Level::kSelfCare, [](TriageInput& in) { in.report.pop = true; }},
      {"mild-soreness", Level::kSelfCare,
       [](TriageInput& in) {
         in.report.pain = 2;
         in.report.pain_since_s = 3600;
       }},
      {"linked-other-sound", Level::kSelfCare,
       [](TriageInput& in) { in.evidence.linked_event = linked("other"); }},
  };
  return v;
}

}  // namespace

TEST_CASE("every triage rule applies to its case and gives the expected level") {
  for (const auto& c : rule_cases()) {
    CAPTURE(c.rule_id);
    TriageInput in = base();
    c.make(in);
    const TriageResult r = triage(in);
    CHECK(has_rule(r, c.rule_id));
    CHECK(level_name(r.level) == std::string(level_name(c.expected_level)));
    // Does not apply to a plain painless report at the same location.
    TriageInput plain = base(in.report.location);
    CHECK_FALSE(has_rule(triage(plain), c.rule_id));
  }
}

TEST_CASE("every rule in the table has a test case, a reason and a source") {
  std::set<std::string> tested;
  for (const auto& c : rule_cases()) tested.insert(c.rule_id);
  std::set<std::string> ids;
  for (const Rule& rule : triage_rules()) {
    CAPTURE(rule.id);
    CHECK(tested.count(rule.id) == 1);
    CHECK(ids.insert(rule.id).second);  // ids are unique
    CHECK(std::string(rule.reason).size() > 20);
    CHECK(std::string(rule.source).size() > 3);
    // Reasons never diagnose: no "you have".
    CHECK(std::string(rule.reason).find("you have") == std::string::npos);
  }
  CHECK(tested.size() == triage_rules().size());
}

TEST_CASE("every result carries advice and the disclaimer, and the level is the highest of its reasons") {
  for (const auto& c : rule_cases()) {
    TriageInput in = base();
    c.make(in);
    const auto r = triage(in);
    CHECK(r.disclaimer.find("This is not a diagnosis") == 0);
    CHECK(r.advice == level_advice(r.level));
    Level highest = Level::kSelfCare;
    for (const auto& x : r.reasons) highest = std::max(highest, x.level);
    CHECK(highest == r.level);
  }
}

TEST_CASE("a report with nothing of concern is self-care with a reason") {
  const auto r = triage(base());
  CHECK(r.level == Level::kSelfCare);
  REQUIRE(r.reasons.size() == 1);
  CHECK(r.reasons[0].rule_id == "nothing-of-concern");
}

TEST_CASE("combination: numbness and weakness is urgent, and more than either alone") {
  TriageInput in = base();
  in.report.symptoms.numbness = true;
  CHECK(triage(in).level == Level::kMonitor);
  in.report.symptoms.numbness = false;
  in.report.symptoms.weakness = true;
  CHECK(triage(in).level == Level::kSeeClinician);
  in.report.symptoms.numbness = true;
  const auto r = triage(in);
  CHECK(r.level == Level::kUrgent);
  CHECK(has_rule(r, "numbness-and-weakness"));
  CHECK(has_rule(r, "weakness"));
  CHECK(has_rule(r, "combined-signs"));  // explains that the signs are weighed together
  CHECK_FALSE(has_rule(r, "numbness-or-tingling"));
}

TEST_CASE("combination: painless repeated pops stay self-care with an explanation") {
  TriageInput in = base("knee");
  in.report.pop = true;
  in.evidence.pops_within_refractory = 5;
  in.evidence.refractory_flag = true;
  const auto r = triage(in);
  CHECK(r.level == Level::kSelfCare);
  CHECK(has_rule(r, "painless-repeated-pops"));
  CHECK_FALSE(has_rule(r, "painless-pop"));
  CHECK(r.reasons[0].text.find("20 minutes") != std::string::npos);
  // The same with pain: assessment suggested.
  in.report.pain = 3;
  const auto p = triage(in);
  CHECK(p.level == Level::kSeeClinician);
  CHECK(has_rule(p, "painful-repeated-pops"));
}

TEST_CASE("a refractory flag on a recorded event counts as repeated popping") {
  TriageInput in = base();
  in.evidence.linked_event = linked("cavitation");
  in.evidence.pops_within_refractory = 1;
  in.evidence.refractory_flag = true;
  in.report.pain = 4;
  CHECK(has_rule(triage(in), "painful-repeated-pops"));
}

TEST_CASE("combination: a pop while lifting heavy with pain is see-clinician; without pain self-care") {
  TriageInput in = base();
  in.report.activity = "heavy-lifting";
  in.evidence.linked_event = linked("cavitation");  // the pop comes from the recording
  const auto painless = triage(in);
  CHECK(painless.level == Level::kSelfCare);
  CHECK(has_rule(painless, "painless-heavy-lifting-pop"));
  in.report.pain = 5;
  const auto r = triage(in);
  CHECK(r.level == Level::kSeeClinician);
  CHECK(has_rule(r, "painful-heavy-lifting-pop"));
  CHECK(has_rule(r, "moderate-pain"));
  CHECK(has_rule(r, "combined-signs"));
}

TEST_CASE("combination: cauda equina flags are an emergency and explained together") {
  TriageInput in = base();
  in.report.symptoms.both_legs = true;
  in.report.symptoms.weakness = true;
  const auto r = triage(in);
  CHECK(r.level == Level::kEmergency);
  CHECK(has_rule(r, "cauda-equina-combined"));
  CHECK(has_rule(r, "both-legs"));
  CHECK(r.reasons[0].source.find("NICE NG59") != std::string::npos);
  CHECK_FALSE(has_rule(r, "combined-signs"));  // the specific combined rule explains it
}

TEST_CASE("combination: neck-adjustment flags are an emergency; dizziness elsewhere is not") {
  TriageInput in = base("neck");
  in.report.activity = "adjustment";
  in.report.pop = true;
  in.report.symptoms.dizziness = true;
  in.report.symptoms.trouble_swallowing = true;
  const auto r = triage(in);
  CHECK(r.level == Level::kEmergency);
  CHECK(has_rule(r, "neck-artery-combined"));
  CHECK(has_rule(r, "neck-dizziness"));
  CHECK(has_rule(r, "trouble-swallowing"));
  TriageInput knee = base("knee");
  knee.report.symptoms.dizziness = true;
  CHECK(triage(knee).level == Level::kSeeClinician);
}

TEST_CASE("combination: knee pop with swelling or giving way is urgent; without a pop it is not") {
  for (bool giving_way : {false, true}) {
    TriageInput in = base("knee");
    in.report.symptoms.swelling = !giving_way;
    in.report.symptoms.giving_way = giving_way;
    CHECK(triage(in).level < Level::kUrgent);
    in.evidence.linked_event = linked("snap");
    const auto r = triage(in);
    CHECK(r.level == Level::kUrgent);
    CHECK(has_rule(r, "knee-pop-swelling-giving-way"));
  }
}

TEST_CASE("a linked sound that is not a joint sound, or grinding, is not a pop") {
  TriageInput in = base("knee");
  in.report.symptoms.swelling = true;
  in.evidence.linked_event = linked("other");
  CHECK_FALSE(has_rule(triage(in), "knee-pop-swelling-giving-way"));
  in.evidence.linked_event = linked("crepitus");
  CHECK_FALSE(has_rule(triage(in), "knee-pop-swelling-giving-way"));
  CHECK(counts_as_pop("cavitation"));
  CHECK(counts_as_pop("snap"));
  CHECK(counts_as_pop(""));  // unclassified (no model)
  CHECK_FALSE(counts_as_pop("crepitus"));
  CHECK_FALSE(counts_as_pop("other"));
}

TEST_CASE("pain that has not faded: 24 h monitor, 48 h see-clinician, fading after 48 h monitor") {
  TriageInput in = base();
  in.report.pain = 3;
  in.report.pain_since_s = 2 * 3600;
  CHECK(triage(in).level == Level::kSelfCare);  // mild soreness, fresh
  in.report.pain_since_s = 25 * 3600;
  CHECK(triage(in).level == Level::kMonitor);
  in.report.pain_since_s = 49 * 3600;
  CHECK(triage(in).level == Level::kSeeClinician);
  // Earlier reports of the same spell make the pain older than the report says.
  in.report.pain_since_s = 3600;
  in.evidence.spell_start_pain = 3;
  in.evidence.spell_age_s = 50 * 3600;
  CHECK(pain_duration_s(in) == doctest::Approx(50 * 3600));
  auto r = triage(in);
  CHECK(r.level == Level::kSeeClinician);
  CHECK(has_rule(r, "pain-not-improving-48h"));
  // ... but pain that went down from 6 to 3 is fading.
  in.evidence.spell_start_pain = 6;
  r = triage(in);
  CHECK(r.level == Level::kMonitor);
  CHECK(has_rule(r, "pain-improving-48h"));
}

TEST_CASE("painless pops never rise above self-care by acoustic evidence alone") {
  for (const char* cls : {"cavitation", "snap", "crepitus", ""}) {
    TriageInput in = base("knee");
    in.report.pop = true;
    in.evidence.linked_event = linked(cls);
    in.evidence.pops_within_refractory = 4;
    in.evidence.days_with_pops = 10;
    CHECK(triage(in).level == Level::kSelfCare);
  }
}

TEST_CASE("reasons are ordered from most to least pressing") {
  TriageInput in = base();
  in.report.pain = 5;
  in.report.symptoms.stiffness = true;
  in.report.symptoms.bladder_bowel = true;
  const auto r = triage(in);
  for (size_t i = 1; i < r.reasons.size(); ++i) CHECK(r.reasons[i - 1].level >= r.reasons[i].level);
  CHECK(r.reasons.front().rule_id == "bladder-bowel");
}
