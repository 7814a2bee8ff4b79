#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "src/io/audio_file_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

// Pops at known times on low noise.
// Two channels: the same pops, half as loud on the second channel.
std::vector<double> write_report_pops(const std::string& path, int rate, int channels = 1) {
  const std::vector<double> times = {0.5, 0.75, 0.762, 1.6, 2.4};
  std::vector<std::vector<float>> x(1, std::vector<float>(size_t(3 * rate)));
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.f, 0.001f);
  for (auto& v : x[0]) v = g(rng);
  for (double t0 : times) {
    const size_t s0 = size_t(t0 * rate);
    for (size_t i = 0; i < size_t(0.02 * rate); ++i) {
      const double t = double(i) / rate;
      x[0][s0 + i] += float(0.4 * std::exp(-t / 0.0015) * std::sin(2 * M_PI * 700 * t + 0.3));
    }
  }
  if (channels == 2) {
    x.push_back(x[0]);
    for (auto& v : x[1]) v *= 0.5f;
  }
  write_audio_file(path, rate, x, SampleEncoding::kPcm16);
  return times;
}

std::vector<nlohmann::json> analyze_jsonl(const std::string& wav, const std::string& model = "none") {
  const auto r = run_popscope("analyze --format jsonl --model " + quote(model) + " " + quote(wav));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<nlohmann::json> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

// The report shows levels to 0.1 dB, analyze's JSON rounds them to 0.01 dB:
// the same level when the two roundings of one value can give them.
bool same_level(const std::string& cell, const nlohmann::json& value) {
  return std::abs(std::stod(cell) - value.get<double>()) <= 0.05 + 0.005 + 1e-9;
}

std::string class_of(const nlohmann::json& e) { return e["class"].is_null() ? "event" : e["class"].get<std::string>(); }

std::string attribute(const std::string& tag, const std::string& name) {
  const size_t at = tag.find(" " + name + "='");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 3;
  return tag.substr(from, tag.find('\'', from) - from);
}

// The opening tags of the elements whose class attribute starts with prefix.
std::vector<std::string> tags_with_class(const std::string& html, const std::string& element,
                                         const std::string& prefix) {
  std::vector<std::string> out;
  const std::string needle = "<" + element + " class='" + prefix;
  for (size_t pos = 0; (pos = html.find(needle, pos)) != std::string::npos; ++pos)
    out.push_back(html.substr(pos, html.find('>', pos) - pos + 1));
  return out;
}

// The body rows of the table with this id, as the text of their cells (tags
// inside cells removed).
std::vector<std::vector<std::string>> table_rows(const std::string& html, const std::string& id) {
  std::vector<std::vector<std::string>> rows;
  const size_t start = html.find("<table id='" + id + "'");
  if (start == std::string::npos) return rows;
  const size_t end = html.find("</table>", start);
  for (size_t tr = html.find("<tr", start); tr < end; tr = html.find("<tr", tr + 1)) {
    const size_t tr_end = html.find("</tr>", tr);
    std::vector<std::string> cells;
    for (size_t td = html.find("<td", tr); td < tr_end; td = html.find("<td", td + 1)) {
      const size_t from = html.find('>', td) + 1;
      std::string cell = html.substr(from, html.find("</td>", from) - from), text;
      bool in_tag = false;
      for (char c : cell) {
        if (c == '<') in_tag = true;
        else if (c == '>') in_tag = false;
        else if (!in_tag) text += c;
      }
      cells.push_back(text);
    }
    if (!cells.empty()) rows.push_back(cells);
  }
  return rows;
}

// Checks that every element is closed in order (void elements excepted) and
// returns an empty string, or the first problem.
std::string well_formed_problem(const std::string& html) {
  static const std::set<std::string> void_elements = {"meta", "br", "img", "hr", "link", "input"};
  std::vector<std::string> stack;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    const size_t end = html.find('>', pos);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(pos);
    const std::string tag = html.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty() || tag[0] == '!') continue;
    if (tag.find('<') != std::string::npos) return "'<' inside a tag: " + tag.substr(0, 60);
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? std::string("nothing") : stack.back()) + ">";
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (tag.back() == '/' || void_elements.count(name)) continue;
    stack.push_back(name);
  }
  if (!stack.empty()) return "<" + stack.back() + "> is never closed";
  return "";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

