#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/engine/postprocess.h"

using namespace popscope;

namespace {
Event part(double onset_s, double offset_s, const char* cls, bool train = false) {
  Event e;
  e.onset_s = e.peak_s = onset_s;
  e.offset_s = offset_s;
  e.class_name = cls;
  e.confidence = 0.9;
  e.is_train = train;
  e.impulse_count = train ? 6 : 1;
  return e;
}

std::vector<Event> run(const std::vector<Event>& parts) {
  EventMerger merger;
  std::vector<Event> out;
  for (const Event& e : parts) {
    merger.advance(e.onset_s, out);
    merger.push(e, out);
  }
  merger.flush(out);
  return out;
}
}  // namespace

TEST_CASE("a pop-like impulse inside a grinding episode becomes part of the episode") {
  const auto out = run({part(1.00, 1.25, "crepitus", true), part(1.30, 1.305, "cavitation"),
                        part(1.40, 1.80, "crepitus", true)});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(1.00));
  CHECK(out[0].offset_s == doctest::Approx(1.80));
  CHECK(out[0].impulse_count == 13);
}

TEST_CASE("a grinding episode settles the early pop announcements of the impulses it takes in") {
  // Live capture announced the impulse at 1.30 s (and one part at 1.40 s) as pops.
  std::vector<Event> parts = {part(1.00, 1.25, "crepitus", true), part(1.30, 1.305, "cavitation"),
                              part(1.40, 1.80, "crepitus", true)};
  parts[1].early_announcements = 1;
  parts[1].early_onset_s = 1.30;
  parts[2].early_announcements = 1;
  parts[2].early_onset_s = 1.40;
  const auto out = run(parts);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].early_announcements == 2);
  CHECK(out[0].early_onset_s == doctest::Approx(1.30));
}

TEST_CASE("a pop after a grinding episode that does not resume stays a pop") {
  // The first pop comes after a longer pause than a train makes.
  const double pop_s = 1.25 + kTrainGapS + 0.01;
  const auto out = run({part(1.00, 1.25, "crepitus", true), part(pop_s, pop_s + 0.005, "cavitation"),
                        part(pop_s + 0.02, pop_s + 0.026, "cavitation"), part(2.50, 2.505, "cavitation")});
  REQUIRE(out.size() == 4);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].offset_s == doctest::Approx(1.25));
  for (size_t i = 1; i < 4; ++i) CHECK(out[i].class_name == "cavitation");
  CHECK(out[1].onset_s == doctest::Approx(pop_s));
  CHECK(out[2].onset_s == doctest::Approx(pop_s + 0.02));
}

TEST_CASE("snaps are never absorbed into a grinding episode") {
  const auto out = run({part(1.00, 1.25, "crepitus", true), part(1.30, 1.36, "snap"),
                        part(1.40, 1.80, "crepitus", true)});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "snap");
}

namespace {
Event other_part(double onset_s, double offset_s, double rise_s) {
  Event e = part(onset_s, offset_s, "other");
  e.features[kRiseTimeFeature] = float(rise_s);
  return e;
}
}  // namespace

TEST_CASE("speech going on after a pause is one event; keystrokes the same distance apart stay separate") {
  CHECK(std::string(feature_names()[kRiseTimeFeature]) == "rise_time_s");
  // Two words 0.18 s apart, each rising over tens of ms.
  const auto speech = run({other_part(1.00, 1.40, 0.060), other_part(1.58, 1.90, 0.040)});
  REQUIRE(speech.size() == 1);
  CHECK(speech[0].onset_s == doctest::Approx(1.00));
  CHECK(speech[0].offset_s == doctest::Approx(1.90));
  // Two keystrokes 0.18 s apart (end to start), each at its peak within 1 ms.
  const auto keys = run({other_part(2.00, 2.06, 0.0005), other_part(2.24, 2.30, 0.0008)});
  REQUIRE(keys.size() == 2);
  CHECK(keys[1].onset_s == doctest::Approx(2.24));
  // Closer than the short gap, parts of one non-joint sound join whatever their rise.
  CHECK(run({other_part(3.00, 3.06, 0.0005), other_part(3.10, 3.15, 0.0005)}).size() == 1);
}

