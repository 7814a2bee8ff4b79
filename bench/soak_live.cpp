// Soak test of the live pipeline: an hour (by default) of generated joint-sound
// audio streamed through the pieces `popscope listen` uses (the SPSC ring fed
// in 256-frame blocks like the audio callback, the Engine on an analysis
// thread), checking that
//   - no block is dropped (overruns: the ring was full when a block arrived),
//   - the events are exactly those of the same audio analysed offline by one
//     Engine in one go (no event lost, moved or invented),
//   - memory does not grow (VmRSS from /proc/self/status, sampled once per
//     generated minute: the mean of the last 10 samples may exceed the mean of
//     minutes 10-19 by at most 2 MiB).
// The producer is clocked: blocks arrive at --speed times real time, as from a
// sound card; a generator thread makes the recordings ahead of it. The ring
// gives the analysis thread the same wall-clock slack as listen's 2 s ring at
// real time, so it holds --ring-seconds x --speed seconds of audio: the
// analysis must keep up with --speed times real time on average and may fall
// behind by no more than --ring-seconds of wall-clock time.
//
// Usage: soak_live [--minutes 60] [--speed 50] [--rate 48000] [--channels 2]
//                  [--ring-seconds 2]
// Exit code 0 when every check passes, 1 otherwise.
#include <malloc.h>

#include <algorithm>
#include <numeric>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "datasets/synth_scene.h"
#include "src/engine/engine.h"
#include "src/live/spsc_ring.h"

using namespace popscope;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kSceneSeconds = 60;  // one generated recording per minute of audio
constexpr size_t kBlockFrames = 256;  // what the capture callback delivers

// Resident memory after handing freed heap back to the system, so that the
// generator's recordings coming and going do not hide (or fake) a trend.
long rss_kib() {
  malloc_trim(0);
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

synth::SceneSpec scene_spec(int rate, int channels) {
  synth::SceneSpec s;
  s.profile = synth::Profile::kMixed;
  s.rate_hz = rate;
  s.channels = channels;
  s.length_s = kSceneSeconds;
  return s;
}

uint64_t scene_seed(int i) { return 1000 + uint64_t(i); }

struct Key {
  int channel;
  int64_t onset, offset, peak;
  bool operator<(const Key& o) const {
    return std::tie(onset, channel, offset, peak) < std::tie(o.onset, o.channel, o.offset, o.peak);
  }
  bool operator==(const Key& o) const {
    return channel == o.channel && onset == o.onset && offset == o.offset && peak == o.peak;
  }
};

std::vector<Key> keys(const std::vector<Event>& events) {
  std::vector<Key> k;
  for (const auto& e : events) k.push_back({e.channel, e.onset_sample, e.offset_sample, e.peak_sample});
  std::sort(k.begin(), k.end());
  return k;
}

}  // namespace

