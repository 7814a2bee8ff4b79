#include "src/log/triage.h"

#include <algorithm>

namespace popscope::log {

const char* const kDisclaimer =
    "This is not a diagnosis. popscope sorts what you reported by how soon it is worth having it looked at; it "
    "cannot examine you. If you feel very unwell or are worried, contact a health professional whatever the "
    "level says.";

namespace {

using In = const TriageInput&;

const Symptoms& sy(In in) { return in.report.symptoms; }
bool painful(In in) { return in.report.pain > 0; }
bool has_pop(In in) {
  return in.report.pop || (in.evidence.linked_event && counts_as_pop(in.evidence.linked_event->class_name));
}
bool neck_context(In in) { return in.report.location == "neck" || in.report.activity == "adjustment"; }
bool repeated(In in) { return in.evidence.pops_within_refractory >= 2 || in.evidence.refractory_flag; }
bool recurring(In in) { return in.evidence.days_with_pops >= kRecurringDays; }
bool linked_class(In in, const char* name) {
  return in.evidence.linked_event && in.evidence.linked_event->class_name == name;
}
int cauda_equina_signs(In in) { return int(sy(in).bladder_bowel) + int(sy(in).saddle_numbness) + int(sy(in).both_legs); }
int neck_artery_signs(In in) {
  const Symptoms& s = sy(in);
  return int(s.dizziness) + int(s.double_vision) + int(s.slurred_speech) + int(s.trouble_swallowing) +
         int(s.drop_attack) + int(s.severe_headache) + int(s.facial_numbness);
}
bool any_symptom(In in) {
  for (const auto& f : symptom_fields())
    if (sy(in).*(f.member)) return true;
  return false;
}
bool nerve_signs(In in) { return sy(in).numbness || sy(in).tingling; }
bool pain_improving(In in) {
  return in.evidence.spell_start_pain && in.report.pain < *in.evidence.spell_start_pain;
}

constexpr const char* kCaudaEquina = "BASS 2018; NICE NG59";
constexpr const char* kNeckArtery = "Signs after neck manipulation (IFOMPT framework, Finucane 2020)";
constexpr const char* kReactions = "Senstad 1997; Cagnie 2004";
constexpr const char* kRefractory = "Unsworth 1971; Chandran Suja & Barakat 2018";
constexpr const char* kWarningSigns = "Warning signs for joint pops (DOMAIN.md, Symptoms and triage)";
constexpr const char* kUrgentList = "Urgent / see-a-clinician signs (IFOMPT framework, Finucane 2020)";

// The rules, most pressing first. triage() adds a "combined-signs" reason
// when two or more rules of level monitor or above apply and no *-combined
// rule already explains the combination.
const std::vector<Rule> kRules = {
    // --- emergency: possible cauda equina syndrome ---
    {"cauda-equina-combined", Level::kEmergency,
     "Several signs of pressure on the nerves at the base of the spine came together (bladder or bowel, saddle "
     "numbness, both legs, weakness); together they make cauda equina syndrome more likely than any one alone.",
     "BASS 2018; NICE NG59; Finucane 2020",
     +[](In in) { return cauda_equina_signs(in) >= 2 || (cauda_equina_signs(in) >= 1 && sy(in).weakness); }},
    {"bladder-bowel", Level::kEmergency,
     "New trouble passing urine or loss of bladder or bowel control can be a sign of cauda equina syndrome, which "
     "needs assessment the same day.",
     kCaudaEquina, +[](In in) { return sy(in).bladder_bowel; }},
    {"saddle-numbness", Level::kEmergency,
     "Numbness around the genitals, buttocks or inner thighs can be a sign of cauda equina syndrome, which needs "
     "assessment the same day.",
     kCaudaEquina, +[](In in) { return sy(in).saddle_numbness; }},
    {"both-legs", Level::kEmergency,
     "Sciatica in both legs can be a sign of cauda equina syndrome, which needs assessment the same day.",
     kCaudaEquina, +[](In in) { return sy(in).both_legs; }},
    // --- emergency: possible cervical artery dissection or stroke ---
    {"neck-artery-combined", Level::kEmergency,
     "Several of the signs that can follow a neck artery injury came together after a neck adjustment or in the "
     "neck.",
     kNeckArtery, +[](In in) { return neck_context(in) && neck_artery_signs(in) >= 2; }},
    {"neck-dizziness", Level::kEmergency,
     "Dizziness after a neck adjustment or with neck symptoms can be a sign of an injury to a neck artery "
     "(cervical artery dissection).",
     kNeckArtery, +[](In in) { return neck_context(in) && sy(in).dizziness; }},
    {"neck-facial-numbness", Level::kEmergency,
     "Numbness in the face after a neck adjustment or with neck symptoms can be a sign of an injury to a neck "
     "artery.",
     kNeckArtery, +[](In in) { return neck_context(in) && sy(in).facial_numbness; }},
    {"double-vision", Level::kEmergency,
     "Double vision can be a sign of a neck artery injury or a stroke.", kNeckArtery,
     +[](In in) { return sy(in).double_vision; }},
    {"slurred-speech", Level::kEmergency, "Slurred speech can be a sign of a neck artery injury or a stroke.",
     kNeckArtery, +[](In in) { return sy(in).slurred_speech; }},
    {"trouble-swallowing", Level::kEmergency,
     "New trouble swallowing can be a sign of a neck artery injury or a stroke.", kNeckArtery,
     +[](In in) { return sy(in).trouble_swallowing; }},
    {"drop-attack", Level::kEmergency,
     "Sudden falls without fainting (drop attacks) can be a sign of reduced blood flow to the brain.", kNeckArtery,
     +[](In in) { return sy(in).drop_attack; }},
    {"severe-headache", Level::kEmergency,
     "A sudden, severe headache unlike any before can be a sign of a neck artery injury or bleeding.", kNeckArtery,
     +[](In in) { return sy(in).severe_headache; }},
    // --- urgent ---
    {"knee-pop-swelling-giving-way", Level::kUrgent,
     "A pop in the knee together with swelling or the knee giving way can be a sign of a torn ligament (ACL).",
     "Knee injury signs (DOMAIN.md, Symptoms and triage)",
     +[](In in) { return in.report.location == "knee" && has_pop(in) && (sy(in).swelling || sy(in).giving_way); }},
    {"numbness-and-weakness", Level::kUrgent,
     "Numbness or tingling together with weakness in a limb can be a sign that a nerve is being pressed.",
     kUrgentList, +[](In in) { return nerve_signs(in) && sy(in).weakness; }},
    {"spreading-numbness", Level::kUrgent,
     "Numbness or tingling that spreads can be a sign that a nerve is being pressed.", kUrgentList,
     +[](In in) { return nerve_signs(in) && sy(in).spreading; }},
    {"trauma", Level::kUrgent,
     "It started with a fall, a crash or a blow: an injury should be examined before it is treated as a harmless "
     "pop.",
     kUrgentList, +[](In in) { return sy(in).trauma; }},
    {"fever-with-pain", Level::kUrgent, "Fever together with pain can be a sign of an infection.", kUrgentList,
     +[](In in) { return sy(in).fever && painful(in); }},
    // --- see a clinician ---
    {"weakness", Level::kSeeClinician, "Weakness in an arm or a leg should be assessed.", kUrgentList,
     +[](In in) { return sy(in).weakness; }},
    {"pain-not-improving-48h", Level::kSeeClinician,
     "The pain has lasted 48 hours or more without improving; most mild reactions fade within 24 hours.",
     kReactions,
     +[](In in) { return painful(in) && pain_duration_s(in) >= kPainPersistentS && !pain_improving(in); }},
    {"spreading", Level::kSeeClinician, "Pain or symptoms that spread away from the spot should be assessed.",
     kWarningSigns, +[](In in) { return sy(in).spreading; }},
    {"painful-heavy-lifting-pop", Level::kSeeClinician,
     "A pop while lifting something heavy, followed by pain, can be a sign of a strain or a disc injury.",
     kWarningSigns, +[](In in) { return in.report.activity == "heavy-lifting" && has_pop(in) && painful(in); }},
    {"painful-repeated-pops", Level::kSeeClinician,
     "Painful popping repeated in the same spot within 20 minutes cannot be gas release (a joint needs about 20 "
     "minutes to cavitate again); it can be a sign of a snapping tendon or a mechanical problem.",
     kRefractory, +[](In in) { return repeated(in) && painful(in); }},
    {"painful-recurring-pops", Level::kSeeClinician,
     "Pain that returns with pops in the same spot on several days should be assessed.", kWarningSigns,
     +[](In in) { return recurring(in) && painful(in); }},
    {"severe-pain", Level::kSeeClinician,
     "Pain of 7 or more out of 10 is more than the mild soreness that is normal after a pop or an adjustment.",
     kReactions, +[](In in) { return in.report.pain >= 7; }},
    {"giving-way", Level::kSeeClinician, "A joint that gives way under load should be assessed.", kWarningSigns,
     +[](In in) { return sy(in).giving_way; }},
    {"fever", Level::kSeeClinician, "A fever with joint symptoms should be assessed.", kUrgentList,
     +[](In in) { return sy(in).fever; }},
    {"night-pain", Level::kSeeClinician, "Pain at night that does not ease with rest should be assessed.",
     kUrgentList, +[](In in) { return sy(in).night_pain; }},
    {"weight-loss", Level::kSeeClinician, "Weight loss you cannot explain should be assessed.", kUrgentList,
     +[](In in) { return sy(in).weight_loss; }},
    {"dizziness", Level::kSeeClinician, "Dizziness should be assessed.", kUrgentList,
     +[](In in) { return sy(in).dizziness && !neck_context(in); }},
    {"facial-numbness", Level::kSeeClinician,
     "Numbness in the face should be assessed; if it comes suddenly with weakness or trouble speaking, seek "
     "emergency care.",
     kUrgentList, +[](In in) { return sy(in).facial_numbness && !neck_context(in); }},
    // --- monitor ---
    {"pain-improving-48h", Level::kMonitor,
     "The pain has lasted 48 hours or more but is fading compared with the first report.", kReactions,
     +[](In in) { return painful(in) && pain_duration_s(in) >= kPainPersistentS && pain_improving(in); }},
    {"pain-over-24h", Level::kMonitor,
     "The pain has lasted more than 24 hours; 74% of mild reactions are gone by then.", kReactions,
     +[](In in) {
       const double d = pain_duration_s(in);
       return painful(in) && d >= kPainFadeS && d < kPainPersistentS;
     }},
    {"moderate-pain", Level::kMonitor, "Pain of 4 to 6 out of 10: watch whether it fades within 24 hours.",
     kReactions, +[](In in) { return in.report.pain >= 4 && in.report.pain <= 6; }},
    {"numbness-or-tingling", Level::kMonitor,
     "Numbness or tingling on its own is often brief; watch whether it spreads or comes with weakness.",
     kWarningSigns, +[](In in) { return nerve_signs(in) && !sy(in).weakness && !sy(in).spreading; }},
    {"stiffness-or-reduced-movement", Level::kMonitor,
     "Stiffness or reduced movement is common after a pop or an adjustment and usually fades within 24 hours.",
     kReactions, +[](In in) { return sy(in).stiffness || sy(in).reduced_movement; }},
    {"swelling", Level::kMonitor, "Swelling of a joint: watch whether it goes down within a day or two.",
     kWarningSigns, +[](In in) { return sy(in).swelling && !(in.report.location == "knee" && has_pop(in)); }},
    {"painful-crepitus", Level::kMonitor,
     "The linked recording is grinding (crepitus) and it hurts; crepitus that keeps coming back with pain, "
     "especially in a knee, is worth mentioning to a clinician.",
     "Lo 2018", +[](In in) { return linked_class(in, "crepitus") && painful(in); }},
    {"painful-snap", Level::kMonitor,
     "The linked recording is a snap (a tendon or ligament moving over bone) and it hurts.",
     "Ozmen 2021", +[](In in) { return linked_class(in, "snap") && painful(in); }},
    // --- self-care: reassurance, with the reason ---
    {"painless-repeated-pops", Level::kSelfCare,
     "Repeated pops in the same spot within 20 minutes are not gas release (a joint needs about 20 minutes to "
     "cavitate again) but usually a tendon or ligament sliding over bone; without pain this is common and "
     "harmless.",
     kRefractory, +[](In in) { return repeated(in) && !painful(in); }},
    {"painless-recurring-pops", Level::kSelfCare,
     "Pops in the same spot on several days are common and harmless when they do not hurt.", kWarningSigns,
     +[](In in) { return recurring(in) && !painful(in) && !repeated(in); }},
    {"painless-heavy-lifting-pop", Level::kSelfCare,
     "A pop while lifting something heavy, without pain: nothing to do now; if pain, numbness or weakness follow "
     "in the next hours, log again.",
     kWarningSigns, +[](In in) { return in.report.activity == "heavy-lifting" && has_pop(in) && !painful(in); }},
    {"painless-pop", Level::kSelfCare,
     "A painless pop is usually the harmless release of gas in a joint (cavitation); it needs no treatment.",
     kRefractory,
     +[](In in) {
       return has_pop(in) && !painful(in) && !any_symptom(in) && !repeated(in) && !recurring(in) &&
              in.report.activity != "heavy-lifting";
     }},
    {"mild-soreness", Level::kSelfCare,
     "Mild soreness is a common, normal reaction (in 55-61% of people after manipulation) and 74% of such "
     "reactions are gone within 24 hours: rest and observe.",
     kReactions,
     +[](In in) { return in.report.pain >= 1 && in.report.pain <= 3 && pain_duration_s(in) < kPainFadeS; }},
    {"linked-other-sound", Level::kSelfCare,
     "The linked recording was not classified as a joint sound (class 'other').", "popscope classifier",
     +[](In in) { return linked_class(in, "other"); }},
};

}  // namespace

const std::vector<Rule>& triage_rules() { return kRules; }

bool counts_as_pop(const std::string& c) { return c.empty() || c == "cavitation" || c == "snap"; }

double pain_duration_s(const TriageInput& in) {
  if (in.report.pain <= 0) return -1;
  double d = double(in.report.pain_since_s);
  if (in.evidence.spell_start_pain) d = std::max(d, in.evidence.spell_age_s);
  return d;
}

TriageResult triage(const TriageInput& in) {
  TriageResult r;
  int pressing = 0;
  bool combination_explained = false;
  for (const Rule& rule : kRules) {
    if (!rule.applies(in)) continue;
    r.reasons.push_back({rule.id, rule.level, rule.reason, rule.source});
    r.level = std::max(r.level, rule.level);
    // A rule that already explains a combination makes the general note redundant.
    const std::string id = rule.id;
    if (id.size() > 9 && id.compare(id.size() - 9, 9, "-combined") == 0) combination_explained = true;
    if (rule.level >= Level::kMonitor) ++pressing;
  }
  if (r.reasons.empty()) {
    r.reasons.push_back({"nothing-of-concern", Level::kSelfCare, "Nothing you reported is a warning sign.",
                         kWarningSigns});
  }
  std::stable_sort(r.reasons.begin(), r.reasons.end(),
                   [](const Reason& a, const Reason& b) { return a.level > b.level; });
  if (pressing >= 2 && !combination_explained) {
    // After the most pressing reasons, so the list stays ordered by level.
    auto after = std::find_if(r.reasons.begin(), r.reasons.end(), [&](const Reason& x) { return x.level < r.level; });
    r.reasons.insert(after, {"combined-signs", r.level,
                             "Several signs apply together (listed here); single signs say little on their own, "
                             "so the level reflects them together.",
                             "Finucane 2020 (IFOMPT framework)"});
  }
  r.advice = level_advice(r.level);
  r.disclaimer = kDisclaimer;
  return r;
}

}  // namespace popscope::log