TEST_CASE("typing: each key's press and release are one event, the next key's press starts a new one") {
  // Three keys, each a press and a release 50 ms later, 60 ms between keys:
  // every gap is within the short gap, so only the click count separates them.
  std::vector<Event> parts;
  for (int k = 0; k < 3; ++k) {
    const double t = 1.0 + 0.14 * k;
    parts.push_back(other_part(t, t + 0.01, 0.0005));         // press
    parts.push_back(other_part(t + 0.05, t + 0.08, 0.0008));  // release
  }
  const auto keys = run(parts);
  REQUIRE(keys.size() == 3);
  for (int k = 0; k < 3; ++k) {
    CHECK(keys[size_t(k)].onset_s == doctest::Approx(1.0 + 0.14 * k));
    CHECK(keys[size_t(k)].offset_s == doctest::Approx(1.08 + 0.14 * k));
  }
  // Parts that follow each other without a pause are one sound, however many.
  const auto rustle = run({other_part(3.00, 3.02, 0.0005), other_part(3.02, 3.04, 0.0005),
                           other_part(3.045, 3.06, 0.0005), other_part(3.063, 3.09, 0.0005)});
  REQUIRE(rustle.size() == 1);
  CHECK(rustle[0].offset_s == doctest::Approx(3.09));
  // A slowly rising sound (speech) is not a click: it joins after pauses.
  CHECK(run({other_part(4.00, 4.10, 0.03), other_part(4.15, 4.20, 0.03), other_part(4.25, 4.30, 0.03)}).size() == 1);
}

TEST_CASE("a short impulse called other 10-30 ms from a pop is a pop of the same thrust") {
  // After a pop.
  auto out = run({part(1.000, 1.006, "cavitation"), part(1.020, 1.031, "other"), part(1.500, 1.900, "other")});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[1].onset_s == doctest::Approx(1.020));
  CHECK(out[2].class_name == "other");  // long and far from the pop
  // Before a pop.
  out = run({part(2.000, 2.009, "other"), part(2.025, 2.031, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[1].class_name == "cavitation");
  // 60 ms away it is a separate sound.
  out = run({part(3.000, 3.006, "cavitation"), part(3.060, 3.066, "other")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "other");
}

TEST_CASE("an impulse called crepitus becomes a pop only between two pops, and a relabelled pop anchors nothing") {
  auto out = run({part(1.000, 1.006, "cavitation"), part(1.020, 1.030, "crepitus"), part(1.600, 1.606, "snap")});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "crepitus");
  out = run({part(2.000, 2.006, "cavitation"), part(2.020, 2.030, "crepitus"), part(2.040, 2.046, "cavitation")});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "cavitation");
  // No chain: the second "other" is 25 ms after a relabelled pop but 50 ms after the named one.
  out = run({part(3.000, 3.006, "cavitation"), part(3.025, 3.031, "other"), part(3.050, 3.056, "other")});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[2].class_name == "other");
}

TEST_CASE("a part that thrust context makes a pop takes the model's pop probability as its confidence") {
  auto with_pop_probability = [](Event e, double p) {
    e.confidence = 0.99;  // of the class the model gave it
    e.pop_probability = p;
    return e;
  };
  // An impulse called other 20 ms after a pop.
  auto out = run({part(1.000, 1.006, "cavitation"), with_pop_probability(part(1.020, 1.026, "other"), 0.7)});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[1].confidence == doctest::Approx(0.7));
  // An impulse called crepitus between two pops (held until the second one).
  out = run({part(2.000, 2.006, "cavitation"), with_pop_probability(part(2.020, 2.030, "crepitus"), 0.4),
             part(2.040, 2.046, "cavitation")});
  REQUIRE(out.size() == 3);
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[1].confidence == doctest::Approx(0.4));
  // Without a pop probability (no such class in the model) the confidence stays.
  out = run({part(3.000, 3.006, "cavitation"), with_pop_probability(part(3.020, 3.026, "other"), -1)});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[1].confidence == doctest::Approx(0.99));
}

