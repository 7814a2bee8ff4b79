// Live capture through the real PortAudio -> ALSA path, fed by ALSA's file
// plugin from a known recording (no sound card needed).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "src/io/audio_file_reader.h"
#include "src/io/audio_file_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

// Writes the same signal as a WAV and as the raw S16_LE stream ALSA reads.
void write_scene(const TempDir& tmp, int channels, double seconds, const std::vector<double>& pops,
                 int pop_channel) {
  const int rate = 48000;
  std::vector<std::vector<float>> x(static_cast<size_t>(channels), std::vector<float>(size_t(seconds * rate)));
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 0.001f);
  for (auto& ch : x)
    for (auto& v : ch) v = g(rng);
  for (double t0 : pops) {
    for (int c = 0; c < channels; ++c) {
      // The far side hears the pop 0.5 ms later and 8 dB quieter.
      const bool near = c == pop_channel;
      const size_t s0 = size_t((t0 + (near ? 0.0 : 0.0005)) * rate);
      const double amp = near ? 0.4 : 0.4 * std::pow(10.0, -8.0 / 20.0);
      for (size_t i = 0; i < size_t(0.02 * rate); ++i) {
        const double t = double(i) / rate;
        x[size_t(c)][s0 + i] += float(amp * std::exp(-t / 0.0015) * std::sin(2 * M_PI * 700 * t + 0.3));
      }
    }
  }
  write_audio_file(tmp.file("scene.wav"), rate, x, SampleEncoding::kPcm16);
  const AudioData back = read_audio_file(tmp.file("scene.wav"));
  std::ofstream raw(tmp.file("scene.raw"), std::ios::binary);
  for (size_t i = 0; i < back.frames(); ++i)
    for (int c = 0; c < channels; ++c) {
      const int16_t v = int16_t(std::lround(std::clamp(back.channels[size_t(c)][i] * 32768.0f, -32768.0f, 32767.0f)));
      raw.write(reinterpret_cast<const char*>(&v), 2);
    }
  // Long silence after the scene so capture never reads past the end.
  const std::vector<char> zeros(size_t(rate) * 2 * size_t(channels) * 20, 0);
  raw.write(zeros.data(), long(zeros.size()));
  std::ostringstream conf;
  conf << "pcm.filecap {\n type file\n slave.pcm \"null\"\n file \"/dev/null\"\n infile \"" << tmp.file("scene.raw")
       << "\"\n format \"raw\"\n}\n"
       << "pcm.!default {\n type asym\n playback.pcm \"null\"\n capture.pcm { type plug slave { pcm \"filecap\" "
          "format S16_LE rate 48000 channels "
       << channels << " } }\n}\n";
  test::write_text(tmp.file(".asoundrc"), conf.str());
}

std::vector<nlohmann::json> jsonl(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  return out;
}

bool alsa_available() { return test::run_shell("test -r /usr/share/alsa/alsa.conf").exit_code == 0; }

}  // namespace

TEST_CASE("listen reports the same events as analyze on the same recording, and records it") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  const std::vector<double> pops = {0.5, 1.0, 1.012, 2.0, 2.6};
  write_scene(tmp, 1, 3.0, pops, 0);
  const std::string env = "HOME=" + quote(tmp.path());
  auto r = run_popscope("listen --duration 3.5 --format jsonl --no-meter --record " + quote(tmp.file("rec.wav")), env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto live = jsonl(r.out);
  auto off = run_popscope("analyze --format jsonl " + quote(tmp.file("scene.wav")));
  REQUIRE(off.exit_code == 0);
  const auto offline = jsonl(off.out);
  REQUIRE(offline.size() == pops.size());
  REQUIRE(live.size() == offline.size());
  const double block_s = 256.0 / 48000.0;
  for (size_t i = 0; i < live.size(); ++i) {
    CHECK(std::fabs(live[i]["onset_s"].get<double>() - offline[i]["onset_s"].get<double>()) <= block_s);
    CHECK(live[i].contains("time"));
  }
  CHECK(r.err.find("session summary") != std::string::npos);
  CHECK(r.err.find("0 frames dropped") != std::string::npos);
  // The recording holds what was captured.
  const AudioData rec = read_audio_file(tmp.file("rec.wav"));
  CHECK(rec.sample_rate_hz == 48000);
  CHECK(double(rec.frames()) / 48000.0 >= 3.4);
}

TEST_CASE("stereo capture attributes each pop to its side") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  write_scene(tmp, 2, 2.0, {0.5, 1.3}, 1);
  auto r = run_popscope("listen --channels 2 --duration 2.2 --format jsonl --no-meter", "HOME=" + quote(tmp.path()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto live = jsonl(r.out);
  REQUIRE(live.size() == 2);
  for (const auto& e : live) CHECK(e["side"] == "right");
}

TEST_CASE("SIGINT stops listen cleanly with a valid recording and a summary") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  write_scene(tmp, 1, 3.0, {0.5, 1.0}, 0);
  const std::string cmd = "HOME=" + quote(tmp.path()) + " " + quote(test::binary_path()) +
                          " listen --no-meter --record " + quote(tmp.file("rec.flac")) + " > " +
                          quote(tmp.file("out.txt")) + " 2> " + quote(tmp.file("err.txt")) +
                          " & pid=$!; sleep 2; kill -INT $pid; wait $pid";
  const auto r = test::run_shell(cmd);
  CHECK(r.exit_code == 0);
  const std::string err = test::read_text(tmp.file("err.txt"));
  CHECK(err.find("session summary") != std::string::npos);
  const AudioData rec = read_audio_file(tmp.file("rec.flac"));
  CHECK(double(rec.frames()) / 48000.0 > 1.0);
}

TEST_CASE("a recording survives kill -9 up to about a second before the end") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  write_scene(tmp, 1, 4.0, {0.5}, 0);
  const std::string cmd = "HOME=" + quote(tmp.path()) + " " + quote(test::binary_path()) +
                          " listen --no-meter --record " + quote(tmp.file("rec.wav")) +
                          " >/dev/null 2>&1 & pid=$!; sleep 3; kill -9 $pid; wait $pid; true";
  test::run_shell(cmd);
  const AudioData rec = read_audio_file(tmp.file("rec.wav"));
  CHECK(double(rec.frames()) / 48000.0 >= 1.5);  // 3 s of capture minus start-up and the last second
}

TEST_CASE("listen and devices without a usable device exit 6 with a hint") {
  TempDir tmp;
  // An ALSA configuration whose default capture device does not exist.
  test::write_text(tmp.file(".asoundrc"), "pcm.!default { type hw card 42 }\n");
  auto r = run_popscope("listen --duration 1 --device 'no such device'", "HOME=" + quote(tmp.path()));
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("popscope devices") != std::string::npos);
}
