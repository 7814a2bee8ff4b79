// Live capture through the real PortAudio -> ALSA path, fed by ALSA's file
// plugin from a known recording (no sound card needed).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>
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

constexpr int kRate = 48000;
constexpr int kBlock = 256;  // listen's default --block

// Feeds a FIFO at the real-time rate, one listen block per write, then
// silence until stopped. ALSA's file plugin reads its infile after its null
// slave (which has no clock) says data is ready, so the capture device runs
// exactly as fast as this feeder writes. Writes are whole blocks (well under
// PIPE_BUF, so atomic) because PortAudio does not handle a short read from
// the plugin: with block-sized writes every read is whole. The FIFO is opened
// read-write so PortAudio's device probing (which opens and closes the
// device) never blocks or breaks the pipe.
class PacedFeeder {
 public:
  PacedFeeder(const std::string& fifo, std::vector<char> data, int bytes_per_frame)
      : data_(std::move(data)), chunk_(size_t(kBlock) * size_t(bytes_per_frame)) {
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    fd_ = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    REQUIRE(fd_ >= 0);
    thread_ = std::thread([this] { run(); });
  }
  ~PacedFeeder() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

 private:
  void run() {
    const std::vector<char> silence(chunk_, 0);
    const auto t0 = std::chrono::steady_clock::now();
    const auto period = std::chrono::nanoseconds(int64_t(1e9 * kBlock / kRate));
    size_t pos = 0;
    int64_t written = 0;
    while (!stop_) {
      const char* p = pos + chunk_ <= data_.size() ? data_.data() + pos : silence.data();
      if (::write(fd_, p, chunk_) == ssize_t(chunk_)) {  // atomic: all or nothing
        pos += chunk_;
        ++written;
        std::this_thread::sleep_until(t0 + written * period);  // late: catch up at once
      } else {
        pollfd pfd{fd_, POLLOUT, 0};  // the pipe is full (capture not started yet)
        ::poll(&pfd, 1, 20);
      }
    }
  }
  std::vector<char> data_;
  size_t chunk_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Writes the scene as a WAV (for analyze) and returns the raw S16_LE stream
// ALSA will read, plus an .asoundrc whose default capture device reads it
// from scene.fifo.
std::vector<char> write_scene(const TempDir& tmp, int channels, double seconds, const std::vector<double>& pops,
                              int pop_channel) {
  std::vector<std::vector<float>> x(static_cast<size_t>(channels), std::vector<float>(size_t(seconds * kRate)));
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 0.001f);
  for (auto& ch : x)
    for (auto& v : ch) v = g(rng);
  for (double t0 : pops) {
    for (int c = 0; c < channels; ++c) {
      // The far side hears the pop 0.5 ms later and 8 dB quieter.
      const bool near = c == pop_channel;
      const size_t s0 = size_t((t0 + (near ? 0.0 : 0.0005)) * kRate);
      const double amp = near ? 0.4 : 0.4 * std::pow(10.0, -8.0 / 20.0);
      for (size_t i = 0; i < size_t(0.02 * kRate); ++i) {
        const double t = double(i) / kRate;
        x[size_t(c)][s0 + i] += float(amp * std::exp(-t / 0.0015) * std::sin(2 * M_PI * 700 * t + 0.3));
      }
    }
  }
  write_audio_file(tmp.file("scene.wav"), kRate, x, SampleEncoding::kPcm16);
  const AudioData back = read_audio_file(tmp.file("scene.wav"));
  std::vector<char> raw;
  raw.reserve(back.frames() * 2 * size_t(channels));
  for (size_t i = 0; i < back.frames(); ++i)
    for (int c = 0; c < channels; ++c) {
      const int16_t v = int16_t(std::lround(std::clamp(back.channels[size_t(c)][i] * 32768.0f, -32768.0f, 32767.0f)));
      raw.push_back(char(v & 0xff));
      raw.push_back(char((v >> 8) & 0xff));
    }
  std::ostringstream conf;
  conf << "pcm.filecap {\n type file\n slave.pcm \"null\"\n file \"/dev/null\"\n infile \"" << tmp.file("scene.fifo")
       << "\"\n format \"raw\"\n}\n"
       << "pcm.!default {\n type asym\n playback.pcm \"null\"\n capture.pcm { type plug slave { pcm \"filecap\" "
          "format S16_LE rate 48000 channels "
       << channels << " } }\n}\n";
  test::write_text(tmp.file(".asoundrc"), conf.str());
  return raw;
}

