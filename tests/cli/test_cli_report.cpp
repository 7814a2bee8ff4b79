#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
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
std::vector<double> write_report_pops(const std::string& path, int rate) {
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
  write_audio_file(path, rate, x, SampleEncoding::kPcm16);
  return times;
}

std::vector<nlohmann::json> analyze_jsonl(const std::string& wav) {
  const auto r = run_popscope("analyze --format jsonl " + quote(wav));
  REQUIRE(r.exit_code == 0);
  std::vector<nlohmann::json> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
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
  const auto r = run_popscope("report recording " + quote(wav) + " --labels " + quote(tmp.file("knee_ref.txt")) +
                              " --out " + quote(tmp.file("knee.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("knee.html"));
  CHECK(well_formed_problem(html) == "");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);

  const auto events = analyze_jsonl(wav);
  REQUIRE(events.size() == times.size());
  CHECK(test::count_of(html, "class='event-marker'") == events.size());
  CHECK(test::count_of(html, "class='event-row'") == events.size());
  CHECK(test::count_of(html, "class='ref-marker'") == times.size() + 1);
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const std::string cls = e["class"].is_null() ? "event" : e["class"].get<std::string>();
    const std::string onset = fmt("%.4f", e["onset_s"].get<double>());
    CAPTURE(onset);
    CHECK(html.find("class='event-marker' data-class='" + cls + "' data-index='") != std::string::npos);
    CHECK(html.find("data-onset='" + onset + "'") != std::string::npos);
    // The table row of this event carries analyze's onset, offset and peak level.
    const size_t row = html.find("'><td>" + std::to_string(i + 1) + "</td><td>" +
                                 std::to_string(e["channel"].get<int>()) + "</td><td>" + onset + "</td>");
    REQUIRE(row != std::string::npos);
    const std::string tr = html.substr(row, html.find("</tr>", row) - row);
    CHECK(tr.find("<td>" + fmt("%.4f", e["offset_s"].get<double>()) + "</td>") != std::string::npos);
    CHECK(tr.find("<td>" + fmt("%.1f", e["peak_dbfs"].get<double>()) + "</td>") != std::string::npos);
  }
  CHECK(test::count_of(html, "data-class='other'") == 1);  // the reference's one "other"
  // Agreement: every pop found, one reference event (other) not detected.
  const size_t agree = html.find("<td class='t'>detection (any class)</td>");
  REQUIRE(agree != std::string::npos);
  const std::string agree_row = html.substr(agree, html.find("</tr>", agree) - agree);
  CHECK(agree_row.find("<td>1.000</td><td>" + fmt("%.3f", 5.0 / 6.0) + "</td>") != std::string::npos);

  // Self-contained: no scripts, no links, no remote resources.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("href='http") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href='data:image/png;base64,") != std::string::npos);
  CHECK(html.find("time (s)") != std::string::npos);
  CHECK(html.find("frequency (kHz)") != std::string::npos);
  CHECK(html.find("@page { size: A4") != std::string::npos);
  CHECK(html.find("--threshold") != std::string::npos);
}

TEST_CASE("report recording shows hostile file names and labels as text") {
  TempDir tmp;
  const std::string dir = tmp.file("x<script>alert(1)<");
  test::run_shell("mkdir -p " + quote(dir));
  const std::string wav = dir + "/script>\"q'.wav";  // the full path reads ...<script>alert(1)</script>"q'.wav
  write_report_pops(wav, 16000);
  test::write_text(tmp.file("ref.txt"), "0.5\t0.51\t<img onerror=alert(2)>\n");
  const auto r = run_popscope("report recording " + quote(wav) + " --labels " + quote(tmp.file("ref.txt")) +
                              " --out " + quote(tmp.file("r.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(tmp.file("r.html"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;q&#39;.wav") != std::string::npos);
  CHECK(html.find("&lt;img onerror=alert(2)&gt;") != std::string::npos);
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