namespace {
// A part with the model's probabilities: pop, crepitus, other (the rest background).
Event voted(double onset_s, double pop, double crepitus, double other, bool train = false) {
  const double len = train ? 0.2 : 0.006;
  const char* cls = pop >= crepitus && pop >= other ? (pop >= 0.75 ? "cavitation" : "other")
                                                     : crepitus >= other ? "crepitus" : "other";
  Event e = part(onset_s, onset_s + len, cls, train);
  e.pop_probability = pop;
  e.crepitus_probability = crepitus;
  e.other_probability = other;
  e.confidence = std::max({pop, crepitus, other});
  return e;
}
int classed(const std::vector<Event>& out, const char* cls) {
  return int(std::count_if(out.begin(), out.end(), [&](const Event& e) { return e.class_name == cls; }));
}
}  // namespace

TEST_CASE("a thrust's parts are decided together: the run's mean probabilities make every part a pop") {
  // Five pops 20 ms apart, as the model saw one of the first-principles
  // thrusts: one sure, two unsure (other), two on the crepitus side. One by
  // one they merged into one grinding event; together they are five pops.
  const std::vector<Event> thrust = {voted(1.500, 0.70, 0.29, 0.004), voted(1.520, 0.08, 0.90, 0.01),
                                     voted(1.540, 0.99, 0.01, 0.0), voted(1.560, 0.32, 0.67, 0.01),
                                     voted(1.580, 0.59, 0.41, 0.0)};
  auto out = run(thrust);
  REQUIRE(out.size() == 5);
  CHECK(classed(out, "cavitation") == 5);
  CHECK(out[1].confidence == doctest::Approx(0.08));  // its own pop probability
  for (size_t i = 0; i < out.size(); ++i) CHECK(out[i].onset_s == doctest::Approx(thrust[i].onset_s));
  // The same at every spacing up to 50 ms (pops 10-30 ms apart, DOMAIN.md;
  // the grid's 9-40 ms), as many pops as fit in one thrust (139 ms at most).
  for (double gap : {0.009, 0.012, 0.03, 0.04, 0.048}) {
    CAPTURE(gap);
    std::vector<Event> spaced;
    const size_t fit = std::min(thrust.size(), size_t(1 + std::floor(kThrustVoteSpanS / gap - 1e-9)));
    for (size_t i = 0; i < fit; ++i) {
      Event e = thrust[i];
      e.onset_s = e.peak_s = 2.0 + gap * double(i);
      e.offset_s = e.onset_s + 0.006;
      spaced.push_back(e);
    }
    CHECK(classed(run(spaced), "cavitation") == int(fit));
  }
}

TEST_CASE("the thrust vote leaves grinding alone: a crepitus majority, a bordering train, a run too long") {
  // The mean says crepitus: the parts keep their classes and merge as grinding.
  auto out = run({voted(1.000, 0.80, 0.19, 0.01), voted(1.020, 0.10, 0.89, 0.01), voted(1.040, 0.20, 0.79, 0.01),
                  voted(1.060, 0.30, 0.69, 0.01)});
  CHECK(classed(out, "cavitation") <= 1);
  CHECK(classed(out, "crepitus") >= 1);
  // A grinding train just before the run: no vote, the crepitus parts stay crepitus.
  out = run({voted(2.000, 0.05, 0.90, 0.05, true), voted(2.240, 0.90, 0.09, 0.01), voted(2.260, 0.30, 0.69, 0.01),
             voted(2.280, 0.90, 0.09, 0.01)});
  CHECK(classed(out, "cavitation") < 3);
  // ... and just after it.
  out = run({voted(3.000, 0.90, 0.09, 0.01), voted(3.020, 0.30, 0.69, 0.01), voted(3.040, 0.90, 0.09, 0.01),
             voted(3.060, 0.05, 0.90, 0.05, true)});
  CHECK(classed(out, "cavitation") < 3);
  // Twelve impulses 15 ms apart (180 ms, more than 9): not one thrust, no vote.
  std::vector<Event> run12;
  for (int i = 0; i < 12; ++i) {
    const bool sure = i % 3 == 0;
    run12.push_back(voted(4.0 + 0.015 * i, sure ? 0.9 : 0.3, sure ? 0.09 : 0.69, 0.01));
  }
  out = run(run12);
  CHECK(classed(out, "cavitation") < 12);
  // No part the model called a pop: nothing becomes one.
  out = run({voted(5.000, 0.60, 0.39, 0.01), voted(5.020, 0.70, 0.29, 0.01)});
  CHECK(classed(out, "cavitation") == 0);
  // A lone part is not a run.
  out = run({voted(6.000, 0.45, 0.55, 0.0)});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
}

