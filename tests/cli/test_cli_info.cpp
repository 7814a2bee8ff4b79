#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>

#include "datasets/synth_dataset.h"
#include "src/io/audio_file_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {
void write_tone(const std::string& path, int rate, int channels, size_t frames, float amp = 0.5f) {
  std::vector<std::vector<float>> ch(static_cast<size_t>(channels), std::vector<float>(frames));
  for (auto& c : ch)
    for (size_t i = 0; i < frames; ++i) c[i] = amp * float(std::sin(2 * M_PI * 1000.0 * double(i) / rate));
  write_audio_file(path, rate, ch, SampleEncoding::kPcm16);
}
}  // namespace

TEST_CASE("--help lists working commands and --version prints the version") {
  auto r = run_popscope("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("info") != std::string::npos);
  CHECK(r.out.find("Exit codes") != std::string::npos);
  r = run_popscope("info --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--format") != std::string::npos);
  r = run_popscope("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("popscope ") == 0);
  CHECK(r.out.find("(recording generator " + std::string(synth::kGeneratorVersion) + ")") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with a message") {
  auto r = run_popscope("");
  CHECK(r.exit_code == 2);
  r = run_popscope("no-such-command");
  CHECK(r.exit_code == 2);
  r = run_popscope("info --format yaml x.wav");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("yaml") != std::string::npos);
}

TEST_CASE("info reports format, rate, channels, duration and levels") {
  TempDir tmp;
  write_tone(tmp.file("tone.wav"), 48000, 2, 96000);
  auto r = run_popscope("info " + quote(tmp.file("tone.wav")));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("WAV, 16-bit PCM") != std::string::npos);
  CHECK(r.out.find("48000 Hz") != std::string::npos);
  CHECK(r.out.find("channels    2") != std::string::npos);
  CHECK(r.out.find("2.000 s (96000 frames)") != std::string::npos);
  CHECK(r.out.find("peak        -6.0 dBFS") != std::string::npos);
  CHECK(r.out.find("rms         -9.0 dBFS") != std::string::npos);
  r = run_popscope("info --format json " + quote(tmp.file("tone.wav")));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"sample_rate_hz\":48000") != std::string::npos);
}

TEST_CASE("every bad input gets one line naming the file and a non-zero exit; others still run") {
  TempDir tmp;
  write_tone(tmp.file("good.wav"), 16000, 1, 1600);
  test::write_text(tmp.file("notaudio.wav"), "hello, I am a text file pretending to be audio\n");
  test::write_text(tmp.file("empty.wav"), "");
  // A WAV whose header is cut short.
  const std::string good = test::read_text(tmp.file("good.wav"));
  test::write_text(tmp.file("truncated.wav"), good.substr(0, 30));
  // A WAV whose header is corrupt: the format chunk id destroyed.
  std::string corrupt = good;
  corrupt.replace(12, 4, "junk");
  test::write_text(tmp.file("corrupt.wav"), corrupt);
  write_tone(tmp.file("zero.wav"), 16000, 1, 0);
  write_tone(tmp.file("rate.wav"), 4000, 1, 400);
  write_tone(tmp.file("nine.wav"), 16000, 9, 100);
  {
    std::vector<std::vector<float>> nan(1, std::vector<float>(100, 0.1f));
    nan[0][50] = NAN;
    write_audio_file(tmp.file("nan.wav"), 16000, nan, SampleEncoding::kFloat32);
  }
  struct Case {
    const char* name;
    const char* problem;
  };
  const Case cases[] = {{"missing.wav", "no such file"},
                        {"", "is a directory"},
                        {"notaudio.wav", "not a readable audio file"},
                        {"empty.wav", "empty file"},
                        {"truncated.wav", "not a readable audio file"},
                        {"corrupt.wav", "not a readable audio file"},
                        {"zero.wav", "contains no audio"},
                        {"rate.wav", "sample rate 4000 Hz is outside"},
                        {"nine.wav", "9 channels"},
                        {"nan.wav", "non-finite samples"}};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string bad = std::string(c.name).empty() ? tmp.path() : tmp.file(c.name);
    auto r = run_popscope("info " + quote(bad) + " " + quote(tmp.file("good.wav")));
    CHECK(r.exit_code == 3);
    CHECK(test::count_of(r.err, "\n") == 1);
    CHECK(r.err.find(bad + ": ") != std::string::npos);
    CHECK(r.err.find(c.problem) != std::string::npos);
    CHECK(r.out.find(tmp.file("good.wav")) != std::string::npos);  // the good file was still processed
  }
}

TEST_CASE("a file without read permission is an input error") {
  TempDir tmp;
  write_tone(tmp.file("locked.wav"), 16000, 1, 1600);
  test::run_shell("chmod 0 " + quote(tmp.file("locked.wav")) + " && chmod 755 " + quote(tmp.path()));
  // root reads anything; run as an unprivileged user where that is possible.
  std::string prefix;
  if (geteuid() == 0) {
    if (!test::have_program("setpriv")) {
      MESSAGE("running as root without setpriv; skipped");
      return;
    }
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups";
  }
  auto r = run_popscope("info " + quote(tmp.file("locked.wav")), prefix);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("cannot be read") != std::string::npos);
}
