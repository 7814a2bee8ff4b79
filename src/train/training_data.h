#pragma once
// Turns labelled recordings into training examples for the event classifier:
// the engine's raw candidates on each recording, each given the class of the
// reference event it belongs to.
//  - A candidate whose onset is within collar_s of a reference onset takes
//    that reference's class (one candidate per reference, closest first; a
//    reference without a channel, or on another channel of a bilateral
//    recording, matches candidates on every channel).
//  - A candidate inside a crepitus or "other" reference (a later part of one
//    grinding episode or utterance) takes its class too: the merger joins it.
//  - Everything else is "background": something the detector picked up that
//    a listener would not mark (a snap's ringing, a slide, noise).
// Examples are kept per recording so splits are by recording, never by event.
#include <string>
#include <vector>

#include "datasets/labels.h"
#include "src/engine/engine.h"

namespace popscope {

// The classifier's outputs: the four event classes and "background" (dropped).
const std::vector<std::string>& training_classes();
constexpr const char* kBackgroundClass = "background";

struct LabelledRecording {
  std::string audio_path;
  std::string labels_path;
};

struct RecordingExamples {
  std::string audio_path;
  std::vector<Event> candidates;  // the engine's events without a classifier, sorted by onset
  std::vector<int> targets;       // index into training_classes(), one per candidate
  std::vector<labels::LabelEvent> references;
  double duration_s = 0;
};

std::vector<int> assign_targets(const std::vector<Event>& candidates, const std::vector<labels::LabelEvent>& refs,
                                double collar_s = 0.02);

// Runs the engine (no classifier) on each recording, jobs at a time.
// Throws InputError naming the first recording that could not be used.
// With early_decision_s > 0 the examples are the engine's early looks at
// every transient (early_looks_of_file) instead of its final candidates.
std::vector<RecordingExamples> collect_examples(const std::vector<LabelledRecording>& recordings,
                                                const DetectorSettings& settings, int jobs,
                                                bool show_progress, double early_decision_s = 0);

// Finds labelled recordings in folders (audio with a label file beside it).
std::vector<LabelledRecording> find_recordings(const std::vector<std::string>& dirs);

}  // namespace popscope

namespace popscope {
class EventClassifier;
// Classifies a recording's raw candidates the way the engine does (drops
// background, merges crepitus/other parts), for scoring without re-analysis.
std::vector<Event> classify_candidates(const std::vector<Event>& candidates, const EventClassifier& classifier);
}  // namespace popscope
