#include "src/engine/sides.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "src/engine/postprocess.h"

namespace popscope {

std::vector<std::string> split_channel_names(const std::string& text) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  std::stringstream ss(text);
  for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
  return names;
}

std::vector<std::string> default_channel_names(int channels) {
  if (channels == 2) return {"left", "right"};
  std::vector<std::string> names;
  for (int c = 0; c < channels; ++c) names.push_back("ch" + std::to_string(c + 1));
  return names;
}

std::vector<Event> merge_channels(const std::vector<Event>& events, const std::vector<std::string>& names,
                                  double window_s) {
  if (names.size() < 2) return events;
  std::vector<Event> out;
  std::vector<bool> used(events.size(), false);
  auto name_of = [&](int ch) {
    return size_t(ch) < names.size() ? names[size_t(ch)] : "ch" + std::to_string(ch + 1);
  };
  for (size_t i = 0; i < events.size(); ++i) {
    if (used[i]) continue;
    Event merged = events[i];
    used[i] = true;
    const Event* loudest = &events[i];
    std::vector<const Event*> group{&events[i]};
    // A grinding episode: parts of its far copy, or impulses of it taken for
    // pops, may come in several pieces on the other channel while it sounds.
    const bool episode = events[i].class_name == "crepitus" &&
                         events[i].offset_s - events[i].onset_s >= kMinGrindingEpisodeS;
    double span_end = events[i].offset_s;
    std::vector<const Event*> pieces;
    const double reach_s = is_mergeable_class(events[i].class_name) ? std::max(window_s, kLongSoundSideWindowS) : window_s;
    for (size_t j = i + 1; j < events.size(); ++j) {
      const double dt = events[j].onset_s - events[i].onset_s;
      if (dt > reach_s && !(episode && events[j].onset_s < span_end)) break;
      if (used[j]) continue;
      bool channel_taken = false;
      for (const Event* g : group) channel_taken = channel_taken || g->channel == events[j].channel;
      // Past the pop window only the far copy of the same extended sound:
      // same class, starting while the first copy still sounds.
      const bool copy = !channel_taken && dt <= reach_s &&
                        (dt <= window_s || (events[j].class_name == events[i].class_name &&
                                            events[j].onset_s < events[i].offset_s));
      if (copy) {
        used[j] = true;
        group.push_back(&events[j]);
        if (events[j].peak_dbfs > loudest->peak_dbfs) loudest = &events[j];
        span_end = std::max(span_end, events[j].offset_s);
        continue;
      }
      // Inside the episode as either sensor hears it: crepitus parts and
      // single pops are pieces of it (a joint does not cavitate in the middle
      // of grinding, see EventMerger).
      if (episode && events[j].onset_s < span_end &&
          (events[j].class_name == "crepitus" || (events[j].class_name == "cavitation" && !events[j].is_train))) {
        used[j] = true;
        pieces.push_back(&events[j]);
        span_end = std::max(span_end, events[j].offset_s);
      }
    }
    for (const Event* p : pieces) {
      merged.offset_s = std::max(merged.offset_s, p->offset_s);
      merged.offset_sample = std::max(merged.offset_sample, p->offset_sample);
      carry_early_announcements(merged, *p);
    }
    for (size_t k = 1; k < group.size(); ++k) carry_early_announcements(merged, *group[k]);
    if (group.size() == 1) {
      merged.side = name_of(merged.channel);
      out.push_back(merged);
      continue;
    }
    // The earliest arrival names the side when the level agrees (or is
    // clearly different); otherwise the side is uncertain.
    const Event* first = group.front();
    double second_peak = -1e9;
    for (const Event* g : group)
      if (g != loudest) second_peak = std::max(second_peak, g->peak_dbfs);
    const double level_diff = loudest->peak_dbfs - second_peak;
    if (first == loudest || level_diff >= kSideLevelDb) merged.side = name_of(loudest->channel);
    else merged.side = "both/uncertain";
    merged.channel = loudest->channel;
    merged.peak_dbfs = loudest->peak_dbfs;
    merged.peak_s = loudest->peak_s;
    merged.peak_sample = loudest->peak_sample;
    merged.features = loudest->features;
    // The near sensor hears the sound best: its copy's class counts. The far
    // copy, 3-10 dB quieter and filtered by the tissue between, is often
    // classified as something else, yet it is the same sound.
    merged.class_name = loudest->class_name;
    merged.confidence = loudest->confidence;
    for (const Event* g : group) {
      merged.offset_s = std::max(merged.offset_s, g->offset_s);
      merged.offset_sample = std::max(merged.offset_sample, g->offset_sample);
    }
    out.push_back(merged);
  }
  return out;
}

std::vector<Event> ChannelJoiner::take(double settled_s, bool everything) {
  auto by_onset = [](const Event& a, const Event& b) { return a.onset_s < b.onset_s; };
  std::stable_sort(pending_.begin(), pending_.end(), by_onset);
  // Runs of events that may belong to one sound: each starts before the
  // reach of an earlier one (its copies start within the side window, its
  // pieces while it sounds). A run goes out when the engine has settled past
  // all of it, so no copy or piece of its sounds can still come.
  auto reach = [](const Event& e) { return std::max(e.onset_s + kLongSoundSideWindowS, e.offset_s); };
  std::vector<Event> ready, keep;
  const bool single = names_.size() < 2;
  size_t i = 0;
  while (i < pending_.size()) {
    size_t j = i;
    double end = reach(pending_[i]);
    while (j + 1 < pending_.size() && pending_[j + 1].onset_s <= end) end = std::max(end, reach(pending_[++j]));
    const bool due = everything || single || end < settled_s;
    for (size_t k = i; k <= j; ++k) (due ? ready : keep).push_back(std::move(pending_[k]));
    i = j + 1;
  }
  pending_.swap(keep);
  return merge_channels(ready, names_);
}

}  // namespace popscope
