#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "src/io/audio_file_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

// A 3 s recording with pops at known times on low noise.
std::vector<double> write_pops(const std::string& path, int rate, int channels = 1, unsigned seed = 1) {
  const std::vector<double> times = {0.5, 0.75, 0.762, 1.6, 2.4};
  std::vector<std::vector<float>> x(static_cast<size_t>(channels), std::vector<float>(size_t(3 * rate)));
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, 0.001f);
  for (auto& ch : x)
    for (auto& v : ch) v = g(rng);
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

std::vector<nlohmann::json> parse_jsonl(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("analyze finds the pops with their onsets in every output format") {
  TempDir tmp;
  const auto times = write_pops(tmp.file("pops.wav"), 48000);
  auto r = run_popscope("analyze --format jsonl " + quote(tmp.file("pops.wav")));
  REQUIRE(r.exit_code == 0);
  const auto events = parse_jsonl(r.out);
  REQUIRE(events.size() == times.size());
  for (size_t i = 0; i < times.size(); ++i) {
    CHECK(std::fabs(events[i]["onset_s"].get<double>() - times[i]) < 0.001);
    CHECK(events[i]["channel"] == 1);
    CHECK(events[i]["file"] == tmp.file("pops.wav"));
    CHECK(events[i]["peak_dbfs"].get<double>() > -10.0);
    CHECK(events[i].contains("features"));
  }
  r = run_popscope("analyze " + quote(tmp.file("pops.wav")));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("5 events") != std::string::npos);
  r = run_popscope("analyze --format csv " + quote(tmp.file("pops.wav")));
  CHECK(r.exit_code == 0);
  CHECK(test::count_of(r.out, "\n") == times.size() + 1);
  CHECK(r.out.rfind("file,channel,onset_s,offset_s", 0) == 0);
}

TEST_CASE("analyze --output-dir writes one label file per input and the run parameters") {
  TempDir tmp;
  test::run_shell("mkdir -p " + quote(tmp.file("in")));
  write_pops(tmp.file("in/scene01.wav"), 48000);
  write_pops(tmp.file("in/scene02.flac"), 44100, 2, 2);
  auto r = run_popscope("analyze " + quote(tmp.file("in")) + " --format audacity --output-dir " +
                        quote(tmp.file("out")) + " --threshold 10");
  REQUIRE(r.exit_code == 0);
  const std::string labels = test::read_text(tmp.file("out/scene01.txt"));
  // Five label lines, each followed by its frequency-range line (backslash, tab, low, high).
  CHECK(test::count_of(labels, "\n") == 10);
  CHECK(test::count_of(labels, "\\\t") == 5);
  CHECK(labels.rfind("0.5", 0) == 0);
  CHECK(test::read_text(tmp.file("out/scene02.txt")).size() > 0);
  const auto run = nlohmann::json::parse(test::read_text(tmp.file("out/popscope-run.json")));
  CHECK(run["detector"]["threshold_db"] == 10.0);
  CHECK(run["inputs"].size() == 2);
  CHECK(run["inputs"][0]["events"] == 5);
  CHECK(run["command"].get<std::string>().find("--threshold 10") != std::string::npos);
}

TEST_CASE("analyze --output-dir: an output that cannot be written stops the run and leaves no partial file") {
  TempDir tmp;
  test::run_shell("mkdir -p " + quote(tmp.file("in")) + " " + quote(tmp.file("out/scene02.txt")));
  for (int i = 1; i <= 4; ++i) write_pops(tmp.file("in/scene0" + std::to_string(i) + ".wav"), 48000, 1, unsigned(i));
  // A folder stands where scene02's labels would go: the finished file cannot replace it.
  auto r = run_popscope("analyze " + quote(tmp.file("in")) + " --format audacity --jobs 1 --output-dir " +
                        quote(tmp.file("out")));
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("scene02.txt: cannot replace") != std::string::npos);
  // The file before it is complete; no temporary file is left, and no file after it was started.
  CHECK(test::count_of(test::read_text(tmp.file("out/scene01.txt")), "\n") == 10);
  const auto listing = test::run_shell("ls -A " + quote(tmp.file("out"))).out;
  CHECK(listing.find(".tmp-") == std::string::npos);
  CHECK(listing.find("scene04") == std::string::npos);
}

TEST_CASE("analyze: an output cut short by a full disk is an error, never a shorter file with exit 0") {
  TempDir tmp;
  test::run_shell("mkdir -p " + quote(tmp.file("in")));
  for (int i = 1; i <= 12; ++i) write_pops(tmp.file("in/f" + std::to_string(i) + ".wav"), 48000, 1, unsigned(i));
  // A file-size limit of 2 KiB stands in for a full disk: the table's rows
  // and the standard output's temporary file cannot be written whole.
  const std::string limit = "trap '' XFSZ; ulimit -f 2; ";
  for (const char* format : {"table", "csv"}) {
    CAPTURE(format);
    auto r = test::run_shell(limit + quote(test::binary_path()) + " analyze --format " + format + " " +
                             quote(tmp.file("in")) + " > " + quote(tmp.file(std::string("out.") + format)));
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("File too large") != std::string::npos);
  }
  // One input's CSV (about 500 bytes an event) does not fit either: nothing half-written is left.
  auto r = test::run_shell(limit + quote(test::binary_path()) + " analyze --format csv --output-dir " +
                           quote(tmp.file("dir")) + " " + quote(tmp.file("in/f1.wav")));
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("f1.csv: write failed (File too large)") != std::string::npos);
  CHECK(test::run_shell("ls -A " + quote(tmp.file("dir"))).out == "");
}

