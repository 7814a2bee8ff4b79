// Live capture benchmark: the path of `popscope listen` after the audio
// callback, at 48 kHz with 256-frame blocks.
//
// A producer thread plays the audio callback: every block period it pushes
// one 256-frame block of a generated recording (background noise at
// -60 dBFS with pops at known onsets) into the same lock-free ring listen
// uses, and counts a block it cannot push as an overrun. The consumer runs
// the same Engine as listen on what the ring holds and takes events after
// every block. It measures
//  - decision latency of each detected pop: (stream position at the end of
//    the block after which its event was emitted - true onset) + the time
//    that block took to process;
//  - processing time of every 256-frame block (as % of the block's 5.33 ms);
//  - overruns over the whole run.
//
// Usage: bench_live_latency [--minutes M] [--speed S]
//   --minutes  length of the stream (default 10)
//   --speed    clock rate relative to real time (default 1: the producer
//              sleeps to each block's real-time deadline; 4 plays it 4x
//              faster, which also leaves the ring 4x less slack)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/engine/engine.h"
#include "src/live/spsc_ring.h"

using namespace popscope;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kRate = 48000.0;
constexpr size_t kBlock = 256;
constexpr double kBlockS = kBlock / kRate;

struct Pop {
  int64_t onset = 0;  // sample
  float amp = 0, tau_s = 0, freq_hz = 0;
};

// Pops every 0.8-2.0 s; one in four starts a thrust of 2-4 pops 10-40 ms apart
// (Dunning 2013: 2-9 pops per thrust within ~100 ms).
std::vector<Pop> make_pops(double seconds, std::mt19937& rng) {
  std::uniform_real_distribution<double> gap(0.8, 2.0), amp_db(-26, -6), tau(0.001, 0.003), freq(300, 1500),
      inner(0.010, 0.040), u(0, 1);
  std::vector<Pop> pops;
  for (double t = 0.5; t < seconds - 1.0; t += gap(rng)) {
    const int n = u(rng) < 0.25 ? 2 + int(u(rng) * 3) : 1;
    double tt = t;
    for (int k = 0; k < n; ++k) {
      pops.push_back({int64_t(tt * kRate), float(std::pow(10.0, amp_db(rng) / 20)), float(tau(rng)), float(freq(rng))});
      tt += inner(rng);
    }
    t = tt;
  }
  return pops;
}

// Renders samples [start, start+n) of the stream.
class Scene {
 public:
  Scene(std::vector<Pop> pops, uint32_t seed) : pops_(std::move(pops)), rng_(seed) {}
  void render(int64_t start, float* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = noise_(rng_);
    while (first_ < pops_.size() && pops_[first_].onset + int64_t(0.05 * kRate) < start) ++first_;
    for (size_t p = first_; p < pops_.size() && pops_[p].onset < start + int64_t(n); ++p) {
      const Pop& pop = pops_[p];
      for (size_t i = 0; i < n; ++i) {
        const int64_t k = start + int64_t(i) - pop.onset;
        if (k < 0 || k > int64_t(0.05 * kRate)) continue;
        const double t = double(k) / kRate;
        out[i] += float(pop.amp * std::exp(-t / pop.tau_s) * std::sin(2 * M_PI * pop.freq_hz * t + 0.3));
      }
    }
  }

 private:
  std::vector<Pop> pops_;
  std::mt19937 rng_;
  std::normal_distribution<float> noise_{0.0f, 0.001f};
  size_t first_ = 0;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * double(v.size() - 1);
  const size_t lo = size_t(idx), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - double(lo));
}

}  // namespace