TEST_CASE("the thrust vote gives the same events whatever the stream's pace of advances") {
  const std::vector<Event> thrust = {voted(1.500, 0.70, 0.29, 0.004), voted(1.520, 0.08, 0.90, 0.01),
                                     voted(1.540, 0.99, 0.01, 0.0), voted(1.560, 0.32, 0.67, 0.01),
                                     voted(1.900, 0.9, 0.09, 0.01)};
  EventMerger merger;
  std::vector<Event> out;
  for (const Event& e : thrust) {
    for (double t = e.onset_s - 0.1; t < e.onset_s; t += 0.001) merger.advance(t, out);
    merger.push(e, out);
    CHECK(merger.open_onset_s() <= e.onset_s);
  }
  merger.flush(out);
  const auto once = run(thrust);
  REQUIRE(out.size() == once.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].class_name == once[i].class_name);
    CHECK(out[i].onset_s == doctest::Approx(once[i].onset_s));
  }
  CHECK(classed(out, "cavitation") == 5);
}

TEST_CASE("the soft slide leading into a snap is dropped; a non-joint sound well before a snap is kept") {
  auto at = [](Event e, double peak_dbfs) {
    e.peak_dbfs = peak_dbfs;
    return e;
  };
  // A soft slide, whichever class its friction noise was given, ending up to
  // kSlideLeadS before the snap.
  for (const char* cls : {"other", "crepitus"}) {
    CAPTURE(cls);
    auto out = run({at(part(1.00, 1.25, cls), -40), at(part(1.31, 1.40, "snap"), -20)});
    REQUIRE(out.size() == 1);
    CHECK(out[0].class_name == "snap");
    out = run({at(part(1.00, 1.12, cls), -40), at(part(1.12 + kSlideLeadS - 0.01, 1.45, "snap"), -20)});
    REQUIRE(out.size() == 1);
    CHECK(out[0].class_name == "snap");
  }
  // Further before the snap: a sound of its own.
  auto out = run({at(other_part(2.00, 2.25, 0.080), -40), at(part(2.25 + kSlideLeadS + 0.05, 2.70, "snap"), -20)});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "other");
  // As loud as the snap: not a soft slide.
  out = run({at(other_part(3.00, 3.25, 0.080), -22), at(part(3.31, 3.40, "snap"), -20)});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "other");
  // Longer than a slide.
  out = run({at(part(4.00, 4.00 + kMaxSlideS + 0.1, "crepitus"), -40), at(part(4.65, 4.75, "snap"), -20)});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "crepitus");
  // Grinding the detector found to be an impulse train is not a slide, however soft.
  out = run({at(part(5.00, 5.25, "crepitus", true), -40), at(part(5.28, 5.36, "snap"), -20)});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "crepitus");
}

TEST_CASE("a pop that grinding follows within the impulse spacing is the episode's first impulse") {
  // Grinding (an impulse train) starting 24 ms after the pop's end.
  auto out = run({part(1.000, 1.006, "cavitation"), part(1.030, 1.500, "crepitus", true)});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(1.000));
  CHECK(out[0].offset_s == doctest::Approx(1.500));
  CHECK(out[0].impulse_count == 7);
  // The grinding's first part is short, later parts make it an episode.
  out = run({part(2.000, 2.006, "cavitation"), part(2.020, 2.040, "crepitus"), part(2.060, 2.300, "crepitus")});
  REQUIRE(out.size() == 1);
  CHECK(out[0].onset_s == doctest::Approx(2.000));
  // A short part called crepitus next to a pop is no episode: the pop stays.
  out = run({part(3.000, 3.006, "cavitation"), part(3.020, 3.040, "crepitus")});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[1].class_name == "crepitus");
  // Grinding that starts later than the longest pause of a train is a separate sound.
  out = run({part(4.000, 4.006, "cavitation"), part(4.006 + kTrainGapS + 0.02, 4.600, "crepitus", true)});
  REQUIRE(out.size() == 2);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[1].onset_s == doctest::Approx(4.006 + kTrainGapS + 0.02));
}

