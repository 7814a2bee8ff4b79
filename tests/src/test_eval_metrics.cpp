#include <doctest/doctest.h>

#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "datasets/labels.h"
#include "src/errors.h"
#include "src/eval/format.h"
#include "src/eval/metrics.h"
#include "tests/support/test_support.h"

using namespace popscope;
using eval::EvalOptions;
using eval::evaluate;
using labels::LabelEvent;

namespace {

LabelEvent ev(double on, double off, const std::string& label, const std::string& file = "") {
  LabelEvent e;
  e.onset_s = on;
  e.offset_s = off;
  e.label = label;
  e.file = file;
  return e;
}

EvalOptions onset_only(double collar) {
  EvalOptions o;
  o.collar_s = collar;
  return o;
}

struct ExpectedRow {
  std::string reference;
  std::string metric;
  double f, er, macro_f;
};

// Every row of the reference table computed by sed_eval 0.2.1.
std::vector<ExpectedRow> expected_rows() {
  const std::string text = test::read_text(test::test_data_dir() + "/sed_eval/EXPECTED.md");
  std::vector<ExpectedRow> rows;
  std::istringstream in(text);
  std::string line;
  const std::regex row(R"(^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows.push_back({m[1], m[2], std::stod(m[3]), std::stod(m[4]), std::stod(m[5])});
  }
  return rows;
}

std::string detected_name(const std::string& reference) {
  const std::string suffix = "_reference.txt";
  if (reference.size() > suffix.size() && reference.compare(reference.size() - suffix.size(), suffix.size(), suffix) == 0)
    return reference.substr(0, reference.size() - suffix.size()) + "_detected.txt";
  return reference.substr(0, reference.size() - 4) + "_detected.txt";
}

}  // namespace

TEST_CASE("sed_eval reference values: every row of EXPECTED.md to 1e-6") {
  const auto rows = expected_rows();
  REQUIRE(rows.size() == 16);
  const std::regex onset_only_rule(R"(event-based, onset only, collar ([0-9.]+) s)");
  const std::regex offset_rule(R"(event-based, collar ([0-9.]+) s, offsets within max\(([0-9.]+) s, ([0-9.]+) x length\))");
  const std::regex segment_rule(R"(segment-based, ([0-9.]+) s segments)");
  for (const auto& row : rows) {
    CAPTURE(row.reference);
    CAPTURE(row.metric);
    const std::string dir = test::test_data_dir() + "/sed_eval/";
    const auto ref = labels::read_labels(dir + row.reference);
    const auto est = labels::read_labels(dir + detected_name(row.reference));
    REQUIRE(!ref.empty());
    REQUIRE(!est.empty());
    EvalOptions opt;
    std::smatch m;
    bool segment = false;
    if (std::regex_match(row.metric, m, onset_only_rule)) {
      opt.collar_s = std::stod(m[1]);
    } else if (std::regex_match(row.metric, m, offset_rule)) {
      opt.collar_s = std::stod(m[1]);
      REQUIRE(std::stod(m[2]) == opt.collar_s);
      opt.evaluate_offset = true;
      opt.offset_pct = std::stod(m[3]);
    } else if (std::regex_match(row.metric, m, segment_rule)) {
      opt.segment_s = std::stod(m[1]);
      segment = true;
    } else {
      FAIL("unknown metric description: " << row.metric);
    }
    const auto r = evaluate(ref, est, opt);
    const auto& metric = segment ? r.segment : r.event;
    CHECK(std::fabs(metric.overall_scores().f1 - row.f) <= 1e-6);
    CHECK(std::fabs(metric.overall_scores().error_rate - row.er) <= 1e-6);
    CHECK(std::fabs(metric.class_wise_average().f1 - row.macro_f) <= 1e-6);
  }
}

