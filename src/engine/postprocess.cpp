#include "src/engine/postprocess.h"

#include <algorithm>
#include <map>

namespace popscope {

bool is_mergeable_class(const std::string& c) { return c == "crepitus" || c == "other"; }

void EventMerger::push(Event e, std::vector<Event>& out) {
  if (held_) {
    if (held_->class_name == e.class_name && e.onset_s - held_->offset_s <= gap_s_) {
      Event& h = *held_;
      h.offset_s = std::max(h.offset_s, e.offset_s);
      h.offset_sample = std::max(h.offset_sample, e.offset_sample);
      if (e.peak_dbfs > h.peak_dbfs) {
        h.peak_dbfs = e.peak_dbfs;
        h.peak_s = e.peak_s;
        h.peak_sample = e.peak_sample;
      }
      h.impulse_count += e.impulse_count;
      h.is_train = true;
      h.confidence = std::max(h.confidence, e.confidence);
      return;
    }
    out.push_back(std::move(*held_));
    held_.reset();
  }
  if (is_mergeable_class(e.class_name)) held_ = std::move(e);
  else out.push_back(std::move(e));
}

void EventMerger::advance(double now_s, std::vector<Event>& out) {
  if (held_ && now_s > held_->offset_s + gap_s_) {
    out.push_back(std::move(*held_));
    held_.reset();
  }
}

void EventMerger::flush(std::vector<Event>& out) {
  if (held_) out.push_back(std::move(*held_));
  held_.reset();
}

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
