#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "datasets/labels.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

std::string sed_dir() { return test::test_data_dir() + "/sed_eval/"; }

nlohmann::json eval_json(const std::string& args) {
  const auto r = run_popscope("eval " + args + " --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

labels::LabelEvent ev(double on, double off, const std::string& label) {
  labels::LabelEvent e;
  e.onset_s = on;
  e.offset_s = off;
  e.label = label;
  return e;
}

}  // namespace

TEST_CASE("eval --format json reproduces every value of the sed_eval reference table") {
  const std::string text = test::read_text(sed_dir() + "EXPECTED.md");
  const std::regex row(
      R"(^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*(-?[0-9][0-9.]*)\s*\|\s*$)");
  const std::regex onset_only(R"(event-based, onset only, collar ([0-9.]+) s)");
  const std::regex with_offset(R"(event-based, collar ([0-9.]+) s, offsets within max\(([0-9.]+) s, ([0-9.]+) x length\))");
  const std::regex segment(R"(segment-based, ([0-9.]+) s segments)");
  std::istringstream in(text);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    ++rows;
    const std::string ref = m[1], metric = m[2];
    const double f = std::stod(m[3]), er = std::stod(m[4]), macro_f = std::stod(m[5]);
    CAPTURE(ref);
    CAPTURE(metric);
    const std::string base = ref.find("_reference.txt") != std::string::npos
                                 ? ref.substr(0, ref.size() - std::string("_reference.txt").size())
                                 : ref.substr(0, ref.size() - 4);
    const std::string files = "--ref " + quote(sed_dir() + ref) + " --est " + quote(sed_dir() + base + "_detected.txt");
    std::smatch p;
    nlohmann::json j;
    std::string key = "event";
    if (std::regex_match(metric, p, onset_only)) {
      j = eval_json(files + " --collar " + std::string(p[1]));
    } else if (std::regex_match(metric, p, with_offset)) {
      j = eval_json(files + " --collar " + std::string(p[1]) + " --offset-pct " + std::string(p[3]));
    } else if (std::regex_match(metric, p, segment)) {
      j = eval_json(files + " --segment " + std::string(p[1]));
      key = "segment";
    } else {
      FAIL("unknown metric: " << metric);
    }
    CHECK(std::fabs(j[key]["overall"]["f1"].get<double>() - f) <= 1e-6);
    CHECK(std::fabs(j[key]["overall"]["error_rate"].get<double>() - er) <= 1e-6);
    CHECK(std::fabs(j[key]["class_wise_average"]["f1"].get<double>() - macro_f) <= 1e-6);
  }
  CHECK(rows == 16);
}

TEST_CASE("eval table names the rule, every class and the confusion matrix") {
  const std::string files =
      "--ref " + quote(sed_dir() + "joints_b_reference.txt") + " --est " + quote(sed_dir() + "joints_b_detected.txt");
  auto r = run_popscope("eval " + files);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("onset within 0.02 s; offsets not evaluated") != std::string::npos);
  for (const char* s : {"Event-based metrics", "Segment-based metrics (1 s segments)", "cavitation", "crepitus", "snap",
                        "other", "class-wise average", "Confusion", "(missed)", "(extra)", "Per-thrust pop count"})
    CHECK_MESSAGE(r.out.find(s) != std::string::npos, s);
  r = run_popscope("eval " + files + " --collar 0.2 --offset-pct 0.2");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("onset within 0.2 s; offset within max(0.2 s, 0.2 x reference length)") != std::string::npos);
  // The table's overall F1 is the JSON's, rounded.
  const auto j = eval_json(files);
  char f1[16];
  std::snprintf(f1, sizeof f1, "%.3f", j["event"]["overall"]["f1"].get<double>());
  r = run_popscope("eval " + files);
  const auto overall = r.out.substr(r.out.find("  overall"), 80);
  CHECK(overall.find(f1) != std::string::npos);
}

TEST_CASE("eval reads every label format and gives the same scores") {
  TempDir dir;
  const auto ref = labels::read_labels(sed_dir() + "joints_a_reference.txt");
  const auto est = labels::read_labels(sed_dir() + "joints_a_detected.txt");
  const auto base = eval_json("--ref " + quote(sed_dir() + "joints_a_reference.txt") + " --est " +
                              quote(sed_dir() + "joints_a_detected.txt"));
  for (auto fmt : {labels::LabelFormat::kRaven, labels::LabelFormat::kCsv, labels::LabelFormat::kJsonl}) {
    const std::string r = dir.file("ref" + labels::label_extension(fmt));
    const std::string e = dir.file("est" + labels::label_extension(fmt));
    test::write_text(r, labels::format_labels(ref, fmt));
    test::write_text(e, labels::format_labels(est, fmt));
    CAPTURE(labels::label_format_name(fmt));
    const auto j = eval_json("--ref " + quote(r) + " --est " + quote(e));
    CHECK(j["event"] == base["event"]);
    CHECK(j["segment"] == base["segment"]);
  }
}

