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
#include <optional>
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
//
// The clock only runs while the device reads: the pipe is shrunk to one page
// (a few blocks), and while it is full (listen still starting, which takes
// seconds under a sanitizer) the schedule moves with the wall clock. So the
// audio the device has taken is the time it has been capturing plus at most
// one pipe of start-up backlog, however slowly listen started.
class PacedFeeder {
 public:
  PacedFeeder(const std::string& fifo, std::vector<char> data, int bytes_per_frame)
      : data_(std::move(data)), chunk_(size_t(kBlock) * size_t(bytes_per_frame)) {
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    fd_ = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    REQUIRE(fd_ >= 0);
    const int pipe_bytes = ::fcntl(fd_, F_SETPIPE_SZ, 4096);  // rounded up to a page
    REQUIRE(pipe_bytes >= int(chunk_));
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
    const auto period = std::chrono::nanoseconds(int64_t(1e9 * kBlock / kRate));
    auto t0 = std::chrono::steady_clock::now();
    size_t pos = 0;
    int64_t written = 0;
    while (!stop_) {
      const char* p = pos + chunk_ <= data_.size() ? data_.data() + pos : silence.data();
      if (::write(fd_, p, chunk_) == ssize_t(chunk_)) {  // atomic: all or nothing
        pos += chunk_;
        ++written;
        std::this_thread::sleep_until(t0 + written * period);  // a little late: catch up
      } else {
        pollfd pfd{fd_, POLLOUT, 0};  // the pipe is full: capture not started yet
        ::poll(&pfd, 1, 20);
        t0 = std::chrono::steady_clock::now() - written * period;  // no backlog of schedule
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

// The JSON lines of an output: events, or with announcements=true listen's
// early pop announcements and withdrawals.
std::vector<nlohmann::json> jsonl(const std::string& text, bool announcements = false) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    auto j = nlohmann::json::parse(line);
    if (j.contains("announcement") == announcements) out.push_back(std::move(j));
  }
  return out;
}

std::vector<nlohmann::json> jsonl_all(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  return out;
}

bool alsa_available() { return test::run_shell("test -r /usr/share/alsa/alsa.conf").exit_code == 0; }


const double kBlockS = double(kBlock) / kRate;

// Where the recording sits on the source's timeline: the offset d (frames)
// with rec[i] == source[i - d] for every stretch of the recording that is not
// digital silence (an overrun gap), checked on channel 1 every 50 ms. The
// FIFO-fed device starts a few blocks early or late (ALSA and PortAudio keep
// or drop a variable number of blocks while the stream starts), and on a
// heavily loaded machine it can lose or repeat a block mid-stream: returns
// nullopt then, because such a run says nothing about listen.
std::optional<int64_t> device_offset(const AudioData& rec, const AudioData& source) {
  const auto& r = rec.channels.at(0);
  const auto& x = source.channels.at(0);
  const size_t w = 64;
  // Overrun gaps and the feeder's trailing silence are runs of exact zeros;
  // the 16-bit noise of the scene never has 8 zeros in a row.
  auto has_gap = [&](size_t i) {
    size_t run = 0;
    for (size_t k = i; k < i + w; ++k)
      if ((run = r[k] == 0.0f ? run + 1 : 0) >= 8) return true;
    return false;
  };
  auto matches = [&](size_t i, int64_t d) {
    const int64_t j = int64_t(i) - d;
    return std::equal(r.begin() + long(i), r.begin() + long(i + w), x.begin() + j);
  };
  const int64_t search = int64_t(0.2 * kRate);
  std::optional<int64_t> d;
  for (size_t i = size_t(search); i + w + size_t(search) <= std::min(r.size(), x.size()); i += size_t(0.05 * kRate)) {
    if (has_gap(i)) continue;
    if (!d) {
      for (int64_t c = -search; c <= search && !d; ++c)
        if (matches(i, c)) d = c;
      if (!d) return std::nullopt;
    } else if (!matches(i, *d)) {
      return std::nullopt;
    }
  }
  return d;
}

struct Capture {
  test::RunResult r;
  double seconds = 0;
  std::vector<nlohmann::json> live;
  double start_s = 0;  // the device's start-up offset
};

// Runs listen (recording to rec.wav) while the scene is fed at the real-time
// rate. A run where the device itself lost audio (seen in the recording:
// the paced FIFO device drops a block when its feeder thread is starved) is
// repeated, up to three runs; the checks on a clean run are unchanged.
Capture listen_to_scene(const TempDir& tmp, const std::vector<char>& raw, int bytes_per_frame, const std::string& args,
                        const std::string& extra_env = "") {
  Capture c;
  const AudioData source = read_audio_file(tmp.file("scene.wav"));
  for (int attempt = 0; attempt < 3; ++attempt) {
    {
      PacedFeeder feed(tmp.file("scene.fifo"), raw, bytes_per_frame);
      const auto t0 = std::chrono::steady_clock::now();
      c.r = run_popscope("listen " + args + " --record " + quote(tmp.file("rec.wav")),
                         "HOME=" + quote(tmp.path()) + " " + extra_env);
      c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    c.live = jsonl(c.r.out);
    if (c.r.exit_code != 0) return c;
    const auto d = device_offset(read_audio_file(tmp.file("rec.wav")), source);
    if (d) {
      c.start_s = double(*d) / kRate;
      return c;
    }
    MESSAGE("the test capture device lost or repeated audio (the recording shows it); capturing again");
  }
  FAIL("the test capture device lost or repeated audio in three runs: is the machine overloaded?");
  return c;
}

}  // namespace

TEST_CASE("listen reports the same events as analyze on the same recording, and records it") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  const std::vector<double> pops = {0.5, 1.0, 1.012, 2.0, 2.6};
  const auto raw = write_scene(tmp, 1, 3.0, pops, 0);
  const auto c = listen_to_scene(tmp, raw, 2, "--duration 3.5 --format jsonl --no-meter");
  INFO(c.r.err);
  REQUIRE(c.r.exit_code == 0);
  CHECK(c.seconds >= 3.4);  // the device is clocked: 3.5 s of capture take 3.5 s
  CHECK(std::fabs(c.start_s) <= 4 * kBlockS);
  // analyze on the recording listen made: the same events, classes and times.
  auto off = run_popscope("analyze --format jsonl " + quote(tmp.file("rec.wav")));
  REQUIRE(off.exit_code == 0);
  const auto offline = jsonl(off.out);
  REQUIRE(offline.size() == pops.size());
  REQUIRE(c.live.size() == offline.size());
  // And analyze on the source: the same onsets, moved by the device's start-up offset.
  const auto source = jsonl(run_popscope("analyze --format jsonl " + quote(tmp.file("scene.wav"))).out);
  REQUIRE(source.size() == pops.size());
  for (size_t i = 0; i < c.live.size(); ++i) {
    const double live = c.live[i]["onset_s"].get<double>();
    INFO("event " << i << " live " << live << " recording " << offline[i]["onset_s"] << " source "
                  << source[i]["onset_s"] << " device start " << c.start_s);
    CHECK(std::fabs(live - offline[i]["onset_s"].get<double>()) <= kBlockS);
    CHECK(std::fabs(live - c.start_s - source[i]["onset_s"].get<double>()) <= kBlockS);
    CHECK(c.live[i]["class"] == offline[i]["class"]);
    CHECK(c.live[i]["impulse_count"] == offline[i]["impulse_count"]);
    CHECK(c.live[i].contains("time"));
  }
  // Early announcements: each pop is announced before its event, at the
  // same onset, and the event settles it.
  const auto early = jsonl(c.r.out, true);
  CHECK(early.size() == pops.size());
  std::vector<std::pair<bool, double>> order;  // (announcement?, onset) in output order
  for (const auto& j : jsonl_all(c.r.out)) order.push_back({j.contains("announcement"), j["onset_s"].get<double>()});
  for (const auto& a : early) {
    INFO(a.dump());
    CHECK(a["announcement"] == "early_pop");
    CHECK(a["class"] == "cavitation");
    const double t = a["onset_s"].get<double>();
    const auto e = std::find_if(c.live.begin(), c.live.end(), [&](const nlohmann::json& ev) {
      return std::fabs(ev["onset_s"].get<double>() - t) < 0.001;
    });
    REQUIRE(e != c.live.end());
    CHECK((*e)["early_announcements"] == 1);
    CHECK((*e)["early_onset_s"].get<double>() == t);
    const auto ai = std::find(order.begin(), order.end(), std::make_pair(true, t));
    const auto ei = std::find(order.begin(), order.end(), std::make_pair(false, (*e)["onset_s"].get<double>()));
    CHECK(ai < ei);  // announced before the event came out
  }
  CHECK(c.r.err.find("session summary (stopped: --duration reached)") != std::string::npos);
  CHECK(c.r.err.find("early pops      5 announced: 5 confirmed, 0 revised, 0 withdrawn") != std::string::npos);
  CHECK(c.r.err.find("events          5") != std::string::npos);
  CHECK(c.r.err.find(" 0 frames dropped") != std::string::npos);
  CHECK(c.r.err.find("overrun at") == std::string::npos);
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
    const std::vector<double> pops = {0.5, 1.3};
    const auto raw = write_scene(tmp, 2, 2.0, pops, side);
    const auto c = listen_to_scene(tmp, raw, 4, "--channels 2 --channel-names L,R --duration 2.2 --format jsonl --no-meter");
    INFO(c.r.err << c.r.out);
    REQUIRE(c.r.exit_code == 0);
    REQUIRE(c.live.size() == 2);  // one event per pop, not one per channel
    for (size_t i = 0; i < pops.size(); ++i) {
      CHECK(c.live[i]["side"] == (side == 0 ? "L" : "R"));
      CHECK(std::fabs(c.live[i]["onset_s"].get<double>() - c.start_s - pops[i]) <= kBlockS);
    }
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
  const auto raw = write_scene(tmp, 1, 5.0, pops, 0);
  const auto c = listen_to_scene(tmp, raw, 2, "--duration 5.2 --format jsonl --no-meter",
                                 "POPSCOPE_TEST_ANALYSIS_STALL_MS=3500");
  INFO(c.r.err << c.r.out);
  REQUIRE(c.r.exit_code == 0);
  const auto live_msg = c.r.err.find("popscope: overrun at");
  REQUIRE(live_msg != std::string::npos);
  CHECK(live_msg < c.r.err.find("session summary"));  // reported while running
  // The summary counts the dropped frames.
  const auto at = c.r.err.find("overruns        ");
  REQUIRE(at != std::string::npos);
  const long dropped = std::stol(c.r.err.substr(at + 16));
  CHECK(dropped > kRate / 2);
  CHECK(dropped < 2 * kRate);
  // The recording has silence where frames were lost, and otherwise the
  // source on one timeline (listen_to_scene checked that); the pops after the
  // gap keep their times, and the jump back from silence is not an event.
  REQUIRE(c.live.size() == pops.size());
  for (size_t i = 0; i < pops.size(); ++i)
    CHECK(std::fabs(c.live[i]["onset_s"].get<double>() - c.start_s - pops[i]) <= kBlockS);
  const AudioData rec = read_audio_file(tmp.file("rec.wav"));
  CHECK(std::fabs(double(rec.frames()) / kRate - 5.2) <= 0.1);
  size_t longest = 0;  // the silence standing in for the lost frames
  for (size_t i = 0, run = 0; i < rec.frames(); ++i) longest = std::max(longest, run = rec.channels[0][i] == 0.0f ? run + 1 : 0);
  CHECK(std::fabs(double(longest) - double(dropped)) <= 16);
}

TEST_CASE("SIGINT and SIGTERM stop listen cleanly: exit 130, a valid recording and a summary") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  // The signal goes out 2 s after listen says it is listening, which is
  // when its handler is in place: a background job of a non-interactive
  // shell starts with SIGINT ignored, so a signal sent earlier (a slow start
  // under a sanitizer) would be lost and listen would never stop.
  for (const std::string sig : {"INT", "TERM"}) {
    TempDir tmp;
    PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 3.0, {0.5, 1.0, 1.1}, 0), 2);
    const std::string rec = tmp.file(sig == "INT" ? "rec.flac" : "rec.wav");
    const std::string cmd = "HOME=" + quote(tmp.path()) + " " + quote(test::binary_path()) +
                            " listen --no-meter --record " + quote(rec) + " > " + quote(tmp.file("out.txt")) + " 2> " +
                            quote(tmp.file("err.txt")) + " & pid=$!; while ! grep -q listening " +
                            quote(tmp.file("err.txt")) + "; do sleep 0.05; done; sleep 2; kill -" + sig +
                            " $pid; wait $pid";
    const auto r = test::run_shell(cmd);
    const std::string err = test::read_text(tmp.file("err.txt"));
    INFO(sig << ": " << err);
    CHECK(r.exit_code == 130);
    CHECK(err.find("session summary (stopped: SIG" + sig + ")") != std::string::npos);
    CHECK(err.find("events          3") != std::string::npos);
    CHECK(err.find("thrusts") != std::string::npos);
    CHECK(err.find("overruns") != std::string::npos);
    CHECK(test::count_of(test::read_text(tmp.file("out.txt")), " dBFS ") == 3);
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