int main(int argc, char** argv) {
  double minutes = 60, speed = 50, ring_seconds = 2;
  int rate = 48000, channels = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const double v = std::atof(argv[i + 1]);
    if (a == "--minutes") minutes = v;
    else if (a == "--speed") speed = v;
    else if (a == "--rate") rate = int(v);
    else if (a == "--channels") channels = int(v);
    else if (a == "--ring-seconds") ring_seconds = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  const int scenes = std::max(1, int(minutes * 60 / kSceneSeconds + 0.5));
  const auto spec = scene_spec(rate, channels);
  const size_t nch = size_t(channels);
  std::printf("soak: %d x %.0f s of generated audio (%.0f min), %d Hz, %d channels, %zu-frame blocks, ring %.1f s of wall-clock slack, "
              "%.0fx real time\n",
              scenes, kSceneSeconds, scenes * kSceneSeconds / 60, rate, channels, kBlockFrames, ring_seconds, speed);

  // 1. Offline: the same audio through one Engine, one recording per call.
  const auto t_off = Clock::now();
  std::vector<Event> offline;
  {
    Engine engine(DetectorSettings{}, rate, channels);
    for (int i = 0; i < scenes; ++i) {
      const auto sc = synth::synth_scene(spec, scene_seed(i));
      std::vector<const float*> ptrs;
      for (const auto& c : sc.channels) ptrs.push_back(c.data());
      engine.process(ptrs.data(), sc.channels[0].size());
      auto e = engine.take_events();
      offline.insert(offline.end(), e.begin(), e.end());
    }
    engine.flush();
    auto e = engine.take_events();
    offline.insert(offline.end(), e.begin(), e.end());
  }
  const double offline_s = std::chrono::duration<double>(Clock::now() - t_off).count();

  // 2. Live: generator thread -> clocked producer -> ring -> analysis thread.
  SpscRing ring(size_t(ring_seconds * speed * rate) * nch);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<float>> ready;  // interleaved recordings, at most two ahead
  std::atomic<bool> producer_done{false};
  std::atomic<uint64_t> overruns{0}, blocks{0};
  std::vector<long> rss;  // one sample per recording, taken by the producer
  std::vector<Event> live;
  live.reserve(offline.size() * 2 + 1024);  // collected for the check, not part of the pipeline

  std::atomic<bool> generator_stop{false};
  // Three recordings more than are played, so that when memory is sampled (at
  // the end of each recording) the queue is full and the generator waits with
  // the next one: the samples compare.
  std::thread generator([&] {
    for (int i = 0; i < scenes + 3; ++i) {
      std::vector<float> inter;
      {
        const auto sc = synth::synth_scene(spec, scene_seed(i));
        inter.resize(sc.channels[0].size() * nch);
        for (size_t f = 0; f < sc.channels[0].size(); ++f)
          for (size_t c = 0; c < nch; ++c) inter[f * nch + c] = sc.channels[c][f];
      }
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready.size() < 2 || generator_stop.load(); });
      if (generator_stop.load()) return;
      ready.push_back(std::move(inter));
      cv.notify_all();
    }
  });

  std::thread analysis([&] {
    Engine engine(DetectorSettings{}, rate, channels);
    const size_t max_frames = 4096;
    std::vector<float> inter(max_frames * nch);
    std::vector<std::vector<float>> planar(nch, std::vector<float>(max_frames));
    std::vector<const float*> ptrs(nch);
    for (size_t c = 0; c < nch; ++c) ptrs[c] = planar[c].data();
    for (;;) {
      const size_t got = ring.pop(inter.data(), inter.size()) / nch;
      if (got == 0) {
        if (producer_done.load() && ring.available() == 0) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      for (size_t f = 0; f < got; ++f)
        for (size_t c = 0; c < nch; ++c) planar[c][f] = inter[f * nch + c];
      engine.process(ptrs.data(), got);
      auto e = engine.take_events();
      live.insert(live.end(), e.begin(), e.end());
    }
    engine.flush();
    auto e = engine.take_events();
    live.insert(live.end(), e.begin(), e.end());
  });

  const auto t_live = Clock::now();
  const double block_period_s = double(kBlockFrames) / rate / speed;
  uint64_t block_index = 0;
  for (int i = 0; i < scenes; ++i) {
    std::vector<float> inter;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !ready.empty(); });
      inter = std::move(ready.front());
      ready.pop_front();
      cv.notify_all();
    }
    const size_t frames = inter.size() / nch;
    for (size_t at = 0; at < frames; at += kBlockFrames, ++block_index) {
      const auto due = t_live + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(double(block_index) * block_period_s));
      std::this_thread::sleep_until(due);
      const size_t n = std::min(kBlockFrames, frames - at);
      // Like the audio callback: one attempt, a full ring drops the block.
      if (!ring.push(inter.data() + at * nch, n * nch)) overruns.fetch_add(1);
      blocks.fetch_add(1);
    }
    rss.push_back(rss_kib());
  }
  producer_done.store(true);
  {
    std::lock_guard<std::mutex> lock(mu);
    generator_stop.store(true);
    cv.notify_all();
  }
  analysis.join();
  generator.join();
  const double live_s = std::chrono::duration<double>(Clock::now() - t_live).count();

  // 3. Checks.
  const auto a = keys(offline), b = keys(live);
  size_t lost = 0, extra = 0;
  {
    std::vector<Key> only_a, only_b;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
    lost = only_a.size();
    extra = only_b.size();
  }
  // Mean of minutes 10-19 against the mean of the last 10 minutes (shorter
  // runs: the first and last tenth).
  const size_t span = rss.size() >= 30 ? 10 : std::max<size_t>(1, rss.size() / 10);
  const size_t warm = rss.size() >= 30 ? 10 : 0;
  auto mean = [&](size_t from) {
    return std::accumulate(rss.begin() + long(from), rss.begin() + long(from + span), 0.0) / double(span);
  };
  const long rss_warm = long(mean(warm)), rss_end = long(mean(rss.size() - span));
  const long rss_max = *std::max_element(rss.begin() + long(warm), rss.end());
  const long growth = rss_end - rss_warm;
  constexpr long kAllowedGrowthKib = 2048;

  std::printf("offline: %zu events in %.1f s\n", offline.size(), offline_s);
  std::printf("live:    %zu events in %.1f s (%llu blocks, %llu overruns)\n", live.size(), live_s,
              static_cast<unsigned long long>(blocks.load()), static_cast<unsigned long long>(overruns.load()));
  std::printf("events:  %zu lost, %zu not in the offline run\n", lost, extra);
  std::printf("rss:     first %ld KiB; mean of minutes %zu-%zu %ld KiB, of the last %zu %ld KiB (growth %ld KiB, "
              "allowed %ld); max after warm-up %ld KiB\n",
              rss.front(), warm, warm + span - 1, rss_warm, span, rss_end, growth, kAllowedGrowthKib, rss_max);
  std::printf("rss per minute (KiB):");
  for (size_t i = 0; i < rss.size(); ++i) std::printf("%s%ld", i % 12 ? " " : "\n  ", rss[i]);
  std::printf("\n");
  const bool ok = overruns.load() == 0 && lost == 0 && extra == 0 && !offline.empty() && growth <= kAllowedGrowthKib;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