std::vector<nlohmann::json> jsonl(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  return out;
}

bool alsa_available() { return test::run_shell("test -r /usr/share/alsa/alsa.conf").exit_code == 0; }


struct Timed {
  test::RunResult r;
  double seconds = 0;
};

Timed timed_listen(const TempDir& tmp, const std::string& args, const std::string& extra_env = "") {
  const auto t0 = std::chrono::steady_clock::now();
  Timed t;
  t.r = run_popscope("listen " + args, "HOME=" + quote(tmp.path()) + " " + extra_env);
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

const double kBlockS = double(kBlock) / kRate;
// The FIFO-fed device starts a few blocks early or late: ALSA and PortAudio
// keep or drop a variable number of blocks while the stream starts (seen
// here: -1 to +3 blocks, the same for every event of a run). Event times are
// therefore compared with the recording listen made (the same audio, on
// listen's own clock: they must agree within a block) and, against the
// source, up to this start-up offset, which must then be the same for every
// event (within 1 ms).
const double kDeviceStartS = 4 * kBlockS;

// Checks that live onsets equal the source's up to one start-up offset.
void check_same_timeline(const std::vector<double>& live, const std::vector<double>& truth) {
  REQUIRE(live.size() == truth.size());
  REQUIRE(!live.empty());
  const double start = live[0] - truth[0];
  CHECK(std::fabs(start) <= kDeviceStartS);
  for (size_t i = 0; i < live.size(); ++i) {
    INFO("event " << i << " live " << live[i] << " source " << truth[i]);
    CHECK(std::fabs(live[i] - truth[i] - start) <= 0.001);
  }
}

std::vector<double> onsets(const std::vector<nlohmann::json>& events) {
  std::vector<double> out;
  for (const auto& e : events) out.push_back(e["onset_s"].get<double>());
  return out;
}

}  // namespace

TEST_CASE("listen reports the same events as analyze on the same recording, and records it") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  const std::vector<double> pops = {0.5, 1.0, 1.012, 2.0, 2.6};
  PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 3.0, pops, 0), 2);
  const auto t = timed_listen(tmp, "--duration 3.5 --format jsonl --no-meter --record " + quote(tmp.file("rec.wav")));
  INFO(t.r.err);
  REQUIRE(t.r.exit_code == 0);
  CHECK(t.seconds >= 3.4);  // the device is clocked: 3.5 s of capture take 3.5 s
  const auto live = jsonl(t.r.out);
  // analyze on the recording listen made: the same events, classes and times.
  auto off = run_popscope("analyze --format jsonl " + quote(tmp.file("rec.wav")));
  REQUIRE(off.exit_code == 0);
  const auto offline = jsonl(off.out);
  REQUIRE(offline.size() == pops.size());
  REQUIRE(live.size() == offline.size());
  for (size_t i = 0; i < live.size(); ++i) {
    INFO("event " << i << " live " << live[i]["onset_s"] << " offline " << offline[i]["onset_s"]);
    CHECK(std::fabs(live[i]["onset_s"].get<double>() - offline[i]["onset_s"].get<double>()) <= kBlockS);
    CHECK(live[i]["class"] == offline[i]["class"]);
    CHECK(live[i]["impulse_count"] == offline[i]["impulse_count"]);
    CHECK(live[i].contains("time"));
  }
  // And analyze on the source file: the same events on the same timeline.
  const auto source = jsonl(run_popscope("analyze --format jsonl " + quote(tmp.file("scene.wav"))).out);
  check_same_timeline(onsets(live), onsets(source));
  CHECK(t.r.err.find("session summary (stopped: --duration reached)") != std::string::npos);
  CHECK(t.r.err.find("events          5") != std::string::npos);
  CHECK(t.r.err.find(" 0 frames dropped") != std::string::npos);
  CHECK(t.r.err.find("overrun at") == std::string::npos);
  const AudioData rec = read_audio_file(tmp.file("rec.wav"));
  CHECK(rec.sample_rate_hz == 48000);
  CHECK(std::fabs(double(rec.frames()) / 48000.0 - 3.5) <= 0.05);
}

