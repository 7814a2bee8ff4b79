#include "src/train/training_data.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "src/cli/input_files.h"
#include "src/errors.h"
#include "src/stop_request.h"

namespace popscope {

namespace fs = std::filesystem;

const std::vector<std::string>& training_classes() {
  static const std::vector<std::string> names = {"cavitation", "crepitus", "snap", "other", kBackgroundClass};
  return names;
}

namespace {
int class_index(const std::string& label) {
  const auto& c = training_classes();
  for (size_t i = 0; i + 1 < c.size(); ++i)
    if (c[i] == label) return int(i);
  return -1;
}
}  // namespace

std::vector<int> assign_targets(const std::vector<Event>& candidates, const std::vector<labels::LabelEvent>& refs,
                                double collar_s) {
  const int background = int(training_classes().size()) - 1;
  std::vector<int> target(candidates.size(), background);
  std::vector<bool> taken(candidates.size(), false);
  int channels = 1;
  for (const Event& e : candidates) channels = std::max(channels, e.channel + 1);
  // Onset matches: per reference and channel, the closest free candidate within the collar.
  for (const auto& r : refs) {
    const int cls = class_index(r.label);
    if (cls < 0) continue;
    for (int ch = 0; ch < channels; ++ch) {
      int best = -1;
      double best_d = collar_s;
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (taken[i] || candidates[i].channel != ch) continue;
        const double d = std::fabs(candidates[i].onset_s - r.onset_s);
        if (d <= best_d) {
          best_d = d;
          best = int(i);
        }
      }
      if (best >= 0) {
        taken[size_t(best)] = true;
        target[size_t(best)] = cls;
      }
    }
  }
  // Later parts of one grinding episode or one "other" sound take its class.
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (taken[i]) continue;
    for (const auto& r : refs) {
      if (r.label != "crepitus" && r.label != "other") continue;
      if (candidates[i].onset_s >= r.onset_s && candidates[i].onset_s <= r.offset_s) {
        target[i] = class_index(r.label);
        break;
      }
    }
  }
  return target;
}

std::vector<LabelledRecording> find_recordings(const std::vector<std::string>& dirs) {
  std::vector<LabelledRecording> out;
  std::vector<std::string> unlabelled;
  const cli::InputList inputs = cli::expand_inputs(dirs, true);
  if (!inputs.errors.empty()) throw InputError(inputs.errors.front());
  for (const std::string& audio : inputs.files) {
    const fs::path p(audio);
    const std::string stem = (p.parent_path() / p.stem()).string();
    std::string found;
    for (const char* ext : {".txt", ".selections.txt", ".csv", ".jsonl", ".labels.txt"}) {
      if (fs::is_regular_file(stem + ext)) {
        found = stem + ext;
        break;
      }
    }
    if (found.empty()) unlabelled.push_back(audio);
    else out.push_back({audio, found});
  }
  if (!unlabelled.empty())
    throw InputError(unlabelled.front() + ": no label file beside it (looked for STEM.txt, STEM.selections.txt, STEM.csv, STEM.jsonl); every recording used for training needs one" +
                     (unlabelled.size() > 1 ? " (" + std::to_string(unlabelled.size()) + " recordings lack one)" : ""));
  if (out.empty()) throw InputError("no labelled recordings found in the given folders");
  return out;
}

std::vector<RecordingExamples> collect_examples(const std::vector<LabelledRecording>& recordings,
                                                const DetectorSettings& settings, int jobs, bool show_progress,
                                                double early_decision_s) {
  const size_t n = recordings.size();
  std::vector<RecordingExamples> out(n);
  std::vector<std::string> errors(n);
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mu;
  const size_t workers_n = std::clamp<size_t>(size_t(jobs > 0 ? jobs : int(std::thread::hardware_concurrency())), 1, n);
  auto work = [&] {
    for (size_t i; !stop_requested() && (i = next.fetch_add(1)) < n;) {
      try {
        const auto& rec = recordings[i];
        RecordingExamples ex;
        ex.audio_path = rec.audio_path;
        ex.candidates = early_decision_s > 0 ? early_looks_of_file(rec.audio_path, settings, early_decision_s)
                                             : analyze_file(rec.audio_path, settings, nullptr);
        auto refs = labels::read_labels(rec.labels_path);
        // A table for several recordings (Raven with Begin File): keep this one's rows.
        const std::string name = fs::path(rec.audio_path).filename().string();
        refs.erase(std::remove_if(refs.begin(), refs.end(),
                                  [&](const labels::LabelEvent& r) {
                                    return !r.file.empty() && fs::path(r.file).filename().string() != name;
                                  }),
                   refs.end());
        ex.targets = assign_targets(ex.candidates, refs);
        ex.references = std::move(refs);
        for (const Event& e : ex.candidates) ex.duration_s = std::max(ex.duration_s, e.offset_s);
        out[i] = std::move(ex);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
      const size_t d = ++done;
      if (show_progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        std::fprintf(stderr, "\r  analysing recordings %zu/%zu", d, n);
        if (d == n) std::fprintf(stderr, "\n");
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers_n; ++w) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  throw_if_stop_requested();
  for (size_t i = 0; i < n; ++i)
    if (!errors[i].empty()) throw InputError(errors[i]);
  return out;
}

}  // namespace popscope

#include "src/engine/event_classifier.h"
#include "src/engine/postprocess.h"

namespace popscope {

std::vector<Event> classify_candidates(const std::vector<Event>& candidates, const EventClassifier& classifier) {
  std::vector<Event> out;
  int channels = 0;
  for (const Event& e : candidates) channels = std::max(channels, e.channel + 1);
  for (int ch = 0; ch < channels; ++ch) {
    EventMerger merger;
    for (const Event& c : candidates) {
      if (c.channel != ch) continue;
      Event e = c;
      if (!classifier.classify(e)) continue;
      merger.advance(e.onset_s, out);
      merger.push(std::move(e), out);
    }
    merger.flush(out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) {
    return a.onset_sample != b.onset_sample ? a.onset_sample < b.onset_sample : a.channel < b.channel;
  });
  return out;
}

}  // namespace popscope
