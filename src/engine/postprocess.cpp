#include "src/engine/postprocess.h"

#include <algorithm>
#include <map>

namespace popscope {

bool is_mergeable_class(const std::string& c) { return c == "crepitus" || c == "other"; }

namespace {
// Evidence a part brings to its class: its length times its confidence.
double part_mass(const Event& e) { return std::max(e.offset_s - e.onset_s, 0.001) * std::max(e.confidence, 1e-3); }
}  // namespace

void EventMerger::push(Event e, std::vector<Event>& out) {
  if (held_) {
    // Parts of one grinding episode or one non-joint sound can be classified
    // differently one by one (a faint impulse of a grinding episode looks like
    // a click); consecutive parts within the gap are one event whose class is
    // the one with the most evidence.
    // Grinding pauses between impulses for up to gap_s; separate non-joint
    // sounds (knocks, claps) can follow each other closer than that, so two
    // "other" parts join only across a short gap.
    const bool grinding = e.class_name == "crepitus" || mass_.count("crepitus");
    const double gap = grinding ? gap_s_ : other_gap_s_;
    if (is_mergeable_class(e.class_name) && e.onset_s - held_->offset_s <= gap) {
      Event& h = *held_;
      h.offset_s = std::max(h.offset_s, e.offset_s);
      h.offset_sample = std::max(h.offset_sample, e.offset_sample);
      if (e.peak_dbfs > h.peak_dbfs) {
        h.peak_dbfs = e.peak_dbfs;
        h.peak_s = e.peak_s;
        h.peak_sample = e.peak_sample;
      }
      h.impulse_count += e.impulse_count;
      if (h.early_announcements == 0) h.early_onset_s = e.early_onset_s;
      h.early_announcements += e.early_announcements;
      h.is_train = true;
      mass_[e.class_name] += part_mass(e);
      weighted_conf_[e.class_name] += part_mass(e) * e.confidence;
      return;
    }
    release(out);
  }
  if (is_mergeable_class(e.class_name)) {
    mass_.clear();
    weighted_conf_.clear();
    mass_[e.class_name] = part_mass(e);
    weighted_conf_[e.class_name] = part_mass(e) * e.confidence;
    held_ = std::move(e);
  } else {
    out.push_back(std::move(e));
  }
}

void EventMerger::release(std::vector<Event>& out) {
  if (!held_) return;
  std::string best;
  double best_mass = -1;
  for (const auto& [name, m] : mass_)
    if (m > best_mass) {
      best_mass = m;
      best = name;
    }
  if (!best.empty()) {
    held_->class_name = best;
    held_->confidence = weighted_conf_[best] / best_mass;
  }
  out.push_back(std::move(*held_));
  held_.reset();
}

void EventMerger::advance(double now_s, std::vector<Event>& out) {
  if (held_ && now_s > held_->offset_s + gap_s_) release(out);
}

void EventMerger::flush(std::vector<Event>& out) { release(out); }

std::vector<int> group_thrusts(std::vector<Event>& events, double window_s, double refractory_s) {
  std::vector<int> pops_per_thrust;
  double last_pop_s = -1e18;
  int thrust = -1;
  // Per channel: the thrust and time of its latest pop.
  std::map<int, std::pair<int, double>> last_by_channel;
  for (Event& e : events) {
    if (e.class_name != "cavitation") continue;
    if (thrust < 0 || e.onset_s - last_pop_s > window_s) {
      ++thrust;
      pops_per_thrust.push_back(0);
    }
    last_pop_s = e.onset_s;
    e.thrust_id = thrust;
    ++pops_per_thrust[size_t(thrust)];
    auto it = last_by_channel.find(e.channel);
    e.refractory_repeat = it != last_by_channel.end() && it->second.first != thrust &&
                          e.onset_s - it->second.second < refractory_s;
    last_by_channel[e.channel] = {thrust, e.onset_s};
  }
  return pops_per_thrust;
}

}  // namespace popscope