TEST_CASE("stereo capture attributes each pop to its side") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  for (int side : {0, 1}) {
    TempDir tmp;
    PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 2, 2.0, {0.5, 1.3}, side), 4);
    const auto t = timed_listen(tmp, "--channels 2 --channel-names L,R --duration 2.2 --format jsonl --no-meter");
    INFO(t.r.err << t.r.out);
    REQUIRE(t.r.exit_code == 0);
    const auto live = jsonl(t.r.out);
    REQUIRE(live.size() == 2);  // one event per pop, not one per channel
    for (const auto& e : live) CHECK(e["side"] == (side == 0 ? "L" : "R"));
    check_same_timeline(onsets(live), {0.5, 1.3});
  }
}

TEST_CASE("a stalled analysis thread makes overruns that are counted, reported live and filled with silence") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  // The ring holds 2 s (rounded up to 2^17 samples: 2.73 s at 48 kHz mono);
  // a 3.5 s stall at the start loses about 0.8 s between 2.7 and 3.5 s.
  const std::vector<double> pops = {0.5, 1.5, 3.8, 4.5};
  PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 5.0, pops, 0), 2);
  const auto t = timed_listen(tmp, "--duration 5.2 --format jsonl --no-meter --record " + quote(tmp.file("rec.wav")),
                              "POPSCOPE_TEST_ANALYSIS_STALL_MS=3500");
  INFO(t.r.err);
  REQUIRE(t.r.exit_code == 0);
  const auto live_msg = t.r.err.find("popscope: overrun at");
  REQUIRE(live_msg != std::string::npos);
  CHECK(live_msg < t.r.err.find("session summary"));  // reported while running
  // The summary counts the dropped frames.
  const auto at = t.r.err.find("overruns        ");
  REQUIRE(at != std::string::npos);
  const long dropped = std::stol(t.r.err.substr(at + 16));
  CHECK(dropped > kRate / 2);
  CHECK(dropped < 2 * kRate);
  // Silence stands in for the lost frames: the pops after the gap keep their times.
  const auto live = jsonl(t.r.out);
  INFO(t.r.out);
  REQUIRE(live.size() == pops.size());
  check_same_timeline(onsets(live), pops);
  const AudioData rec = read_audio_file(tmp.file("rec.wav"));
  CHECK(std::fabs(double(rec.frames()) / kRate - 5.2) <= 0.1);
}

TEST_CASE("SIGINT and SIGTERM stop listen cleanly: exit 130, a valid recording and a summary") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  for (const std::string sig : {"INT", "TERM"}) {
    TempDir tmp;
    PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 3.0, {0.5, 1.0, 1.1}, 0), 2);
    const std::string rec = tmp.file(sig == "INT" ? "rec.flac" : "rec.wav");
    const std::string cmd = "HOME=" + quote(tmp.path()) + " " + quote(test::binary_path()) +
                            " listen --no-meter --record " + quote(rec) + " > " + quote(tmp.file("out.txt")) + " 2> " +
                            quote(tmp.file("err.txt")) + " & pid=$!; sleep 2; kill -" + sig + " $pid; wait $pid";
    const auto r = test::run_shell(cmd);
    const std::string err = test::read_text(tmp.file("err.txt"));
    INFO(sig << ": " << err);
    CHECK(r.exit_code == 130);
    CHECK(err.find("session summary (stopped: SIG" + sig + ")") != std::string::npos);
    CHECK(err.find("events          3") != std::string::npos);
    CHECK(err.find("thrusts") != std::string::npos);
    CHECK(err.find("overruns") != std::string::npos);
    CHECK(test::count_of(test::read_text(tmp.file("out.txt")), "\n") == 3);
    const AudioData a = read_audio_file(rec);
    CHECK(double(a.frames()) / kRate > 1.5);
    CHECK(double(a.frames()) / kRate < 2.5);
  }
}

