#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "src/errors.h"
#include "tests/support/test_support.h"

using namespace popscope;
using namespace popscope::labels;
using test::TempDir;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

LabelEvent ev(double on, double off, const std::string& label, const std::string& file = "", int channel = 0,
              double lo = kNaN, double hi = kNaN, double conf = kNaN) {
  LabelEvent e;
  e.onset_s = on;
  e.offset_s = off;
  e.label = label;
  e.file = file;
  e.channel = channel;
  e.low_hz = lo;
  e.high_hz = hi;
  e.confidence = conf;
  return e;
}

// Times that do not have a short decimal form, to catch any rounding.
std::vector<LabelEvent> rich_events() {
  return {ev(0.1 + 0.2, 0.30000000000000004 + 1e-3, "cavitation", "scene 001.wav", 1, 120.5, 2999.25, 0.875),
          ev(1.0 / 3.0, 2.0 / 3.0, "crepitus", "scene,002.wav", 2, kNaN, kNaN, 0.1),
          ev(5.0, 5.0, "snap", "b\"q.wav", 1, 45.0, 260.0, kNaN),
          ev(1234.56789012345, 1234.9, "other", "scene 001.wav", 2)};
}

// The fields Audacity label tracks can hold: times, label text, frequency box.
std::vector<LabelEvent> audacity_events() {
  return {ev(0.1 + 0.2, 0.5, "cavitation"), ev(1.0 / 3.0, 2.0 / 3.0, "crepitus grinding", "", 0, 50.0, 450.0),
          ev(5.0, 5.0, "snap"), ev(7.25, 8.0, "")};
}

void check_same(const std::vector<LabelEvent>& a, const std::vector<LabelEvent>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a[i].onset_s == b[i].onset_s);
    CHECK(a[i].offset_s == b[i].offset_s);
    CHECK(a[i].label == b[i].label);
    CHECK(a[i].file == b[i].file);
    CHECK(a[i].channel == b[i].channel);
    CHECK(a[i] == b[i]);
  }
}

