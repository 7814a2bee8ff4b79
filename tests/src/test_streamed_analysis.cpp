// A recording's events go out as they settle (stream_recording,
// EventStreamWriter, AtomicFileStream), never all held: the stream must give
// exactly what the whole-recording analysis gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/synth_scene.h"
#include "src/engine/analyze_recording.h"
#include "src/engine/engine.h"
#include "src/engine/model_classifier.h"
#include "src/engine/postprocess.h"
#include "src/engine/sides.h"
#include "src/errors.h"
#include "src/io/atomic_file.h"
#include "src/io/audio_file_writer.h"
#include "src/io/event_writer.h"
#include "tests/support/test_support.h"

using namespace popscope;

namespace {

std::string write_scene(const test::TempDir& dir, synth::Profile profile, int channels, int rate_hz, uint64_t seed) {
  synth::SceneSpec spec;
  spec.profile = profile;
  spec.channels = channels;
  spec.rate_hz = rate_hz;
  spec.length_s = 60;
  const auto sc = synth::synth_scene(spec, seed);
  const std::string path = dir.file("scene" + std::to_string(seed) + ".wav");
  write_audio_file(path, rate_hz, sc.channels);
  return path;
}

struct Streamed {
  std::vector<Event> events;
  size_t batches = 0;
  size_t largest_batch = 0;
  std::vector<int> pops_per_thrust;
};

Streamed stream(const std::string& path, const EventClassifier& classifier, size_t block) {
  Streamed s;
  const auto info = stream_recording(path, DetectorSettings{}, &classifier, {}, block, nullptr,
                                     [&](std::vector<Event>& batch) {
                                       ++s.batches;
                                       s.largest_batch = std::max(s.largest_batch, batch.size());
                                       s.events.insert(s.events.end(), batch.begin(), batch.end());
                                     });
  s.pops_per_thrust = info.pops_per_thrust;
  return s;
}

}  // namespace

TEST_CASE("a recording streamed a batch at a time gives the whole-recording events, joined and grouped alike") {
  const ModelClassifier classifier(default_model(), DetectorSettings{}.analysis_rate_hz, "default");
  test::TempDir dir;
  struct Case {
    synth::Profile profile;
    int channels;
    int rate_hz;
    uint64_t seed;
  };
  size_t thrusts = 0, sided = 0;
  for (const Case& c : {Case{synth::Profile::kClinic, 2, 48000, 11}, Case{synth::Profile::kKnee, 2, 44100, 12},
                        Case{synth::Profile::kHome, 1, 48000, 13}, Case{synth::Profile::kClinic, 1, 16000, 14}}) {
    const std::string path = write_scene(dir, c.profile, c.channels, c.rate_hz, c.seed);
    // The whole recording at once: sort, join the channels, group the thrusts.
    auto whole = analyze_file(path, DetectorSettings{}, &classifier);
    if (c.channels > 1) whole = merge_channels(whole, default_channel_names(c.channels));
    const auto whole_thrusts = group_thrusts(whole);
    REQUIRE(whole.size() > 12);
    for (size_t block : {333u, 4096u}) {
      CAPTURE(c.seed);
      CAPTURE(block);
      const Streamed s = stream(path, classifier, block);
      // Events come out while the file is read, not all at the end.
      CHECK(s.batches > 5);
      CHECK(s.largest_batch < whole.size() / 2);
      REQUIRE(s.events.size() == whole.size());
      for (size_t i = 0; i < whole.size(); ++i) {
        CAPTURE(i);
        CHECK(s.events[i].onset_sample == whole[i].onset_sample);
        CHECK(s.events[i].offset_sample == whole[i].offset_sample);
        CHECK(s.events[i].channel == whole[i].channel);
        CHECK(s.events[i].class_name == whole[i].class_name);
        CHECK(s.events[i].confidence == whole[i].confidence);
        CHECK(s.events[i].side == whole[i].side);
        CHECK(s.events[i].thrust_id == whole[i].thrust_id);
        CHECK(s.events[i].refractory_repeat == whole[i].refractory_repeat);
        CHECK(s.events[i].features == whole[i].features);
      }
      CHECK(s.pops_per_thrust == whole_thrusts);
      thrusts += whole_thrusts.size();
      for (const auto& e : whole) sided += e.side == "both/uncertain" || e.side == "right";
    }
  }
  // The scenes have thrusts and two-sided sounds, so grouping and joining were exercised.
  CHECK(thrusts > 10);
  CHECK(sided > 10);
}

TEST_CASE("events written a batch at a time are laid out as when written all at once, in every format") {
  const ModelClassifier classifier(default_model(), DetectorSettings{}.analysis_rate_hz, "default");
  test::TempDir dir;
  const std::string path = write_scene(dir, synth::Profile::kClinic, 2, 48000, 21);
  const RecordingAnalysis a = analyze_recording(path, DetectorSettings{}, &classifier);
  REQUIRE(a.events.size() > 20);
  for (EventFormat format :
       {EventFormat::kTable, EventFormat::kJsonl, EventFormat::kCsv, EventFormat::kAudacity, EventFormat::kRaven}) {
    for (bool header : {true, false}) {
      for (size_t batch : {size_t(1), size_t(7), a.events.size()}) {
        CAPTURE(event_format_name(format));
        CAPTURE(header);
        CAPTURE(batch);
        const std::string out = dir.file("out.txt");
        std::FILE* f = std::fopen(out.c_str(), "w+");
        REQUIRE(f);
        size_t header_bytes = 0;
        {
          EventStreamWriter w(path, format, header, f, out);
          w.write({});  // an empty batch writes nothing
          for (size_t k = 0; k < a.events.size(); k += batch)
            w.write(std::vector<Event>(a.events.begin() + long(k),
                                       a.events.begin() + long(std::min(k + batch, a.events.size()))));
          w.finish();
          CHECK(w.events() == a.events.size());
          header_bytes = w.header_bytes();
        }
        std::fclose(f);
        const std::string text = test::read_text(out);
        CHECK(text == format_events(path, a.events, format, header));
        const bool has_header_line = header && (format == EventFormat::kCsv || format == EventFormat::kRaven);
        CHECK(header_bytes == (has_header_line ? text.find('\n') + 1 : 0));
      }
    }
  }
  // A Raven table names the file's columns also when the file has no events.
  CHECK(format_events(path, {}, EventFormat::kRaven, true).find("Begin File") != std::string::npos);
  CHECK(format_events(path, {}, EventFormat::kTable, true).rfind(path + ": 0 events\n", 0) == 0);
}

TEST_CASE("a file written a piece at a time replaces its target only when committed") {
  test::TempDir dir;
  const std::string path = dir.file("labels.txt");
  test::write_text(path, "earlier labels\n");
  {
    AtomicFileStream out(path);
    std::fputs("half of the new labels", out.file());
    // Destroyed without commit (an error or a stop on the way).
  }
  CHECK(test::read_text(path) == "earlier labels\n");
  {
    AtomicFileStream out(path, 0600);
    std::fputs("new labels\n", out.file());
    CHECK(test::read_text(path) == "earlier labels\n");  // not before the commit
    out.commit();
  }
  CHECK(test::read_text(path) == "new labels\n");
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);
  // Only the target is left: no temporary file beside it.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  CHECK(files == 1);
  CHECK_THROWS_AS(AtomicFileStream(dir.file("no-such-folder/labels.txt")), OutputError);
}