TEST_CASE("street_fold1 is scored recording by recording") {
  const std::string dir = test::test_data_dir() + "/sed_eval/";
  const auto ref = labels::read_labels(dir + "street_fold1_reference.txt");
  const auto est = labels::read_labels(dir + "street_fold1_detected.txt");
  std::set<std::string> files;
  for (const auto& e : ref) files.insert(e.file);
  REQUIRE(files.size() > 1);
  const auto whole = evaluate(ref, est, onset_only(0.2));
  CHECK(whole.recordings == int64_t(files.size()));
  // Scoring each recording separately and accumulating gives the same counts.
  eval::EvalResult sum;
  for (const auto& f : files) {
    std::vector<LabelEvent> r, e;
    for (const auto& x : ref)
      if (x.file == f) r.push_back(x);
    for (const auto& x : est)
      if (x.file == f) e.push_back(x);
    sum.accumulate(evaluate(r, e, onset_only(0.2)));
  }
  CHECK(sum.recordings == whole.recordings);
  CHECK(sum.event.overall.ntp == whole.event.overall.ntp);
  CHECK(sum.event.overall.substitutions == whole.event.overall.substitutions);
  CHECK(sum.segment.overall.ntp == whole.segment.overall.ntp);
  CHECK(sum.segment.overall.substitutions == whole.segment.overall.substitutions);
  CHECK(sum.event.overall_scores().error_rate == doctest::Approx(whole.event.overall_scores().error_rate));
}

TEST_CASE("a perfect estimate scores F1 1 and error rate 0") {
  const std::vector<LabelEvent> ref = {ev(0.1, 0.11, "cavitation"), ev(0.5, 1.2, "crepitus"), ev(2.0, 2.3, "snap")};
  for (bool offsets : {false, true}) {
    EvalOptions o = onset_only(0.02);
    o.evaluate_offset = offsets;
    const auto r = evaluate(ref, ref, o);
    CHECK(r.event.overall.ntp == 3);
    CHECK(r.event.overall_scores().f1 == doctest::Approx(1.0));
    CHECK(r.event.overall_scores().error_rate == 0.0);
    CHECK(r.segment.overall_scores().f1 == doctest::Approx(1.0));
    CHECK(r.segment.overall_scores().error_rate == 0.0);
    CHECK(r.event.class_wise_average().f1 == doctest::Approx(1.0));
    CHECK(r.confusion.at("snap", "snap") == 1);
    CHECK(r.thrusts.mean_abs_error() == 0.0);
  }
}

TEST_CASE("onset collar: just inside matches, just outside does not") {
  const std::vector<LabelEvent> ref = {ev(1.0, 1.01, "cavitation")};
  auto inside = evaluate(ref, {ev(1.019, 1.03, "cavitation")}, onset_only(0.02));
  CHECK(inside.event.overall.ntp == 1);
  CHECK(inside.event.overall_scores().f1 == doctest::Approx(1.0));
  auto outside = evaluate(ref, {ev(1.021, 1.03, "cavitation")}, onset_only(0.02));
  CHECK(outside.event.overall.ntp == 0);
  CHECK(outside.event.overall.deletions == 1);
  CHECK(outside.event.overall.insertions == 1);
  CHECK(outside.event.overall_scores().f1 == 0.0);
  CHECK(outside.event.overall_scores().error_rate == doctest::Approx(2.0));
  CHECK(outside.confusion.at("cavitation", eval::Confusion::kMissed) == 1);
  CHECK(outside.confusion.at(eval::Confusion::kExtra, "cavitation") == 1);
  // Early estimates count the same as late ones.
  CHECK(evaluate(ref, {ev(0.981, 1.0, "cavitation")}, onset_only(0.02)).event.overall.ntp == 1);
  CHECK(evaluate(ref, {ev(0.979, 1.0, "cavitation")}, onset_only(0.02)).event.overall.ntp == 0);
}

TEST_CASE("offset rule: max(collar, pct x reference length)") {
  const std::vector<LabelEvent> ref = {ev(1.0, 3.0, "crepitus")};  // 2 s long: 50% = 1 s
  EvalOptions o = onset_only(0.2);
  o.evaluate_offset = true;
  o.offset_pct = 0.5;
  CHECK(evaluate(ref, {ev(1.0, 3.9, "crepitus")}, o).event.overall.ntp == 1);
  CHECK(evaluate(ref, {ev(1.0, 4.1, "crepitus")}, o).event.overall.ntp == 0);
  // A short event falls back to the collar.
  const std::vector<LabelEvent> shortref = {ev(1.0, 1.01, "snap")};
  CHECK(evaluate(shortref, {ev(1.0, 1.2, "snap")}, o).event.overall.ntp == 1);
  CHECK(evaluate(shortref, {ev(1.0, 1.22, "snap")}, o).event.overall.ntp == 0);
  // Without offset evaluation the offset does not matter.
  CHECK(evaluate(shortref, {ev(1.0, 9.0, "snap")}, onset_only(0.2)).event.overall.ntp == 1);
}