TEST_CASE("a pop is released once the longest pause of a train has passed without grinding, and in onset order") {
  EventMerger merger;
  std::vector<Event> out;
  merger.push(part(1.000, 1.006, "cavitation"), out);
  merger.advance(1.006 + kTrainGapS - 0.005, out);
  CHECK(out.empty());
  CHECK(merger.open_onset_s() == doctest::Approx(1.000));
  merger.advance(1.006 + kTrainGapS + 0.005, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "cavitation");
  // A snap after a pop comes out after it.
  merger.push(part(2.000, 2.006, "cavitation"), out);
  merger.push(part(2.030, 2.100, "snap"), out);
  merger.flush(out);
  REQUIRE(out.size() == 3);
  CHECK(out[1].onset_s == doctest::Approx(2.000));
  CHECK(out[2].class_name == "snap");
}

TEST_CASE("a snap's ringing cut off by a second transient stays one snap") {
  // The part that follows without a pause, called snap or other, is the ringing.
  for (const char* cls : {"other", "snap"}) {
    CAPTURE(cls);
    const auto out = run({part(1.000, 1.011, "snap"), part(1.011, 1.150, cls)});
    REQUIRE(out.size() == 1);
    CHECK(out[0].class_name == "snap");
    CHECK(out[0].onset_s == doctest::Approx(1.000));
    CHECK(out[0].offset_s == doctest::Approx(1.150));
  }
  // After a pause, or later than a snap rings, it is a sound of its own.
  auto out = run({part(2.000, 2.011, "snap"), part(2.040, 2.150, "other")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "other");
  out = run({part(3.000, 3.000 + kMaxSnapRingS + 0.01, "snap"), part(3.000 + kMaxSnapRingS + 0.01, 3.300, "snap")});
  CHECK(out.size() == 2);
  // A pop right after a snap stays a pop.
  out = run({part(4.000, 4.011, "snap"), part(4.011, 4.017, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
}

TEST_CASE("a pop between two grinding parts at the crepitus pace is part of the grinding, once per short episode") {
  // Grinding not yet an episode (10 ms, one impulse), a pop, grinding again:
  // all within the impulse spacing.
  auto out = run({part(1.000, 1.010, "crepitus"), part(1.015, 1.021, "cavitation"), part(1.040, 1.080, "crepitus")});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(1.000));
  CHECK(out[0].offset_s == doctest::Approx(1.080));
  // No grinding after it: the pop stays a pop.
  out = run({part(2.000, 2.010, "crepitus"), part(2.015, 2.021, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
  // Grinding after a longer pause than a train makes: the two grinding parts
  // are still one episode (they are within the merge gap), and a pop inside
  // an episode's span is one of its impulses.
  out = run({part(3.000, 3.010, "crepitus"), part(3.015, 3.021, "cavitation"),
             part(3.021 + kTrainGapS + 0.01, 3.220, "crepitus")});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(3.000));
  CHECK(out[0].offset_s == doctest::Approx(3.220));
  // A pop further than a train's pause from any grinding stays a pop.
  out = run({part(3.000, 3.010, "crepitus"), part(3.010 + kTrainGapS + 0.01, 3.126, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
  // A thrust whose pops alternate with parts called crepitus keeps its later
  // pops: a short grinding part takes one pop at most.
  out = run({part(4.000, 4.008, "crepitus"), part(4.012, 4.015, "cavitation"), part(4.024, 4.030, "crepitus"),
             part(4.036, 4.039, "cavitation"), part(4.048, 4.052, "crepitus"), part(4.060, 4.063, "cavitation")});
  for (double pop_s : {4.036, 4.060}) {
    CAPTURE(pop_s);
    CHECK(std::count_if(out.begin(), out.end(), [&](const Event& e) {
            return e.class_name == "cavitation" && std::fabs(e.onset_s - pop_s) < 1e-9;
          }) == 1);
  }
}

TEST_CASE("a pop right after a grinding episode ends, at the crepitus pace, was its last impulse") {
  auto out = run({part(1.000, 1.400, "crepitus", true), part(1.420, 1.424, "cavitation")});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].offset_s == doctest::Approx(1.424));
  // After a longer pause than a train makes it is a pop of its own.
  out = run({part(2.000, 2.400, "crepitus", true), part(2.400 + kTrainGapS + 0.02, 2.525, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
  // After a short part called crepitus (no episode) the pop stays too.
  out = run({part(3.000, 3.008, "crepitus"), part(3.020, 3.024, "cavitation")});
  REQUIRE(out.size() == 2);
  CHECK(out[1].class_name == "cavitation");
}

namespace {
size_t count_class(const std::vector<Event>& out, const char* cls) {
  return size_t(std::count_if(out.begin(), out.end(), [&](const Event& e) { return e.class_name == cls; }));
}
}  // namespace

TEST_CASE("a run of impulses too long for one thrust is one grinding episode") {
  // A crackle without friction noise: 14 short impulses 18-34 ms apart, each
  // taken for a pop on its own; live capture announced one of them.
  std::vector<Event> parts;
  double t = 1.0;
  for (int i = 0; i < 14; ++i) {
    parts.push_back(part(t, t + 0.004, "cavitation"));
    t += 0.018 + 0.004 * double(i % 5);
  }
  parts[3].early_announcements = 1;
  parts[3].early_onset_s = parts[3].onset_s;
  auto out = run(parts);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(1.0));
  CHECK(out[0].offset_s == doctest::Approx(parts.back().offset_s));
  CHECK(out[0].impulse_count == 14);
  CHECK(out[0].early_announcements == 1);
  // More pops than a thrust releases, even within a thrust's time.
  parts.clear();
  for (int i = 0; i <= kMaxThrustPops; ++i) parts.push_back(part(2.0 + 0.011 * i, 2.004 + 0.011 * i, "cavitation"));
  out = run(parts);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  // Few pops, but spread over longer than a thrust with no pause between them.
  parts.clear();
  for (int i = 0; i < 5; ++i) parts.push_back(part(3.0 + 0.07 * i, 3.004 + 0.07 * i, "cavitation"));
  out = run(parts);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  // Short impulses called other between them belong to the train as well.
  parts.clear();
  for (int i = 0; i < 12; ++i) parts.push_back(part(4.0 + 0.03 * i, 4.004 + 0.03 * i, i % 3 == 1 ? "other" : "cavitation"));
  out = run(parts);
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].impulse_count == 12);
}

TEST_CASE("a thrust's pops stay pops, however many a thrust releases") {
  // Nine pops 15 ms apart, then a second thrust half a second later.
  std::vector<Event> parts;
  for (int i = 0; i < kMaxThrustPops; ++i) parts.push_back(part(1.0 + 0.015 * i, 1.004 + 0.015 * i, "cavitation"));
  for (int i = 0; i < 5; ++i) parts.push_back(part(1.7 + 0.02 * i, 1.704 + 0.02 * i, "cavitation"));
  auto out = run(parts);
  CHECK(out.size() == parts.size());
  CHECK(count_class(out, "cavitation") == parts.size());
  // A part of several impulses called grinding among a thrust's pops (pops
  // overlapping each other's ringing) does not turn the thrust into grinding.
  Event overlap = part(2.030, 2.055, "crepitus");
  overlap.impulse_count = kMinTrainImpulses;
  out = run({part(2.000, 2.004, "cavitation"), part(2.015, 2.019, "cavitation"), overlap,
             part(2.070, 2.074, "cavitation")});
  CHECK(count_class(out, "cavitation") == 3);
  // A lone pop beside such a part is one of its impulses.
  out = run({part(3.000, 3.004, "cavitation"), [] {
               Event e = part(3.010, 3.070, "crepitus");
               e.impulse_count = kMinTrainImpulses;
               return e;
             }()});
  REQUIRE(out.size() == 1);
  CHECK(out[0].class_name == "crepitus");
  CHECK(out[0].onset_s == doctest::Approx(3.000));
}

TEST_CASE("sounds that are no joint impulse pass the run guard unchanged and in order") {
  const auto out = run({part(1.000, 1.004, "cavitation"), part(1.020, 1.024, "cavitation"),
                        part(1.060, 1.140, "snap"), part(2.000, 2.300, "other")});
  REQUIRE(out.size() == 4);
  CHECK(out[0].class_name == "cavitation");
  CHECK(out[1].class_name == "cavitation");
  CHECK(out[2].class_name == "snap");
  CHECK(out[3].class_name == "other");
  for (size_t i = 1; i < out.size(); ++i) CHECK(out[i].onset_s > out[i - 1].onset_s);
}