TEST_CASE("analyze of several files to standard output: one CSV or Raven header, a table heading per file") {
  TempDir tmp;
  for (int i = 1; i <= 3; ++i) write_pops(tmp.file("f" + std::to_string(i) + ".wav"), 48000, 1, unsigned(i));
  test::write_text(tmp.file("f0.wav"), "not audio");  // an unreadable first file prints nothing
  for (const char* format : {"csv", "raven"}) {
    CAPTURE(format);
    const auto r = run_popscope(std::string("analyze --jobs 2 --format ") + format + " " + quote(tmp.path()));
    CHECK(r.exit_code == 3);
    CHECK(test::count_of(r.out, std::string(format) == "csv" ? "file,channel," : "Selection\t") == 1);
    CHECK(test::count_of(r.out, "\n") == 16);  // the header and 15 events
    CHECK(r.out.find("f0.wav") == std::string::npos);
  }
  const auto t = run_popscope("analyze --jobs 2 " + quote(tmp.path()));
  CHECK(test::count_of(t.out, ": 5 events\n") == 3);
  CHECK(test::count_of(t.out, " onset_s ") == 3);  // each heading has its column names
  CHECK(test::count_of(t.out, "\n\n") == 2);      // a blank line between files
}

TEST_CASE("results are identical for any --jobs and --block") {
  TempDir tmp;
  for (int i = 0; i < 4; ++i) write_pops(tmp.file("f" + std::to_string(i) + ".wav"), 48000, 1, unsigned(i + 3));
  const auto a = run_popscope("analyze --format jsonl --jobs 1 --block 4096 " + quote(tmp.path()));
  const auto b = run_popscope("analyze --format jsonl --jobs 3 --block 17 " + quote(tmp.path()));
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK(test::count_of(a.out, "\n") == 20);
}

TEST_CASE("--dump-detection writes the detection function") {
  TempDir tmp;
  write_pops(tmp.file("p.wav"), 16000);
  auto r = run_popscope("analyze --dump-detection " + quote(tmp.file("dump")) + " " + quote(tmp.file("p.wav")));
  REQUIRE(r.exit_code == 0);
  const std::string csv = test::read_text(tmp.file("dump/p.detection.csv"));
  CHECK(csv.rfind("time_s,channel,activity_db,odf_db", 0) == 0);
  CHECK(test::count_of(csv, "\n") == 3001);  // 3 s at 1 ms hops, plus the header
  CHECK(test::count_of(csv, ",1,") >= 5);     // picked onsets are marked
}

TEST_CASE("analyze rejects bad flags and reports bad files while analysing the rest") {
  TempDir tmp;
  write_pops(tmp.file("good.wav"), 48000);
  test::write_text(tmp.file("bad.wav"), "not audio");
  auto r = run_popscope("analyze --threshold 500 " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--threshold 500 is out of range") != std::string::npos);
  r = run_popscope("analyze --band 2000:100 " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--band") != std::string::npos);
  r = run_popscope("analyze --band abc " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 2);
  r = run_popscope("analyze --format yaml " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 2);
  r = run_popscope("analyze --format jsonl " + quote(tmp.file("bad.wav")) + " " + quote(tmp.file("missing.wav")) +
                   " " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find(tmp.file("bad.wav") + ": not a readable audio file") != std::string::npos);
  CHECK(r.err.find(tmp.file("missing.wav") + ": no such file") != std::string::npos);
  CHECK(parse_jsonl(r.out).size() == 5);
  r = run_popscope("analyze --format audacity " + quote(tmp.file("good.wav")) + " " + quote(tmp.file("good.wav")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--output-dir") != std::string::npos);
  test::run_shell("mkdir -p " + quote(tmp.file("empty")));
  r = run_popscope("analyze " + quote(tmp.file("empty")));
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("holds no audio files") != std::string::npos);
}

TEST_CASE("the same recording at other rates and sample formats gives the same events and classes") {
  if (!test::have_program("sox")) {
    MESSAGE("sox not installed; skipped");
    return;
  }
  TempDir tmp;
  const std::string src = test::source_dir() + "/datasets/samples/knee_contact.wav";
  const std::vector<std::pair<std::string, std::string>> copies = {
      {"r44100.wav", "-r 44100 -b 16"}, {"r48000.wav", "-r 48000 -b 16"}, {"r96000.wav", "-r 96000 -b 16"},
      {"s24.flac", "-b 24"},            {"f32.wav", "-e floating-point -b 32"}};
  auto events_of = [](const std::string& out) {
    std::vector<nlohmann::json> ev;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) ev.push_back(nlohmann::json::parse(line));
    return ev;
  };
  auto ref = run_popscope("analyze --format jsonl " + quote(src));
  REQUIRE(ref.exit_code == 0);
  const auto want = events_of(ref.out);
  REQUIRE(want.size() >= 5);
  for (const auto& [name, args] : copies) {
    // -D: no dither, so each copy holds the same signal (dither adds fresh random noise).
    REQUIRE(test::run_shell("sox -D " + quote(src) + " " + args + " " + quote(tmp.file(name))).exit_code == 0);
    auto r = run_popscope("analyze --format jsonl " + quote(tmp.file(name)));
    REQUIRE(r.exit_code == 0);
    const auto got = events_of(r.out);
    INFO(name);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i]["class"] == want[i]["class"]);
      CHECK(std::fabs(got[i]["onset_s"].get<double>() - want[i]["onset_s"].get<double>()) <= 0.001);
    }
  }
}