TEST_CASE("eval pairs folders of label files by name") {
  TempDir dir;
  const std::string refs = dir.file("ref"), ests = dir.file("est");
  test::run_shell("mkdir -p " + quote(refs) + " " + quote(ests));
  // knee: perfect; hip: one pop missed; wrist: no estimate file at all; extra: no reference.
  test::write_text(refs + "/knee.txt", "1.0\t1.01\tcavitation\n2.0\t2.5\tcrepitus\n");
  test::write_text(ests + "/knee.csv",
                   labels::format_labels({ev(1.001, 1.01, "cavitation"), ev(2.0, 2.5, "crepitus")},
                                         labels::LabelFormat::kCsv));
  test::write_text(refs + "/hip.txt", "0.5\t0.505\tcavitation\n0.6\t0.605\tcavitation\n");
  test::write_text(ests + "/hip.selections.txt",
                   labels::format_labels({ev(0.5, 0.505, "cavitation")}, labels::LabelFormat::kRaven));
  test::write_text(refs + "/wrist.txt", "3.0\t3.01\tsnap\n");
  test::write_text(ests + "/extra.txt", "3.0\t3.01\tsnap\n");
  const auto r = run_popscope("eval --ref " + quote(refs) + " --est " + quote(ests) + " --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("wrist.txt has no estimate") != std::string::npos);
  CHECK(r.err.find("extra.txt has no reference") != std::string::npos);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["recordings"] == 3);
  CHECK(j["event"]["overall"]["nref"] == 5);
  CHECK(j["event"]["overall"]["nsys"] == 3);
  CHECK(j["event"]["overall"]["ntp"] == 3);
  CHECK(j["event"]["overall"]["deletions"] == 2);
  CHECK(j["event"]["overall"]["insertions"] == 0);
  CHECK(j["confusion"]["matrix"]["snap"]["(missed)"] == 1);
  // Thrusts: knee 1 pop found, hip 2 pops with 1 found -> (0 + 1) / 2.
  CHECK(j["thrust_pop_count_mae"].get<double>() == doctest::Approx(0.5));
}

TEST_CASE("eval rejects bad input with one clear line and a documented exit code") {
  TempDir dir;
  const std::string good = quote(sed_dir() + "joints_a_reference.txt");
  test::write_text(dir.file("bad.txt"), "1.0\t1.1\tcavitation\n2.0\tlater\tsnap\n");
  struct Case {
    std::string args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--ref " + quote(dir.file("missing.txt")) + " --est " + good, 3, "missing.txt"},
      {"--ref " + good + " --est " + quote(dir.file("bad.txt")), 3, "bad.txt:2"},
      {"--ref " + good + " --est " + good + " --collar 0", 2, "--collar"},
      {"--ref " + good + " --est " + good + " --collar -0.1", 2, "--collar"},
      {"--ref " + good + " --est " + good + " --segment 0", 2, "--segment"},
      {"--ref " + good + " --est " + good + " --offset-pct -1", 2, "--offset-pct"},
      {"--ref " + good + " --est " + quote(dir.path()), 2, "both be label files or both be folders"},
      {"--ref " + good, 2, "--est"},
      {"--ref " + good + " --est " + good + " --format xml", 2, "--format"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    const auto r = run_popscope("eval " + c.args);
    CHECK(r.exit_code == c.code);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.empty());
  }
  // An empty reference folder.
  test::run_shell("mkdir -p " + quote(dir.file("empty")) + " " + quote(dir.file("empty2")));
  const auto r = run_popscope("eval --ref " + quote(dir.file("empty")) + " --est " + quote(dir.file("empty2")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("no label files") != std::string::npos);
}

TEST_CASE("eval --help explains the options") {
  const auto r = run_popscope("eval --help");
  CHECK(r.exit_code == 0);
  for (const char* s : {"--ref", "--est", "--collar", "--offset-pct", "--segment", "--format", "Examples"})
    CHECK_MESSAGE(r.out.find(s) != std::string::npos, s);
}
