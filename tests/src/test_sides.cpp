#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "datasets/synth_scene.h"
#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "src/engine/sides.h"

using namespace popscope;

namespace {
Event make(int channel, double onset_s, double peak_dbfs, const char* cls, double confidence) {
  Event e;
  e.channel = channel;
  e.onset_s = e.peak_s = onset_s;
  e.offset_s = onset_s + 0.006;
  e.peak_dbfs = peak_dbfs;
  e.class_name = cls;
  e.confidence = confidence;
  return e;
}
}  // namespace

TEST_CASE("the far copy of a pop is merged with the near copy even when it was classified differently") {
  // Near (left) sensor: the pop at -12 dBFS; far (right) sensor hears it 1.5 ms
  // later and 6 dB quieter, and the classifier called that copy "other".
  const std::vector<Event> in = {make(0, 1.0000, -12, "cavitation", 0.97), make(1, 1.0015, -18, "other", 0.6)};
  const auto out = merge_channels(in, default_channel_names(2));
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[0].confidence == doctest::Approx(0.97));
  CHECK(out[0].side == "left");
  CHECK(out[0].onset_s == doctest::Approx(1.0));
  CHECK(out[0].offset_s == doctest::Approx(1.0015 + 0.006));
}

TEST_CASE("the louder copy names the class of a sound heard on both sides") {
  const std::vector<Event> in = {make(0, 2.0000, -20, "other", 0.7), make(1, 2.0010, -11, "cavitation", 0.9)};
  const auto out = merge_channels(in, default_channel_names(2));
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[0].channel == 1);
  CHECK(out[0].side == "right");
}

TEST_CASE("sounds on two channels further apart than the side window stay separate") {
  const std::vector<Event> in = {make(0, 3.000, -12, "cavitation", 0.97), make(1, 3.010, -14, "other", 0.8)};
  const auto out = merge_channels(in, default_channel_names(2));
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[1].class_name == "other");
  CHECK(out[1].side == "right");
}

TEST_CASE("two sounds on the same channel are never merged as sides") {
  const std::vector<Event> in = {make(0, 4.000, -12, "cavitation", 0.97), make(0, 4.002, -14, "other", 0.8)};
  CHECK(merge_channels(in, default_channel_names(2)).size() == 2);
}

TEST_CASE("the far copy of a grinding episode, rising above the background later, is merged with the near copy") {
  Event near = make(0, 1.000, -20, "crepitus", 0.9);
  near.offset_s = 1.600;
  Event far = make(1, 1.035, -27, "crepitus", 0.8);
  far.offset_s = 1.590;
  const auto out = merge_channels({near, far}, default_channel_names(2));
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(1.000));
  CHECK(out[0].offset_s == doctest::Approx(1.600));
  CHECK(out[0].side == "left");
}

TEST_CASE("extended sounds on two channels stay separate when their classes differ or the first has ended") {
  Event grind = make(0, 1.000, -20, "crepitus", 0.9);
  grind.offset_s = 1.600;
  Event speech = make(1, 1.050, -25, "other", 0.8);
  speech.offset_s = 1.900;
  CHECK(merge_channels({grind, speech}, default_channel_names(2)).size() == 2);
  Event a = make(0, 2.000, -20, "other", 0.9);
  a.offset_s = 2.030;
  Event b = make(1, 2.060, -20, "other", 0.9);
  b.offset_s = 2.200;
  CHECK(merge_channels({a, b}, default_channel_names(2)).size() == 2);
  // A pop 30 ms after a pop on the other side is a second pop, not a copy.
  CHECK(merge_channels({make(0, 3.000, -12, "cavitation", 0.97), make(1, 3.030, -12, "cavitation", 0.97)},
                       default_channel_names(2)).size() == 2);
}

TEST_CASE("pieces of a grinding episode's far copy, and pops inside the episode, become part of it") {
  // Near copy: one crepitus event; far copy: a short crepitus part, an
  // impulse taken for a pop and the rest of the episode; a pop after the near
  // copy's end while the far copy still sounds.
  Event near = make(1, 8.4129, -1, "crepitus", 0.9);
  near.offset_s = 9.3941;
  Event part1 = make(0, 8.4141, -33, "crepitus", 0.8);
  part1.offset_s = 8.4560;
  Event pop = make(0, 8.4831, -31, "cavitation", 0.9);
  Event part2 = make(0, 8.4916, -7.5, "crepitus", 0.8);
  part2.offset_s = 9.4020;
  Event late_pop = make(1, 9.3986, -31, "cavitation", 0.9);
  Event later = make(1, 9.9000, -12, "cavitation", 0.97);
  const auto out = merge_channels({near, part1, pop, part2, late_pop, later}, default_channel_names(2));
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(8.4129));
  CHECK(out[0].offset_s == doctest::Approx(9.3986 + 0.006));  // the late pop's end
  CHECK(out[0].side == "right");
  CHECK(out[1].class_name == "cavitation");  // after the episode: a pop
  CHECK(out[1].onset_s == doctest::Approx(9.9));
}