std::string error_of(const std::string& text, LabelFormat f, const std::string& source = "lab.txt") {
  try {
    parse_labels(text, f, source);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("labels: every format round-trips exactly through a file") {
  TempDir tmp;
  for (LabelFormat f : {LabelFormat::kRaven, LabelFormat::kCsv, LabelFormat::kJsonl, LabelFormat::kAudacity}) {
    CAPTURE(label_format_name(f));
    const auto events = f == LabelFormat::kAudacity ? audacity_events() : rich_events();
    const std::string path = tmp.file("labels" + label_extension(f));
    test::write_text(path, format_labels(events, f));
    check_same(read_labels(path), events);  // format detected from the content
    check_same(read_labels(path, f), events);
  }
}

TEST_CASE("labels: NaN fields stay NaN and an empty list round-trips") {
  for (LabelFormat f : {LabelFormat::kRaven, LabelFormat::kCsv, LabelFormat::kJsonl}) {
    CAPTURE(label_format_name(f));
    const auto back = parse_labels(format_labels({ev(1, 2, "other", "", 1)}, f), f, "x");
    REQUIRE(back.size() == 1);
    CHECK(std::isnan(back[0].low_hz));
    CHECK(std::isnan(back[0].high_hz));
    CHECK(std::isnan(back[0].confidence));
    CHECK(parse_labels(format_labels({}, f), f, "x").empty());
  }
}

TEST_CASE("labels: Raven has no 'unknown channel', so channel 0 is written as channel 1") {
  const auto back = parse_labels(format_labels({ev(1, 2, "snap")}, LabelFormat::kRaven), LabelFormat::kRaven, "x");
  REQUIRE(back.size() == 1);
  CHECK(back[0].channel == 1);
}

TEST_CASE("labels: CRLF, UTF-8 BOM, blank and comment lines are tolerated") {
  const std::string bom = "\xEF\xBB\xBF";
  const std::vector<LabelEvent> want = {ev(0.5, 0.75, "cavitation"), ev(1.5, 2.0, "snap")};
  auto same_times = [&](const std::vector<LabelEvent>& got) {
    REQUIRE(got.size() == 2);
    CHECK(got[0].onset_s == 0.5);
    CHECK(got[0].offset_s == 0.75);
    CHECK(got[0].label == "cavitation");
    CHECK(got[1].onset_s == 1.5);
    CHECK(got[1].label == "snap");
  };
  same_times(parse_labels(bom + "# made by hand\r\n\r\n0.5\t0.75\tcavitation\r\n  \r\n1.5\t2\tsnap\r\n",
                          LabelFormat::kAudacity, "a.txt"));
  same_times(parse_labels(bom + "# c\r\nonset_s,offset_s,label\r\n\r\n0.5,0.75,cavitation\r\n1.5,2,snap\r\n",
                          LabelFormat::kCsv, "a.csv"));
  same_times(parse_labels(bom + "{\"onset_s\":0.5,\"offset_s\":0.75,\"label\":\"cavitation\"}\r\n\r\n# x\r\n"
                                "{\"onset_s\":1.5,\"offset_s\":2,\"label\":\"snap\"}\r\n",
                          LabelFormat::kJsonl, "a.jsonl"));
  same_times(parse_labels(bom +
                              "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq "
                              "(Hz)\tClass\r\n\r\n1\tSpectrogram 1\t1\t0.5\t0.75\t0\t1000\tcavitation\r\n"
                              "2\tSpectrogram 1\t1\t1.5\t2\t0\t1000\tsnap\r\n",
                          LabelFormat::kRaven, "a.selections.txt"));
  // Format detection sees through the BOM and comments too.
  CHECK(detect_label_format("x.txt", bom + "# c\nonset_s,offset_s,label\n") == LabelFormat::kCsv);
  CHECK(detect_label_format("x.txt", bom + "Selection\tView\tChannel\tBegin Time (s)\n") == LabelFormat::kRaven);
  CHECK(detect_label_format("x.txt", "\n{\"onset_s\":1}") == LabelFormat::kJsonl);
  CHECK(detect_label_format("x.txt", "0.1\t0.2\tpop\n") == LabelFormat::kAudacity);
}

TEST_CASE("labels: Audacity frequency lines, point labels and sed_eval's 3/4/5-column lists") {
  auto a = parse_labels("0.1\t0.2\tcavitation\n\\\t100\t3000\n0.5\t0.5\tpoint\n", LabelFormat::kAudacity, "a");
  REQUIRE(a.size() == 2);
  CHECK(a[0].low_hz == 100.0);
  CHECK(a[0].high_hz == 3000.0);
  CHECK(a[1].onset_s == a[1].offset_s);
  CHECK(std::isnan(a[1].low_hz));

  auto s = parse_labels("0.1 0.2 knee snap\n", LabelFormat::kAudacity, "a");
  REQUIRE(s.size() == 1);
  CHECK(s[0].label == "knee snap");  // space-separated list keeps its spaces

  auto f4 = parse_labels("rec1.wav\t0.1\t0.2\tcavitation\n", LabelFormat::kAudacity, "a");
  REQUIRE(f4.size() == 1);
  CHECK(f4[0].file == "rec1.wav");
  CHECK(f4[0].onset_s == 0.1);
  CHECK(f4[0].label == "cavitation");

  auto f5 = parse_labels("rec1.wav\tclinic\t0.1\t0.2\tsnap\n", LabelFormat::kAudacity, "a");
  REQUIRE(f5.size() == 1);
  CHECK(f5[0].file == "rec1.wav");
  CHECK(f5[0].offset_s == 0.2);
  CHECK(f5[0].label == "snap");
}

TEST_CASE("labels: Raven's two view rows per selection give one event") {
  const std::string t =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation\n"
      "1\tWaveform 1\t1\t0.5\t0.6\t\t\tcavitation\n"
      "1\tSpectrogram 1\t1\t0.5\t0.6\t100\t3000\tcavitation\n"
      "2\tWaveform 1\t2\t1.0\t1.2\t\t\tsnap\n"
      "2\tSpectrogram 1\t2\t1.0\t1.2\t45\t260\tsnap\n";
  const auto e = parse_labels(t, LabelFormat::kRaven, "r.txt");
  REQUIRE(e.size() == 2);
  CHECK(e[0].label == "cavitation");
  CHECK(e[1].channel == 2);
  CHECK(e[1].onset_s == 1.0);
  CHECK(e[1].label == "snap");
}

TEST_CASE("labels: Raven with Begin File and File Offset gives file-relative times") {
  // Raven's Begin Time runs over the concatenated files; File Offset is within Begin File.
  const std::string t =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tBegin File\t"
      "File Offset (s)\tClass\tConfidence\n"
      "1\tSpectrogram 1\t1\t2.5\t2.6\t0\t1000\ta.wav\t2.5\tcavitation\t0.9\n"
      "2\tSpectrogram 1\t1\t31.25\t31.75\t0\t1000\tb.wav\t1.25\tcrepitus\t\n";
  const auto e = parse_labels(t, LabelFormat::kRaven, "r.txt");
  REQUIRE(e.size() == 2);
  CHECK(e[0].file == "a.wav");
  CHECK(e[0].confidence == 0.9);
  CHECK(e[1].file == "b.wav");
  CHECK(e[1].onset_s == 1.25);
  CHECK(e[1].offset_s == doctest::Approx(1.75).epsilon(1e-12));
  CHECK(e[1].label == "crepitus");
  CHECK(std::isnan(e[1].confidence));
}

TEST_CASE("labels: malformed files give InputError naming file and line") {
  const std::string raven_head =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\n";
  struct Case {
    std::string text;
    LabelFormat format;
    std::string where;
    std::string what;
  };
  const std::vector<Case> cases = {
      {"0.1\t0.2\tpop\n0.3x\t0.4\tpop\n", LabelFormat::kAudacity, "lab.txt:2:", "0.3x"},
      {"# c\n\n0.5\t0.4\tpop\n", LabelFormat::kAudacity, "lab.txt:3:", "before onset"},
      {"0.5\n", LabelFormat::kAudacity, "lab.txt:1:", "column"},
      {"\\\t1\t2\n", LabelFormat::kAudacity, "lab.txt:1:", "frequency line"},
      {"onset_s,offset_s,label\n0.1,0.2,pop\n0.1,abc,pop\n", LabelFormat::kCsv, "lab.txt:3:", "abc"},
      {"onset_s,offset_s,label\n0.1,0.2\n", LabelFormat::kCsv, "lab.txt:2:", "fields"},
      {"onset_s,offset_s,label\n0.3,0.2,pop\n", LabelFormat::kCsv, "lab.txt:2:", "before onset"},
      {"label,offset_s\n", LabelFormat::kCsv, "lab.txt:1:", "onset_s"},
      // Found by fuzzing: a repeated column made rows index past their fields.
      {"label,onset_s,offset_s,label\npop,0.1,0.2\n", LabelFormat::kCsv, "lab.txt:1:", "column 'label' twice"},
      {"{\"onset_s\":0.1,\"offset_s\":0.2}\n{\"onset_s\":0.1,\n", LabelFormat::kJsonl, "lab.txt:2:", "JSON"},
      {"{\"onset_s\":0.1}\n", LabelFormat::kJsonl, "lab.txt:1:", "offset_s"},
      {"{\"onset_s\":\"x\",\"offset_s\":1}\n", LabelFormat::kJsonl, "lab.txt:1:", "not a number"},
      {"[1,2]\n", LabelFormat::kJsonl, "lab.txt:1:", "object"},
      {raven_head + "1\tSpectrogram 1\t1\t0.1\n", LabelFormat::kRaven, "lab.txt:2:", "End Time"},
      {raven_head + "1\tSpectrogram 1\t1\t0.1\t0.2\t\t\n2\tSpectrogram 1\t1\tx\t0.2\t\t\n", LabelFormat::kRaven,
       "lab.txt:3:", "Begin Time"},
      {raven_head + "1\tSpectrogram 1\t1\t0.5\t0.2\t\t\n", LabelFormat::kRaven, "lab.txt:2:", "before onset"},
      {"Selection\tView\n", LabelFormat::kRaven, "lab.txt:1:", "Begin Time"},
      {"-0.5\t0.2\tpop\n", LabelFormat::kAudacity, "lab.txt:1:", "negative"},
      // Found by fuzzing: a channel number too large for an int.
      {raven_head + "1\tSpectrogram 1\t6666666666666661\t0.1\t0.2\t\t\n", LabelFormat::kRaven, "lab.txt:2:",
       "not a channel number"},
      {"onset_s,offset_s,channel\n0.1,0.2,1e12\n", LabelFormat::kCsv, "lab.txt:2:", "not a channel number"},
      {"{\"onset_s\":0.1,\"offset_s\":0.2,\"channel\":1e12}\n", LabelFormat::kJsonl, "lab.txt:1:",
       "not a channel number"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const std::string msg = error_of(c.text, c.format);
    CHECK(msg.rfind(c.where, 0) == 0);
    CHECK(msg.find(c.what) != std::string::npos);
  }
}

TEST_CASE("labels: missing files and folders give a clear InputError") {
  TempDir tmp;
  CHECK_THROWS_WITH_AS(read_labels(tmp.path()), (tmp.path() + ": is a folder, not a label file").c_str(), InputError);
  try {
    read_labels(tmp.file("missing.txt"));
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find(tmp.file("missing.txt") + ": cannot open") == 0);
  }
  CHECK_THROWS_AS(parse_label_format("yaml"), UsageError);
  for (const char* n : {"audacity", "raven", "csv", "jsonl"}) CHECK(label_format_name(parse_label_format(n)) == n);
}

TEST_CASE("labels: a CSV row whose file starts with '#' is written so it is not read back as a comment") {
  // A comment line is skipped on reading; a file or label of "# ..." must be
  // quoted by the writer, or the row would vanish on the way back.
  for (const std::string file : {"#take 2.wav", "# session", "#"}) {
    CAPTURE(file);
    const std::vector<LabelEvent> events = {ev(0.25, 0.5, "cavitation", file), ev(1, 1.5, "snap", file)};
    const auto back = parse_labels(format_labels(events, LabelFormat::kCsv), LabelFormat::kCsv, "x");
    check_same(back, events);
  }
  // Read from JSON lines (where '#' in a value is plain text) and written as CSV.
  const auto from_json = parse_labels("{\"file\":\"#a\",\"onset_s\":0,\"offset_s\":1}\n", LabelFormat::kJsonl, "x");
  REQUIRE(from_json.size() == 1);
  CHECK(parse_labels(format_labels(from_json, LabelFormat::kCsv), LabelFormat::kCsv, "y").size() == 1);
}