TEST_CASE("report recording: one marker per event with its class, table numbers as analyze, reference lane") {
  TempDir tmp;
  const std::string wav = tmp.file("knee.wav");
  const auto times = write_report_pops(wav, 48000);
  std::string ref;
  for (double t : times) ref += fmt("%.3f", t) + "\t" + fmt("%.3f", t + 0.01) + "\tcavitation\n";
  test::write_text(tmp.file("knee_ref.txt"), ref + "2.9\t2.95\tother\n");
  const auto r = run_popscope("report recording " + quote(wav) + " --model none --labels " +
                              quote(tmp.file("knee_ref.txt")) + " --out " + quote(tmp.file("knee.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("knee.html"));
  CHECK(well_formed_problem(html) == "");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);

  const auto events = analyze_jsonl(wav);
  REQUIRE(events.size() == times.size());
  const auto markers = tags_with_class(html, "rect", "event-marker ");
  REQUIRE(markers.size() == events.size());
  const auto rows = table_rows(html, "events");
  REQUIRE(rows.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    CAPTURE(i);
    CHECK(attribute(markers[i], "data-class") == "event");
    // Mono: # onset offset channel class confidence peak rms thrust repeat thumbnail
    REQUIRE(rows[i].size() == 11);
    CHECK(rows[i][0] == std::to_string(i + 1));
    CHECK(rows[i][1] == fmt("%.4f", e["onset_s"].get<double>()));
    CHECK(rows[i][2] == fmt("%.4f", e["offset_s"].get<double>()));
    CHECK(rows[i][3] == std::to_string(e["channel"].get<int>()));
    CHECK(rows[i][4] == "event");
    CHECK(rows[i][5] == "-");
    CHECK(same_level(rows[i][6], e["peak_dbfs"]));
    CHECK(same_level(rows[i][7], e["rms_dbfs"]));
    CHECK(rows[i][8] == "-");
  }
  const auto ref_markers = tags_with_class(html, "rect", "ref-marker ");
  REQUIRE(ref_markers.size() == times.size() + 1);
  CHECK(attribute(ref_markers.back(), "data-class") == "other");
  // Agreement: every pop found, one reference event (other) not detected; no
  // per-class rows without a model.
  const auto agree = table_rows(html, "agreement");
  REQUIRE(agree.size() == 1);
  CHECK(agree[0] == std::vector<std::string>{"detection (any class)", "6", "5", "5", "1.000", fmt("%.3f", 5.0 / 6.0),
                                             fmt("%.3f", 2 * (5.0 / 6.0) / (1 + 5.0 / 6.0))});
  // One thumbnail per event, each a PNG.
  const auto thumbs = tags_with_class(html, "img", "thumb");
  CHECK(thumbs.size() == events.size());
  for (const auto& t : thumbs) CHECK(attribute(t, "src").rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);

  // Self-contained: no scripts, no links, no remote resources.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("href='http") == std::string::npos);
  CHECK(test::count_of(html, "src='") == test::count_of(html, "src='data:image/png;base64,"));
  CHECK(html.find("href='data:image/png;base64,") != std::string::npos);
  CHECK(html.find("time (s)") != std::string::npos);
  CHECK(html.find("frequency (kHz)") != std::string::npos);
  CHECK(html.find("@page { size: A4") != std::string::npos);
  CHECK(html.find("--threshold") != std::string::npos);
}

// A classifier trained here on generated recordings, and a generated
// bilateral clinic recording with thrusts and refractory repeats.
struct TrainedSetup {
  TempDir tmp;
  std::string model, wav, ref;
  TrainedSetup() {
    const auto s = run_popscope("synth --out " + quote(tmp.file("train")) +
                                " --scenes 6 --profile mixed --seed 3 --length 20 --no-progress");
    REQUIRE(s.exit_code == 0);
    model = tmp.file("m.json");
    const auto t = run_popscope("train " + quote(tmp.file("train")) + " --out " + quote(model) + " --seed 1");
    INFO(t.err);
    REQUIRE(t.exit_code == 0);
    const auto c = run_popscope("synth --out " + quote(tmp.file("clinic")) +
                                " --scenes 1 --profile clinic --channels 2 --seed 11 --length 20 --no-progress");
    REQUIRE(c.exit_code == 0);
    wav = tmp.file("clinic/scene001.wav");
    ref = tmp.file("clinic/scene001.txt");
  }
};

nlohmann::json eval_json(const std::string& ref, const std::string& est) {
  const auto r = run_popscope("eval --ref " + quote(ref) + " --est " + quote(est) + " --format json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

TEST_CASE("report recording with a model: classes, sides, thrusts and repeats as analyze, agreement as eval") {
  TrainedSetup setup;
  const TempDir& tmp = setup.tmp;
  const auto r = run_popscope("report recording " + quote(setup.wav) + " --model " + quote(setup.model) +
                              " --labels " + quote(setup.ref) + " --out " + quote(tmp.file("r.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("r.html"));
  CHECK(well_formed_problem(html) == "");

  const auto events = analyze_jsonl(setup.wav, setup.model);
  std::map<std::string, int> per_class;
  std::map<int, int> per_thrust;
  int repeats = 0;
  std::set<std::string> sides;
  for (const auto& e : events) {
    ++per_class[class_of(e)];
    if (!e["thrust"].is_null()) ++per_thrust[e["thrust"].get<int>()];
    repeats += e["refractory_repeat"].get<bool>();
    sides.insert(e["side"].get<std::string>());
  }
  // The recording exercises what the report has to show.
  REQUIRE(per_class["cavitation"] > 5);
  REQUIRE(per_class.size() >= 2);
  REQUIRE(per_thrust.size() >= 2);
  REQUIRE(repeats > 0);
  REQUIRE(sides.count("left") + sides.count("right") == 2);

  const auto markers = tags_with_class(html, "rect", "event-marker ");
  const auto rows = table_rows(html, "events");
  REQUIRE(markers.size() == events.size());
  REQUIRE(rows.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    CAPTURE(i);
    CHECK(attribute(markers[i], "data-class") == class_of(e));
    CHECK(attribute(markers[i], "data-side") == e["side"].get<std::string>());
    CHECK((markers[i].find(" rep'") != std::string::npos) == e["refractory_repeat"].get<bool>());
    // Bilateral: # onset offset channel side class confidence peak rms thrust repeat thumbnail
    REQUIRE(rows[i].size() == 12);
    CHECK(rows[i][1] == fmt("%.4f", e["onset_s"].get<double>()));
    CHECK(rows[i][2] == fmt("%.4f", e["offset_s"].get<double>()));
    CHECK(rows[i][3] == std::to_string(e["channel"].get<int>()));
    CHECK(rows[i][4] == e["side"].get<std::string>());
    CHECK(rows[i][5] == class_of(e));
    CHECK(rows[i][6] == fmt("%.2f", e["confidence"].get<double>()));
    CHECK(same_level(rows[i][7], e["peak_dbfs"]));
    CHECK(same_level(rows[i][8], e["rms_dbfs"]));
    CHECK(rows[i][9] == (e["thrust"].is_null() ? std::string("-") : std::to_string(e["thrust"].get<int>())));
    CHECK(rows[i][10] == (e["refractory_repeat"].get<bool>() ? "yes" : ""));
  }
  // Pops per thrust, and one bracket per thrust.
  const auto thrust_rows = table_rows(html, "thrusts");
  REQUIRE(thrust_rows.size() == per_thrust.size());
  for (const auto& row : thrust_rows) {
    REQUIRE(row.size() == 6);
    CHECK(row[3] == std::to_string(per_thrust[std::stoi(row[0])]));
  }
  CHECK(tags_with_class(html, "path", "thrust").size() == per_thrust.size());
  // The summary line is analyze's.
  const auto table = run_popscope("analyze --model " + quote(setup.model) + " " + quote(setup.wav));
  REQUIRE(table.exit_code == 0);
  std::string summary;
  std::istringstream lines(table.out);
  for (std::string l; std::getline(lines, l);)
    if (!l.empty()) summary = l;
  while (!summary.empty() && summary.front() == ' ') summary.erase(summary.begin());
  CHECK(html.find("<p class='sub' id='summary'>" + summary + "</p>") != std::string::npos);

  // Agreement: detection of any class and each class, as popscope eval computes them.
  std::string est;
  for (const auto& e : events) est += e.dump() + "\n";
  test::write_text(tmp.file("est.jsonl"), est);
  const auto by_class = eval_json(setup.ref, tmp.file("est.jsonl"))["event"];
  std::string ref_any, est_any;
  std::istringstream ref_lines(test::read_text(setup.ref));
  for (std::string l; std::getline(ref_lines, l);) {
    std::istringstream f(l);
    std::string on, off;
    f >> on >> off;
    if (!on.empty()) ref_any += on + "\t" + off + "\tevent\n";
  }
  for (const auto& e : events)
    est_any += fmt("%.6f", e["onset_s"].get<double>()) + "\t" + fmt("%.6f", e["offset_s"].get<double>()) + "\tevent\n";
  test::write_text(tmp.file("ref_any.txt"), ref_any);
  test::write_text(tmp.file("est_any.txt"), est_any);
  const auto any = eval_json(tmp.file("ref_any.txt"), tmp.file("est_any.txt"))["event"]["overall"];
  auto expect_row = [](const nlohmann::json& c, const std::string& label) {
    return std::vector<std::string>{label,
                                    std::to_string(c["nref"].get<int>()),
                                    std::to_string(c["nsys"].get<int>()),
                                    std::to_string(c["ntp"].get<int>()),
                                    fmt("%.3f", c["precision"].get<double>()),
                                    fmt("%.3f", c["recall"].get<double>()),
                                    fmt("%.3f", c["f1"].get<double>())};
  };
  const auto agree = table_rows(html, "agreement");
  REQUIRE(agree.size() == 2 + by_class["class_wise"].size());
  CHECK(agree[0] == expect_row(any, "detection (any class)"));
  CHECK(agree[1] == expect_row(by_class["overall"], "class agrees (all classes)"));
  size_t i = 2;
  for (const auto& [label, counts] : by_class["class_wise"].items()) CHECK(agree[i++] == expect_row(counts, label));

  CHECK(html.find("m.json (") != std::string::npos);  // the classifier in the run parameters

  const auto bad = run_popscope("report recording " + quote(setup.wav) + " --model " + quote(setup.model) +
                                " --class-threshold cavitation --out " + quote(tmp.file("bad.html")));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--class-threshold") != std::string::npos);
}

TEST_CASE("report recording caps the event thumbnails and spreads them over the recording") {
  TempDir tmp;
  const std::string wav = tmp.file("k.wav");
  write_report_pops(wav, 16000);
  const auto r = run_popscope("report recording " + quote(wav) + " --model none --thumbnails 3 --out " +
                              quote(tmp.file("k.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("k.html"));
  const auto rows = table_rows(html, "events");
  REQUIRE(rows.size() == 5);
  std::vector<std::string> with_thumb;
  const size_t table = html.find("<table id='events'");
  for (size_t tr = html.find("<tr class='k", table); tr != std::string::npos; tr = html.find("<tr class='k", tr + 1)) {
    const std::string row = html.substr(tr, html.find("</tr>", tr) - tr);
    if (row.find("<img class='thumb'") != std::string::npos) with_thumb.push_back(row.substr(row.find("<td>") + 4, 1));
  }
  CHECK(with_thumb == std::vector<std::string>{"1", "3", "5"});  // first, middle, last
  CHECK(html.find("thumbnails are shown for 3 of the 5 events") != std::string::npos);
}

TEST_CASE("report recording shows hostile file names and labels as text") {
  TempDir tmp;
  const std::string dir = tmp.file("x<script>alert(1)<");
  test::run_shell("mkdir -p " + quote(dir));
  const std::string wav = dir + "/script>\"q'.wav";  // the full path reads ...<script>alert(1)</script>"q'.wav
  write_report_pops(wav, 16000, 2);
  test::write_text(tmp.file("ref.txt"), "0.5\t0.51\t<img onerror=alert(2)>\n0.75\t0.76\tit's \"a\" </td>\n");
  const auto r = run_popscope("report recording " + quote(wav) + " --model none --labels " + quote(tmp.file("ref.txt")) +
                              " --channel-names " + quote("<b>L</b>,R'\"") + " --out " + quote(tmp.file("r.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("r.html"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK(test::count_of(html, "<img") == test::count_of(html, "<img class='thumb' alt='spectrogram of event "));
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;q&#39;.wav") != std::string::npos);
  CHECK(html.find("&lt;img onerror=alert(2)&gt;") != std::string::npos);
  CHECK(html.find("it&#39;s &quot;a&quot; &lt;/td&gt;") != std::string::npos);
  // The channel names are sides: lane labels, table cells and attributes, all as text.
  CHECK(html.find("data-side='&lt;b&gt;L&lt;/b&gt;'") != std::string::npos);
  CHECK(html.find("<td>&lt;b&gt;L&lt;/b&gt;</td>") != std::string::npos);
  CHECK(well_formed_problem(html) == "");
}

TEST_CASE("report recording rejects bad input") {
  TempDir tmp;
  auto r = run_popscope("report recording " + quote(tmp.file("missing.wav")) + " --out " + quote(tmp.file("o.html")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("missing.wav") != std::string::npos);
  write_report_pops(tmp.file("a.wav"), 16000);
  test::write_text(tmp.file("bad.txt"), "0.5\tsoon\tcavitation\n");
  r = run_popscope("report recording " + quote(tmp.file("a.wav")) + " --labels " + quote(tmp.file("bad.txt")) +
                   " --out " + quote(tmp.file("o.html")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("bad.txt:1") != std::string::npos);
  r = run_popscope("report recording " + quote(tmp.file("a.wav")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--out") != std::string::npos);
  r = run_popscope("report recording " + quote(tmp.file("a.wav")) + " --out " + quote(tmp.file("no/such/dir/o.html")));
  CHECK(r.exit_code == 4);
  r = run_popscope("report");
  CHECK(r.exit_code == 2);
  // Classifier options, as analyze reports them.
  const std::string a = quote(tmp.file("a.wav")) + " --out " + quote(tmp.file("o.html"));
  r = run_popscope("report recording " + a + " --model " + quote(tmp.file("no-model.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("no-model.json") != std::string::npos);
  test::write_text(tmp.file("broken.json"), "{\"format\": 7}");
  r = run_popscope("report recording " + a + " --model " + quote(tmp.file("broken.json")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("broken.json") != std::string::npos);
  r = run_popscope("report recording " + a + " --min-confidence 2");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--min-confidence") != std::string::npos);
  r = run_popscope("report recording " + a + " --thumbnails -1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--thumbnails") != std::string::npos);
  r = run_popscope("report recording " + a + " --channel-names left,right");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--channel-names") != std::string::npos);
  // Not audio.
  test::write_text(tmp.file("notes.wav"), "these are notes, not sound\n");
  r = run_popscope("report recording " + quote(tmp.file("notes.wav")) + " --out " + quote(tmp.file("o.html")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("notes.wav") != std::string::npos);
  CHECK(!std::filesystem::exists(tmp.file("o.html")));
}

TEST_CASE("report recording renders in a real browser: not blank, the spectrogram has content") {
  if (!test::have_program("chromium")) {
    MESSAGE("skipped: chromium is not installed (apt-get install chromium)");
    return;
  }
  if (!test::have_program("python3")) {
    MESSAGE("skipped: python3 is needed to read the screenshot");
    return;
  }
  TempDir tmp;
  write_report_pops(tmp.file("k.wav"), 48000);
  REQUIRE(run_popscope("report recording " + quote(tmp.file("k.wav")) + " --out " + quote(tmp.file("k.html"))).exit_code == 0);
  const auto shot = test::run_shell(
      "chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
      "--disable-sync --no-first-run --user-data-dir=" + quote(tmp.file("profile")) + " --screenshot=" +
      quote(tmp.file("k.png")) + " --window-size=1280,1200 " + quote("file://" + tmp.file("k.html")));
  INFO(shot.err);
  // Counts pixel kinds in the PNG with Python's zlib (no image library needed).
  const std::string script = R"PY(
import sys, struct, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w, h, ctype = 8, b'', 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos+8]); body = data[pos+8:pos+8+n]; pos += 12 + n
    if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT': idat += body
bpp = 4 if ctype == 6 else 3
raw = zlib.decompress(idat); stride = w * bpp; prev = bytearray(stride); rows = []; i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
nonwhite = spec_bg = spec_hot = 0
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x+1], line[x+2]
        if r < 240 or g < 240 or b < 240: nonwhite += 1
        if b > r + 30 and b > 60 and r < 110: spec_bg += 1
        if g > 150 and r > 60 and b < 130: spec_hot += 1
print(w, h, nonwhite, spec_bg, spec_hot)
)PY";
  test::write_text(tmp.file("count.py"), script);
  const auto counted = test::run_shell("python3 " + quote(tmp.file("count.py")) + " " + quote(tmp.file("k.png")));
  INFO(counted.err);
  REQUIRE(counted.exit_code == 0);
  std::istringstream in(counted.out);
  long w = 0, h = 0, nonwhite = 0, spec_bg = 0, spec_hot = 0;
  in >> w >> h >> nonwhite >> spec_bg >> spec_hot;
  CAPTURE(counted.out);
  CHECK(w == 1280);
  CHECK(nonwhite > w * h / 20);  // not blank
  CHECK(spec_bg > 100000);       // the spectrogram's background fills its area
  CHECK(spec_hot > 50);          // and the pops show as bright columns
}