TEST_CASE("a short crepitus event does not take pops on the other channel") {
  Event short_grind = make(0, 1.000, -20, "crepitus", 0.6);
  short_grind.offset_s = 1.050;
  const auto out =
      merge_channels({short_grind, make(1, 1.020, -12, "cavitation", 0.97)}, default_channel_names(2));
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
}

TEST_CASE("early pop announcements settled by either copy are settled by the merged event") {
  std::vector<Event> in = {make(0, 1.0000, -18, "cavitation", 0.9), make(1, 1.0012, -12, "cavitation", 0.95)};
  in[0].early_announcements = 1;
  in[0].early_onset_s = 1.0000;
  in[1].early_announcements = 1;
  in[1].early_onset_s = 1.0012;
  const auto out = merge_channels(in, default_channel_names(2));
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == 1);  // the louder copy
  CHECK(out[0].early_announcements == 2);
  CHECK(out[0].early_onset_s == doctest::Approx(1.0000));
}

namespace {

// Runs a bilateral recording through the engine in blocks, as live capture
// does, joining the channels with ChannelJoiner after every block.
struct LiveRun {
  std::vector<Event> joined;
  std::vector<Event> raw;  // every event the engine reported, in order
  int late = 0;            // events that started before an earlier settled time
};

LiveRun run_live(const synth::SynthScene& sc, const EventClassifier& classifier, size_t block,
                 const std::vector<std::string>& names) {
  Engine engine(DetectorSettings{}, sc.rate_hz, 2);
  engine.set_classifier(&classifier);
  ChannelJoiner joiner(names);
  LiveRun r;
  double settled = -1e9;
  const size_t n = sc.channels[0].size();
  auto take = [&] {
    for (auto& e : engine.take_events()) {
      if (e.onset_s < settled) ++r.late;
      r.raw.push_back(e);
      joiner.add(std::move(e));
    }
  };
  for (size_t i = 0; i < n; i += block) {
    const size_t m = std::min(block, n - i);
    const float* p[2] = {sc.channels[0].data() + i, sc.channels[1].data() + i};
    engine.process(p, m);
    take();
    settled = std::max(settled, engine.settled_s());
    for (auto& e : joiner.release(settled)) r.joined.push_back(std::move(e));
  }
  engine.flush();
  take();
  for (auto& e : joiner.finish()) r.joined.push_back(std::move(e));
  return r;
}

}  // namespace

TEST_CASE("live joining of two sensors gives the same events and sides as the whole recording, whatever the blocks") {
  const ModelClassifier classifier(default_model(), DetectorSettings{}.analysis_rate_hz, "default");
  const std::vector<std::string> names = {"L", "R"};
  int joined_pairs = 0;
  for (auto [profile, seed] : {std::pair{synth::Profile::kClinic, 5u}, std::pair{synth::Profile::kKnee, 6u}}) {
    synth::SceneSpec spec;
    spec.profile = profile;
    spec.channels = 2;
    spec.rate_hz = 16000;
    spec.length_s = 20;
    const auto sc = synth::synth_scene(spec, seed);
    for (size_t block : {64u, 256u, 4096u}) {
      CAPTURE(int(profile));
      CAPTURE(block);
      const auto live = run_live(sc, classifier, block, names);
      // Nothing the engine reports starts before a time it had declared settled.
      CHECK(live.late == 0);
      auto all = live.raw;
      std::stable_sort(all.begin(), all.end(), [](const Event& a, const Event& b) { return a.onset_s < b.onset_s; });
      const auto whole = merge_channels(all, names);
      if (live.joined.size() != whole.size()) {
        for (auto& e : all) MESSAGE("raw " << e.channel << " " << e.onset_s << "-" << e.offset_s << " " << e.class_name << " " << e.peak_dbfs);
        for (auto& e : whole) MESSAGE("whole " << e.onset_s << "-" << e.offset_s << " " << e.class_name << " " << e.side);
        for (auto& e : live.joined) MESSAGE("live " << e.onset_s << "-" << e.offset_s << " " << e.class_name << " " << e.side);
      }
      REQUIRE(live.joined.size() == whole.size());
      for (size_t i = 0; i < whole.size(); ++i) {
        CAPTURE(i);
        CHECK(live.joined[i].onset_s == whole[i].onset_s);
        CHECK(live.joined[i].side == whole[i].side);
        CHECK(live.joined[i].class_name == whole[i].class_name);
      }
      joined_pairs += int(live.raw.size() - whole.size());
    }
  }
  // The scenes have sounds heard on both sides, so joining was exercised.
  CHECK(joined_pairs > 10);
}
