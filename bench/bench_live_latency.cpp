// Live capture benchmark: the path of `popscope listen` after the audio
// callback, at 48 kHz with 256-frame blocks, with the default model and early
// pop decisions as listen runs them.
//
// Input: labelled 48 kHz mono recordings (e.g. `popscope synth --rate 48000
// --channels 1`), each WAV with its label file (same name, .txt), played one
// after another as one stream. A producer thread plays the audio callback:
// every block period it pushes one 256-frame block into the same lock-free
// ring listen uses, and counts a block it cannot push as an overrun. The
// consumer runs the same Engine as listen on what the ring holds and takes
// early announcements and final events after every block. It measures
//  - decision latency of each labelled cavitation pop that ends up reported
//    as a pop: (stream position at the end of the block after which the pop
//    was first emitted - labelled onset) + the time that block took. First
//    emitted = its early announcement when one was made and later confirmed,
//    else its final event;
//  - the same for the final events alone (no early decisions);
//  - how early announcements fared: confirmed by the final event, revised to
//    another class, withdrawn; and how many matched a labelled pop;
//  - processing time of every 256-frame block (as % of the block's 5.33 ms);
//  - overruns over the whole run.
//
// Usage: bench_live_latency [--speed S] [--early-model FILE|none] FILE.wav...
//   --speed     clock rate relative to real time (default 1: the producer
//               sleeps to each block's real-time deadline; 4 plays it 4x faster,
//               which also leaves the ring 4x less slack)
//   --early-model  early-decision model (default: the built-in one; none: final events only)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "datasets/labels.h"
#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "src/io/audio_file_reader.h"
#include "src/live/spsc_ring.h"

using namespace popscope;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kRate = 48000.0;
constexpr size_t kBlock = 256;
constexpr double kBlockS = kBlock / kRate;
constexpr double kCollarS = 0.02;  // onset collar of the accuracy targets

struct Emitted {
  Event event;
  double at_s = 0;  // stream time when it was emitted, including the block's processing time
  bool withdrawn = false;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * double(v.size() - 1);
  const size_t lo = size_t(idx), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - double(lo));
}