TEST_CASE("listen --db stores the session and every event in the severity log while capturing") {
  if (!alsa_available()) {
    MESSAGE("ALSA configuration not installed; skipped");
    return;
  }
  TempDir tmp;
  PacedFeeder feed(tmp.file("scene.fifo"), write_scene(tmp, 1, 3.0, {0.5, 1.0, 1.1}, 0), 2);
  const std::string db = tmp.file("log.db");
  auto r = run_popscope("listen --no-meter --duration 2 --format jsonl --db " + quote(db) +
                            " --location neck --note 'first visit'",
                        "HOME=" + quote(tmp.path()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("severity log    3 events in session 1") != std::string::npos);
  auto ex = run_popscope("export --format json --db " + quote(db));
  REQUIRE(ex.exit_code == 0);
  const auto j = nlohmann::json::parse(ex.out);
  CHECK(j["events"].size() == 3);
  REQUIRE(j["sessions"].size() == 1);
  CHECK(j["sessions"][0]["source"] == "listen");
  CHECK(j["sessions"][0]["location"] == "neck");
  CHECK(j["sessions"][0]["note"] == "first visit");
  // Bad log values are refused before anything is captured.
  r = run_popscope("listen --duration 1 --db " + quote(db) + " --location elbowz", "HOME=" + quote(tmp.path()));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("elbowz") != std::string::npos);
  r = run_popscope("listen --duration 1 --location neck", "HOME=" + quote(tmp.path()));
  CHECK(r.exit_code == 2);
}