int main(int argc, char** argv) {
  double minutes = 10, speed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--minutes")) minutes = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--speed")) speed = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_live_latency [--minutes M] [--speed S]\n");
      return 2;
    }
  }
  if (minutes <= 0 || speed <= 0) {
    std::fprintf(stderr, "bench_live_latency: --minutes and --speed must be positive\n");
    return 2;
  }
  const double seconds = minutes * 60;
  const int64_t total_blocks = int64_t(seconds * kRate / double(kBlock));
  std::mt19937 rng(2024);
  const std::vector<Pop> pops = make_pops(seconds, rng);

  // The ring listen uses: 2 s of audio (rounded up to a power of two).
  SpscRing ring(size_t(2.0 * kRate));
  std::atomic<int64_t> overrun_blocks{0};
  std::atomic<bool> producer_done{false};

  std::thread producer([&] {
    Scene scene(pops, 7);
    std::vector<float> block(kBlock);
    const auto t0 = Clock::now();
    const auto period = std::chrono::duration<double>(kBlockS / speed);
    for (int64_t b = 0; b < total_blocks; ++b) {
      std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(period * double(b + 1)));
      scene.render(b * int64_t(kBlock), block.data(), kBlock);
      if (!ring.push(block.data(), kBlock)) overrun_blocks.fetch_add(1);
    }
    producer_done = true;
  });

  DetectorSettings settings;
  Engine engine(settings, kRate, 1);
  std::vector<float> buf(kBlock);
  const float* ptr = buf.data();
  std::vector<double> block_ms, latency_ms, after_end_ms, analysis_lag_ms;
  block_ms.reserve(size_t(total_blocks));
  size_t next_pop = 0;
  int64_t pos = 0, matched = 0, unmatched = 0;
  const auto started = Clock::now();
  for (;;) {
    const size_t got = ring.pop(buf.data(), kBlock);
    if (got == 0) {
      if (producer_done && ring.available() == 0) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    const auto a = Clock::now();
    engine.process(&ptr, got);
    auto events = engine.take_events();
    const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - a).count();
    pos += int64_t(got);
    if (got == kBlock) block_ms.push_back(took_ms);
    for (const Event& e : events) {
      // The true pop this event found: the nearest onset within 5 ms.
      while (next_pop < pops.size() && pops[next_pop].onset < e.onset_sample - int64_t(0.005 * kRate)) ++next_pop;
      if (next_pop < pops.size() && std::llabs(pops[next_pop].onset - e.onset_sample) <= int64_t(0.005 * kRate)) {
        latency_ms.push_back(1000.0 * double(pos - pops[next_pop].onset) / kRate + took_ms);
        after_end_ms.push_back(1000.0 * (double(pos) / kRate - e.offset_s) + took_ms);
        analysis_lag_ms.push_back(1000.0 * (double(pos) / kRate - engine.analysed_s()));
        ++matched;
        ++next_pop;
      } else {
        ++unmatched;
      }
    }
  }
  producer.join();
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();

  const double p99_block = percentile(block_ms, 99);
  std::printf("live capture benchmark: %.1f min of 48 kHz mono, 256-frame blocks, clock x%.2f (%.1f s wall)\n",
              minutes, speed, wall_s);
  std::printf("  pops in the stream        %zu (detected %lld, other events %lld)\n", pops.size(),
              (long long)matched, (long long)unmatched);
  std::printf("  decision latency          median %.1f ms, p95 %.1f ms, max %.1f ms\n", percentile(latency_ms, 50),
              percentile(latency_ms, 95), percentile(latency_ms, 100));
  std::printf("  of which after the sound   median %.1f ms, p95 %.1f ms (event end to emission)\n",
              percentile(after_end_ms, 50), percentile(after_end_ms, 95));
  std::printf("  resampler buffering       median %.1f ms, p95 %.1f ms (input not yet analysed at emission)\n",
              percentile(analysis_lag_ms, 50), percentile(analysis_lag_ms, 95));
  std::printf("  processing per block      median %.3f ms, p99 %.3f ms = %.1f%% of the %.2f ms block\n",
              percentile(block_ms, 50), p99_block, 100.0 * p99_block / (1000.0 * kBlockS), 1000.0 * kBlockS);
  std::printf("                            max %.3f ms = %.1f%% (blocks that complete an event compute its features)\n",
              percentile(block_ms, 100), 100.0 * percentile(block_ms, 100) / (1000.0 * kBlockS));
  std::printf("  overruns                  %lld blocks dropped of %lld\n", (long long)overrun_blocks.load(),
              (long long)total_blocks);
  return 0;
}
