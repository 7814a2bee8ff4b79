#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "datasets/labels.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::run_shell;
using test::TempDir;

TEST_CASE("synth writes recordings, labels, a manifest and a README") {
  TempDir tmp;
  const std::string out = tmp.file("data");
  auto r = run_popscope("synth --out " + quote(out) + " --scenes 3 --seed 4 --profile knee --rate 16000 --length 5");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote 3 recordings (15.0 s of audio)") != std::string::npos);
  for (const char* f : {"scene001.wav", "scene002.wav", "scene003.wav", "scene001.txt", "manifest.json", "README.md"})
    CHECK(run_shell("test -s " + quote(out + "/" + f)).exit_code == 0);
  const auto m = nlohmann::json::parse(test::read_text(out + "/manifest.json"));
  CHECK(m["scenes"] == 3);
  CHECK(m["generator_version"] == "2");
  CHECK(m["command"].get<std::string>().find("--profile knee --rate 16000 --length 5") != std::string::npos);
  REQUIRE(m["recordings"].size() == 3);
  int labelled = 0;
  for (const auto& rec : m["recordings"]) {
    CHECK(rec["profile"] == "knee");
    CHECK(rec["rate_hz"] == 16000);
    const std::string wav = out + "/" + rec["file"].get<std::string>();
    auto info = run_popscope("info --format json " + quote(wav));
    REQUIRE(info.exit_code == 0);
    const auto ij = nlohmann::json::parse(info.out);
    CHECK(ij["sample_rate_hz"] == 16000);
    CHECK(ij["channels"] == rec["channels"]);
    CHECK(ij["duration_s"].get<double>() == doctest::Approx(5.0));
    const auto events = labels::read_labels(out + "/" + rec["labels"].get<std::string>());
    int total = 0;
    for (const auto& [cls, n] : rec["events"].items()) total += n.get<int>();
    CHECK(int(events.size()) == total);
    labelled += total;
  }
  CHECK(labelled > 0);
  CHECK(test::read_text(out + "/README.md").find("popscope synth --out") != std::string::npos);
}

TEST_CASE("synth: the same seed gives the same bytes, another seed different audio") {
  TempDir tmp;
  const std::string args = " && " + quote(test::binary_path()) +
                           " synth --out data --scenes 2 --seed 9 --profile mixed --length 4 --no-progress";
  REQUIRE(run_shell("mkdir -p " + quote(tmp.file("a")) + " " + quote(tmp.file("b"))).exit_code == 0);
  REQUIRE(run_shell("cd " + quote(tmp.file("a")) + args).exit_code == 0);
  REQUIRE(run_shell("cd " + quote(tmp.file("b")) + args).exit_code == 0);
  auto same = run_shell("diff -r " + quote(tmp.file("a/data")) + " " + quote(tmp.file("b/data")));
  CHECK(same.exit_code == 0);
  CHECK(same.out.empty());
  auto r = run_popscope("synth --out " + quote(tmp.file("c")) + " --scenes 2 --seed 10 --profile mixed --length 4");
  REQUIRE(r.exit_code == 0);
  CHECK(run_shell("cmp -s " + quote(tmp.file("a/data/scene001.wav")) + " " + quote(tmp.file("c/scene001.wav"))).exit_code != 0);
}

TEST_CASE("synth: FLAC audio, JSON-lines labels, bilateral contact sensor") {
  TempDir tmp;
  auto r = run_popscope("synth --out " + quote(tmp.path()) +
                        " --scenes 1 --seed 2 --profile clinic --channels 2 --sensor contact --rate 48000 --length 6"
                        " --format flac --label-format jsonl --snr-db 20:30");
  REQUIRE(r.exit_code == 0);
  auto info = run_popscope("info --format json " + quote(tmp.file("scene001.flac")));
  REQUIRE(info.exit_code == 0);
  const auto ij = nlohmann::json::parse(info.out);
  CHECK(ij["channels"] == 2);
  CHECK(ij["container"].get<std::string>().find("FLAC") != std::string::npos);
  const auto ev = labels::read_labels(tmp.file("scene001.jsonl"));
  REQUIRE(!ev.empty());
  for (const auto& e : ev) {
    if (e.label != "other") CHECK((e.channel == 1 || e.channel == 2));
  }
  const auto m = nlohmann::json::parse(test::read_text(tmp.file("manifest.json")));
  const auto& rec = m["recordings"][0];
  CHECK(rec["sensor"] == "contact");
  CHECK(rec["bilateral"] == true);
  CHECK(rec["snr_db_events"][0].get<double>() >= 20);
  CHECK(rec["snr_db_events"][1].get<double>() <= 30);
}

TEST_CASE("synth: bad flags are usage errors, an unwritable folder an output error") {
  TempDir tmp;
  const std::string out = " --out " + quote(tmp.file("d"));
  auto r = run_popscope("synth" + out + " --scenes 0");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--scenes 0") != std::string::npos);
  r = run_popscope("synth" + out + " --profile bogus");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bogus") != std::string::npos);
  r = run_popscope("synth" + out + " --snr-db 5:1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--snr-db 5:1: MIN is above MAX") != std::string::npos);
  r = run_popscope("synth" + out + " --snr-db loud");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("MIN:MAX") != std::string::npos);
  r = run_popscope("synth" + out + " --channels 3");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--channels 3") != std::string::npos);
  r = run_popscope("synth" + out + " --rate 8000");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--rate 8000") != std::string::npos);
  r = run_popscope("synth" + out + " --length 0");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--length") != std::string::npos);
  r = run_popscope("synth --scenes 1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--out") != std::string::npos);
  // A folder inside a regular file cannot be made (root ignores permissions, not this).
  test::write_text(tmp.file("plain"), "x");
  r = run_popscope("synth --out " + quote(tmp.file("plain/sub")) + " --scenes 1 --length 2");
  CHECK(r.exit_code == 4);
  CHECK(r.err.find(tmp.file("plain/sub") + ": cannot create folder") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  r = run_popscope("synth --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--snr-db") != std::string::npos);
  CHECK(r.out.find("Example:") != std::string::npos);
}