TEST_CASE("a wrong class at the right time is one substitution") {
  const std::vector<LabelEvent> ref = {ev(1.0, 1.01, "cavitation"), ev(2.0, 2.5, "crepitus")};
  const std::vector<LabelEvent> est = {ev(1.005, 1.01, "snap"), ev(2.0, 2.5, "crepitus")};
  const auto r = evaluate(ref, est, onset_only(0.02));
  const auto& c = r.event.overall;
  CHECK(c.ntp == 1);
  CHECK(c.substitutions == 1);
  CHECK(c.deletions == 0);
  CHECK(c.insertions == 0);
  const auto s = r.event.overall_scores();
  CHECK(s.error_rate == doctest::Approx(0.5));  // (S 1 + D 0 + I 0) / 2
  CHECK(s.precision == doctest::Approx(0.5));
  CHECK(s.recall == doctest::Approx(0.5));
  // Class-wise there is no substitution: a deletion for cavitation, an insertion for snap.
  CHECK(r.event.class_wise.at("cavitation").deletions == 1);
  CHECK(r.event.class_wise.at("snap").insertions == 1);
  CHECK(std::isnan(r.event.class_scores("snap").error_rate));  // no snap in the reference
  CHECK(r.confusion.at("cavitation", "snap") == 1);
  CHECK(r.confusion.at("crepitus", "crepitus") == 1);
  // Class-wise average over cavitation, crepitus and snap: F1 0, 1, 0.
  CHECK(r.event.class_wise_average().f1 == doctest::Approx(1.0 / 3.0));
  // Error rates average over classes with reference events only: (1 + 0) / 2.
  CHECK(r.event.class_wise_average().error_rate == doctest::Approx(0.5));
}

TEST_CASE("optimal matching finds the one-to-one pairing greedy matching misses") {
  // Estimate A is within the collar of both references, B only of the first.
  const std::vector<LabelEvent> ref = {ev(1.00, 1.01, "cavitation"), ev(1.03, 1.04, "cavitation")};
  const std::vector<LabelEvent> est = {ev(1.015, 1.02, "cavitation"), ev(0.985, 0.99, "cavitation")};
  const auto r = evaluate(ref, est, onset_only(0.02));
  CHECK(r.event.overall.ntp == 2);
  CHECK(r.event.class_wise.at("cavitation").ntp == 2);
}

TEST_CASE("segment-based counts") {
  // Reference active in segments 0-1, estimate in 1-2 (onset floor, offset ceil).
  const std::vector<LabelEvent> ref = {ev(0.2, 1.5, "crepitus")};
  const std::vector<LabelEvent> est = {ev(1.2, 2.1, "crepitus")};
  const auto r = evaluate(ref, est, EvalOptions{});
  const auto& c = r.segment.overall;
  CHECK(c.nref == 2);
  CHECK(c.nsys == 2);
  CHECK(c.ntp == 1);
  CHECK(c.deletions == 1);   // segment 0
  CHECK(c.insertions == 1);  // segment 2
  CHECK(r.segment.overall_scores().f1 == doctest::Approx(0.5));
  CHECK(r.segment.overall_scores().error_rate == doctest::Approx(1.0));
  // Another class in the same segment is a substitution.
  const auto s = evaluate({ev(0.1, 0.9, "crepitus")}, {ev(0.1, 0.9, "other")}, EvalOptions{});
  CHECK(s.segment.overall.substitutions == 1);
  CHECK(s.segment.overall_scores().error_rate == doctest::Approx(1.0));
  // Half-second segments.
  EvalOptions half;
  half.segment_s = 0.5;
  CHECK(evaluate(ref, est, half).segment.overall.nref == 3);  // 0.0-1.5 -> segments 0, 1, 2
}