TEST_CASE("a recording survives kill -9 up to about a second before the end") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  for (const std::string ext : {"wav", "flac"}) {
    TempDir tmp;
    PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 4.0, {0.5, 2.0}, 0), 2);
    const std::string rec = tmp.file("rec." + ext);
    // listen prints its first line once capture runs; kill -9 3 s after that.
    const std::string cmd = "HOME=" + quote(tmp.path()) + " " + quote(test::binary_path()) +
                            " listen --no-meter --record " + quote(rec) + " >/dev/null 2>" + quote(tmp.file("err.txt")) +
                            " & pid=$!; while ! grep -q listening " + quote(tmp.file("err.txt")) +
                            "; do sleep 0.05; done; sleep 3; kill -9 $pid; wait $pid; true";
    test::run_shell(cmd);
    INFO(ext);
    const AudioData a = read_audio_file(rec);
    CHECK(double(a.frames()) / kRate >= 2.0);  // 3 s captured, at most about a second lost
    CHECK(double(a.frames()) / kRate <= 3.3);
    // What is there is the captured audio: both pops are in it.
    const auto ev = jsonl(run_popscope("analyze --format jsonl " + quote(rec)).out);
    CHECK(ev.size() == 2);
  }
}

TEST_CASE("listen and devices without a usable device exit 6 with a hint") {
  TempDir tmp;
  // An ALSA configuration whose only capture device does not exist.
  test::write_text(tmp.file(".asoundrc"), "pcm.!default { type hw card 42 }\n");
  const std::string env = "HOME=" + quote(tmp.path());
  auto r = run_popscope("listen --duration 1 --record " + quote(tmp.file("x.wav")), env);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("no audio input device") != std::string::npos);
  CHECK(r.err.find("popscope devices") != std::string::npos);
  CHECK(r.err.find("popscope analyze") != std::string::npos);
  CHECK(test::count_of(r.err, "popscope:") == 1);
  CHECK(test::run_shell("test -e " + quote(tmp.file("x.wav"))).exit_code != 0);  // no empty file left behind
  r = run_popscope("devices", env);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("popscope analyze") != std::string::npos);
}

TEST_CASE("listen with a device that does not exist exits 6 naming it") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 1.0, {}, 0), 2);
  const std::string env = "HOME=" + quote(tmp.path());
  auto r = run_popscope("listen --duration 1 --device 'no such device'", env);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("--device 'no such device': no input device with that name") != std::string::npos);
  CHECK(r.err.find("popscope devices") != std::string::npos);
  r = run_popscope("listen --duration 1 --device 99", env);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("--device 99: no input device with that index") != std::string::npos);
  r = run_popscope("listen --duration 1 --channels 2 --rate 4000", env);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--rate") != std::string::npos);
}

TEST_CASE("devices lists inputs with index, name, host API, channels, rate and the default marked") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 1.0, {}, 0), 2);
  const auto r = run_popscope("devices", "HOME=" + quote(tmp.path()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("index") != std::string::npos);
  CHECK(r.out.find("host api") != std::string::npos);
  std::istringstream in(r.out);
  int marked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("*", 0) != 0) continue;
    ++marked;
    CHECK(line.find(" default ") != std::string::npos);
    CHECK(line.find("ALSA") != std::string::npos);
    CHECK(line.find("48000 Hz") != std::string::npos);
  }
  CHECK(marked == 1);
  CHECK(r.out.find("filecap") != std::string::npos);
}