// Index of the event in `list` (sorted by onset) nearest to t within the collar, or -1.
template <class T, class F>
long nearest(const std::vector<T>& list, double t, F onset_of) {
  long best = -1;
  double best_d = kCollarS;
  for (size_t i = 0; i < list.size(); ++i) {
    const double d = std::fabs(onset_of(list[i]) - t);
    if (d <= best_d) {
      best_d = d;
      best = long(i);
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double speed = 1;
  std::string early_model = "default";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--speed") && i + 1 < argc) speed = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--early-model") && i + 1 < argc) early_model = argv[++i];
    else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: bench_live_latency [--speed S] [--early-model FILE|none] FILE.wav...\n");
      return 2;
    } else files.push_back(argv[i]);
  }
  if (files.empty() || speed <= 0) {
    std::fprintf(stderr, "usage: bench_live_latency [--speed S] [--early-model FILE|none] FILE.wav... (48 kHz mono, labels in FILE.txt)\n");
    return 2;
  }

  // The stream: the recordings back to back; labelled pops on the stream clock.
  std::vector<float> stream;
  std::vector<double> truth;  // labelled cavitation onsets
  int64_t other_labels = 0;
  for (const std::string& f : files) {
    const AudioData a = read_audio_file(f);
    if (a.sample_rate_hz != int(kRate) || a.channels.size() != 1) {
      std::fprintf(stderr, "bench_live_latency: %s: need 48 kHz mono\n", f.c_str());
      return 2;
    }
    const double offset_s = double(stream.size()) / kRate;
    for (const labels::LabelEvent& l : labels::read_labels(f.substr(0, f.size() - 4) + ".txt")) {
      if (l.label == "cavitation") truth.push_back(offset_s + l.onset_s);
      else ++other_labels;
    }
    stream.insert(stream.end(), a.channels[0].begin(), a.channels[0].end());
  }
  std::sort(truth.begin(), truth.end());
  const int64_t total_blocks = int64_t(stream.size() / kBlock);

  // The ring listen uses: 2 s of audio (rounded up to a power of two).
  SpscRing ring(size_t(2.0 * kRate));
  std::atomic<int64_t> overrun_blocks{0};
  std::atomic<bool> producer_done{false};

  std::thread producer([&] {
    const auto t0 = Clock::now();
    const auto period = std::chrono::duration<double>(kBlockS / speed);
    for (int64_t b = 0; b < total_blocks; ++b) {
      std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(period * double(b + 1)));
      if (!ring.push(stream.data() + b * int64_t(kBlock), kBlock)) overrun_blocks.fetch_add(1);
    }
    producer_done = true;
  });

  DetectorSettings settings;
  ModelClassifier classifier(default_model(), settings.analysis_rate_hz, "built-in default model");
  Engine engine(settings, kRate, 1);
  engine.set_classifier(&classifier);
  std::unique_ptr<ModelClassifier> early_classifier;
  double early_ms = 0;
  if (early_model != "none") {
    const models::Model m = load_early_model_or_default(early_model);
    early_ms = 1000.0 * m.early_decision_s;
    early_classifier = std::make_unique<ModelClassifier>(m, settings.analysis_rate_hz, early_model);
    engine.set_early_decisions(m.early_decision_s, early_classifier.get());
  }
  std::vector<float> buf(kBlock);
  const float* ptr = buf.data();
  std::vector<double> block_ms;
  block_ms.reserve(size_t(total_blocks));
  std::vector<Emitted> early, finals;
  int64_t pos = 0;
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
    auto notices = engine.take_early();
    auto events = engine.take_events();
    const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - a).count();
    pos += int64_t(got);
    if (got == kBlock) block_ms.push_back(took_ms);
    const double at = double(pos) / kRate + took_ms / 1000.0;
    for (auto& n : notices) early.push_back({std::move(n.event), at, n.withdrawn});
    for (auto& e : events) finals.push_back({std::move(e), at, false});
  }
  producer.join();
  engine.flush();
  for (auto& n : engine.take_early()) early.push_back({std::move(n.event), double(pos) / kRate, n.withdrawn});
  for (auto& e : engine.take_events()) finals.push_back({std::move(e), double(pos) / kRate, false});
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();

  std::vector<Emitted> announced, withdrawn;
  for (auto& e : early) (e.withdrawn ? withdrawn : announced).push_back(e);
  auto onset = [](const Emitted& e) { return e.event.onset_s; };
  std::sort(finals.begin(), finals.end(), [](const Emitted& a, const Emitted& b) { return a.event.onset_s < b.event.onset_s; });

  // How the announcements fared against the final events and the labels.
  int64_t confirmed = 0, revised = 0, true_announcements = 0;
  for (const Emitted& a : announced) {
    const long f = nearest(finals, a.event.onset_s, onset);
    const bool ok = f >= 0 && finals[size_t(f)].event.class_name == "cavitation" &&
                    std::fabs(finals[size_t(f)].event.onset_s - a.event.onset_s) < 0.001;
    ok ? ++confirmed : ++revised;
    if (nearest(truth, a.event.onset_s, [](double t) { return t; }) >= 0) ++true_announcements;
  }
  revised -= int64_t(withdrawn.size());  // a withdrawn announcement has no final event at all

  // Latency of each labelled pop that ends up reported as a pop.
  std::vector<double> first_ms, final_ms;
  int64_t final_pops = 0, via_early = 0;
  for (double t : truth) {
    const long f = nearest(finals, t, onset);
    if (f < 0 || finals[size_t(f)].event.class_name != "cavitation") continue;
    const Emitted& fin = finals[size_t(f)];
    ++final_pops;
    double first = fin.at_s;
    const long a = nearest(announced, fin.event.onset_s, onset);
    if (a >= 0 && std::fabs(announced[size_t(a)].event.onset_s - fin.event.onset_s) < 0.001) {
      first = std::min(first, announced[size_t(a)].at_s);
      ++via_early;
    } else if (getenv("DBG_EARLY")) {
      std::fprintf(stderr, "MISS truth %.4f final onset %.4f lat %.1f ms dur %.1f ms conf %.2f\n", t, fin.event.onset_s, 1000*(fin.at_s-t), 1000*(fin.event.offset_s-fin.event.onset_s), fin.event.confidence);
    }
    first_ms.push_back(1000.0 * (first - t));
    final_ms.push_back(1000.0 * (fin.at_s - t));
  }

  const double p99_block = percentile(block_ms, 99);
  std::printf("live capture benchmark: %zu recordings, %.1f min of 48 kHz mono, 256-frame blocks, clock x%.2f (%.1f s wall)\n",
              files.size(), double(stream.size()) / kRate / 60.0, speed, wall_s);
  std::printf("  labelled pops             %zu (and %lld other labelled sounds)\n", truth.size(), (long long)other_labels);
  std::printf("  reported as pops          %lld (onset within 20 ms, final class cavitation)\n", (long long)final_pops);
  std::printf("  decision latency          median %.1f ms, p95 %.1f ms, max %.1f ms (first emission, early decision at %.0f ms)\n",
              percentile(first_ms, 50), percentile(first_ms, 95), percentile(first_ms, 100), early_ms);
  std::printf("  final events alone        median %.1f ms, p95 %.1f ms, max %.1f ms\n", percentile(final_ms, 50),
              percentile(final_ms, 95), percentile(final_ms, 100));
  std::printf("  pops announced early      %lld of %lld\n", (long long)via_early, (long long)final_pops);
  std::printf("  early announcements       %zu: %lld confirmed, %lld revised to another class, %zu withdrawn; %lld at a labelled pop (precision %.3f)\n",
              announced.size(), (long long)confirmed, (long long)revised, withdrawn.size(), (long long)true_announcements,
              announced.empty() ? NAN : double(true_announcements) / double(announced.size()));
  std::printf("  processing per block      median %.3f ms, p99 %.3f ms = %.1f%% of the %.2f ms block\n",
              percentile(block_ms, 50), p99_block, 100.0 * p99_block / (1000.0 * kBlockS), 1000.0 * kBlockS);
  std::printf("                            max %.3f ms = %.1f%% (blocks that complete an event compute its features)\n",
              percentile(block_ms, 100), 100.0 * percentile(block_ms, 100) / (1000.0 * kBlockS));
  std::printf("  overruns                  %lld blocks dropped of %lld\n", (long long)overrun_blocks.load(),
              (long long)total_blocks);
  return 0;
}