TEST_CASE("per-thrust pop count error") {
  // Two reference thrusts of 3 and 2 pops; the estimate finds 2 and 2.
  const std::vector<LabelEvent> ref = {ev(1.00, 1.005, "cavitation"), ev(1.05, 1.055, "cavitation"),
                                       ev(1.12, 1.125, "cavitation"), ev(5.00, 5.005, "cavitation"),
                                       ev(5.02, 5.025, "cavitation"), ev(3.0, 3.5, "crepitus")};
  const std::vector<LabelEvent> est = {ev(1.001, 1.006, "cavitation"), ev(1.12, 1.125, "cavitation"),
                                       ev(5.00, 5.005, "cavitation"), ev(5.021, 5.025, "cavitation"),
                                       ev(9.0, 9.005, "cavitation")};
  const auto thrusts = eval::group_pops_into_thrusts({ref[0], ref[1], ref[2], ref[3], ref[4]}, 0.25);
  REQUIRE(thrusts.size() == 2);
  CHECK(thrusts[0].pops == 3);
  CHECK(thrusts[1].pops == 2);
  const auto r = evaluate(ref, est, EvalOptions{});
  CHECK(r.thrusts.reference_thrusts == 2);
  CHECK(r.thrusts.estimated_thrusts == 3);
  CHECK(r.thrusts.unpaired_estimated_thrusts == 1);
  CHECK(r.thrusts.mean_abs_error() == doctest::Approx(0.5));  // (|3-2| + |2-2|) / 2
  // A missed thrust counts all its pops.
  const auto missed = evaluate(ref, {}, EvalOptions{});
  CHECK(missed.thrusts.mean_abs_error() == doctest::Approx(2.5));
  CHECK(std::isnan(evaluate({}, est, EvalOptions{}).thrusts.mean_abs_error()));
}

TEST_CASE("recordings are grouped by file stem and results accumulate") {
  const std::vector<LabelEvent> ref = {ev(1.0, 1.01, "cavitation", "a.wav"), ev(1.0, 1.01, "cavitation", "b.wav")};
  // The estimate for b is at the same time as a's reference but in another recording.
  const std::vector<LabelEvent> est = {ev(1.0, 1.01, "cavitation", "/data/b.wav"),
                                       ev(3.0, 3.01, "cavitation", "/data/a.wav")};
  const auto r = evaluate(ref, est, onset_only(0.02));
  CHECK(r.recordings == 2);
  CHECK(r.event.overall.ntp == 1);
  // One label file without file names against an analysis of one named recording.
  const auto one = evaluate({ev(1.0, 1.01, "cavitation")}, {ev(1.0, 1.01, "cavitation", "x/knee.wav")},
                            onset_only(0.02));
  CHECK(one.recordings == 1);
  CHECK(one.event.overall.ntp == 1);
}

TEST_CASE("bad options are usage errors naming the flag") {
  EvalOptions o;
  o.collar_s = 0;
  CHECK_THROWS_WITH_AS(evaluate({}, {}, o), doctest::Contains("--collar"), UsageError);
  o = EvalOptions{};
  o.segment_s = -1;
  CHECK_THROWS_WITH_AS(evaluate({}, {}, o), doctest::Contains("--segment"), UsageError);
  o = EvalOptions{};
  o.evaluate_offset = true;
  o.offset_pct = std::nan("");
  CHECK_THROWS_WITH_AS(evaluate({}, {}, o), doctest::Contains("--offset-pct"), UsageError);
}

TEST_CASE("JSON has the documented shape and nulls for undefined values") {
  const auto r = evaluate({ev(1.0, 1.01, "cavitation")}, {ev(1.0, 1.01, "snap")}, onset_only(0.02));
  const auto j = eval::to_json(r);
  for (const char* metric : {"event", "segment"}) {
    REQUIRE(j.contains(metric));
    for (const char* key : {"precision", "recall", "f1", "error_rate"}) CHECK(j[metric]["overall"].contains(key));
    CHECK(j[metric]["class_wise"].contains("cavitation"));
    CHECK(j[metric]["class_wise"].contains("snap"));
    CHECK(j[metric]["class_wise_average"].contains("f1"));
  }
  CHECK(j["event"]["class_wise"]["snap"]["error_rate"].is_null());
  CHECK(j["event"]["overall"]["substitutions"] == 1);
  CHECK(j["confusion"]["matrix"]["cavitation"]["snap"] == 1);
  CHECK(j.contains("thrust_pop_count_mae"));
  const std::string table = eval::to_table(r);
  CHECK(table.find("onset within 0.02 s; offsets not evaluated") != std::string::npos);
  CHECK(table.find("Confusion") != std::string::npos);
}
