#include "src/engine/postprocess.h"

#include <algorithm>
#include <limits>
#include <map>

namespace popscope {

bool is_mergeable_class(const std::string& c) { return c == "crepitus" || c == "other"; }

namespace {
// Evidence a part brings to its class: its length times its confidence.
double part_mass(const Event& e) { return std::max(e.offset_s - e.onset_s, 0.001) * std::max(e.confidence, 1e-3); }
// A merged event's peak is its loudest part's.
void take_louder_peak(Event& into, const Event& from) {
  if (from.peak_dbfs <= into.peak_dbfs) return;
  into.peak_dbfs = from.peak_dbfs;
  into.peak_s = from.peak_s;
  into.peak_sample = from.peak_sample;
}
// Context makes a part a pop: its confidence becomes the model's own
// probability that it is one (the confidence of the class it had says nothing
// about that).
void become_pop(Event& e) {
  e.class_name = "cavitation";
  if (e.pop_probability >= 0) e.confidence = e.pop_probability;
}
}  // namespace

bool EventMerger::is_single_impulse(const Event& e) {
  return !e.is_train && e.impulse_count == 1 && e.offset_s - e.onset_s <= kMaxThrustImpulseS;
}

bool EventMerger::votes(const Event& e) {
  return e.pop_probability >= 0 && e.crepitus_probability >= 0 && e.other_probability >= 0 &&
         (e.class_name == "cavitation" || e.class_name == "crepitus" || e.class_name == "other") &&
         is_single_impulse(e);
}

void EventMerger::push(Event e, std::vector<Event>& out) {
  const bool voter = votes(e);
  const bool joins = voter && e.onset_s - vote_last_onset_s_ <= kThrustVoteSpacingS;
  if (!joins) {
    if (vote_n_ > 0 && e.class_name == "crepitus" && !voter && e.onset_s - vote_last_onset_s_ <= kThrustVoteSpacingS)
      vote_bordered_ = true;  // grinding goes on from the run
    close_vote(out);
    vote_overlong_ = false;
  }
  if (!voter) {
    if (e.class_name == "crepitus") last_grinding_end_s_ = std::max(last_grinding_end_s_, e.offset_s);
    vote_last_onset_s_ = -1e18;
    merge(std::move(e), out);
    return;
  }
  vote_last_onset_s_ = e.onset_s;
  if (vote_overlong_) {
    merge(std::move(e), out);
    return;
  }
  if (vote_n_ == 0) vote_bordered_ = e.onset_s - last_grinding_end_s_ <= kThrustVoteSpacingS;
  if (vote_n_ == vote_parts_.size() || (vote_n_ > 0 && e.onset_s - vote_parts_[0].onset_s > kThrustVoteSpanS)) {
    // Too many or too long for one thrust: no vote for this run.
    vote_bordered_ = true;
    close_vote(out);
    vote_overlong_ = true;
    merge(std::move(e), out);
    return;
  }
  vote_parts_[vote_n_++] = std::move(e);
}

void EventMerger::close_vote(std::vector<Event>& out) {
  if (vote_n_ == 0) return;
  if (vote_n_ >= 2 && !vote_bordered_) {
    bool named_pop = false;
    double pop = 0, crepitus = 0, other = 0;
    for (size_t i = 0; i < vote_n_; ++i) {
      const Event& p = vote_parts_[i];
      named_pop = named_pop || p.class_name == "cavitation";
      pop += p.pop_probability;
      crepitus += p.crepitus_probability;
      other += p.other_probability;
    }
    if (named_pop && pop >= crepitus && pop >= other)
      for (size_t i = 0; i < vote_n_; ++i)
        if (vote_parts_[i].class_name != "cavitation") become_pop(vote_parts_[i]);
  }
  const size_t n = vote_n_;
  vote_n_ = 0;
  vote_bordered_ = false;
  for (size_t i = 0; i < n; ++i) merge(std::move(vote_parts_[i]), out);
}

void EventMerger::merge(Event e, std::vector<Event>& out) {
  if (pending_) {
    Event& p = *pending_;
    if (p.class_name == "snap" && e.onset_s - p.offset_s <= kRingJoinS && e.onset_s - p.onset_s <= kMaxSnapRingS &&
        (e.class_name == "snap" || e.class_name == "other")) {
      // The detector cut the snap's ringing where a second transient rose in
      // it; the part that follows without a pause is the same snap.
      p.offset_s = std::max(p.offset_s, e.offset_s);
      p.offset_sample = std::max(p.offset_sample, e.offset_sample);
      p.impulse_count += e.impulse_count;
      carry_early_announcements(p, e);
      return;
    }
    if (p.class_name == "cavitation" && e.class_name == "crepitus" && !held_ && e.onset_s - p.offset_s <= kGrindLeadS) {
      lead_pop_ = std::move(pending_);  // decided when the grinding is released
      pending_.reset();
    } else {
      emit(pending_, out);
    }
  }
  // Thrust context (see the header): a single short impulse 10-30 ms from a
  // pop is a pop of the same thrust, whatever it looked like on its own.
  bool relabelled = false;
  if (e.class_name == "cavitation" && !e.is_train && held_ && enclosed_ == 0 && mass_.size() == 1 &&
      is_single_impulse(*held_) && e.onset_s > held_->onset_s && e.onset_s - held_->onset_s <= kThrustPopSpacingS &&
      (mass_.count("other") || held_->onset_s - last_pop_onset_s_ <= kThrustPopSpacingS)) {
    become_pop(*held_);
    emit(lead_pop_, out);
    output(std::move(*held_), out);
    held_.reset();
    mass_.clear();
    weighted_conf_.clear();
  } else if (e.class_name == "other" && is_single_impulse(e) &&
             e.onset_s - last_pop_onset_s_ <= kThrustPopSpacingS && !(held_ && mass_.count("crepitus"))) {
    become_pop(e);
    relabelled = true;
  }
  if (e.class_name == "snap" && held_ && enclosed_ == 0 && !held_train_ && e.onset_s - held_->offset_s <= kSlideLeadS &&
      held_->offset_s - held_->onset_s <= kMaxSlideS && held_->peak_dbfs <= e.peak_dbfs - kSlideBelowSnapDb) {
    // The soft slide leading into this snap: heard, but not a sound of its own.
    emit(lead_pop_, out);
    held_.reset();
    mass_.clear();
    weighted_conf_.clear();
  }
  if (held_) {
    // Parts of one grinding episode or one non-joint sound can be classified
    // differently one by one (a faint impulse of a grinding episode looks like
    // a click); consecutive parts within the gap are one event whose class is
    // the one with the most evidence.
    // Grinding pauses between impulses for up to gap_s; separate non-joint
    // sounds (knocks, claps) can follow each other closer than that, so two
    // "other" parts join only across a short gap.
    const bool held_grinding = mass_.count("crepitus") > 0;
    // Only a grinding episode keeps pops back: one with a part the detector
    // found to be an impulse train, or already as long as the shortest
    // crepitus episode (0.1 s, DOMAIN.md "The classes"). A pop of a thrust
    // taken for grinding on its own must not swallow the pops after it.
    const bool held_episode =
        held_grinding && (held_train_ || held_->offset_s - held_->onset_s >= kMinGrindingEpisodeS);
    const bool grinding = e.class_name == "crepitus" || held_grinding;
    // A non-joint sound that goes on after a pause (speech between words,
    // rustle) rises slowly again; a new impulsive one (keystroke, knock,
    // clap, click) reaches its peak within a few ms. Slowly rising parts join
    // across the longer gap.
    const bool continues = e.features[kRiseTimeFeature] >= kSustainedRiseS;
    const double gap = grinding || continues ? gap_s_ : other_gap_s_;
    // Grinding that is not yet an episode keeps a pop back only while its
    // impulses go on at the crepitus pace, and takes it only if grinding
    // follows at that pace too.
    const double last_end_s = enclosed_ > 0 ? enclosed_pops_[enclosed_ - 1].offset_s : held_->offset_s;
    const bool at_pace = e.onset_s - last_end_s <= kGrindLeadS;
    if (held_grinding && e.class_name == "cavitation" && !e.is_train &&
        (held_episode ? enclosed_ < kMaxEnclosedPops && e.onset_s - held_->offset_s <= gap_s_
                      : enclosed_ == 0 && !held_took_pop_ && at_pace)) {
      enclosed_pops_[enclosed_++] = std::move(e);
      return;
    }
    const bool resumes = held_episode ? is_mergeable_class(e.class_name) && e.onset_s - held_->offset_s <= gap
                                      : e.class_name == "crepitus" && at_pace;
    if (enclosed_ > 0 && resumes) {
      // Grinding went on: the kept-back impulses were part of it.
      held_took_pop_ = true;
      for (size_t i = 0; i < enclosed_; ++i) absorb(enclosed_pops_[i]);
      enclosed_ = 0;
    }
    // Keystrokes and mouse clicks (DOMAIN.md "The classes": keyboard): a
    // press, then a release; fast-rising "other" parts held after a pause take
    // one more click after a pause, and the next one is the next key.
    const bool paused = e.onset_s - held_->offset_s >= kClickPauseS;
    const bool next_click = !grinding && !continues && held_clicks_ >= 2 && paused;
    if (is_mergeable_class(e.class_name) && e.onset_s - held_->offset_s <= gap && !next_click) {
      Event& h = *held_;
      held_clicks_ = !grinding && !continues && held_clicks_ > 0 ? held_clicks_ + paused : 0;
      absorb(e);
      take_louder_peak(h, e);
      held_train_ = held_train_ || e.is_train;
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
    held_train_ = e.is_train;
    held_clicks_ = e.class_name == "other" && e.features[kRiseTimeFeature] < kSustainedRiseS ? 1 : 0;
    held_took_pop_ = false;
    held_ = std::move(e);
  } else {
    if (e.class_name == "cavitation" && !relabelled) last_pop_onset_s_ = e.onset_s;
    if (e.class_name == "cavitation" || e.class_name == "snap")
      pending_ = std::move(e);
    else
      output(std::move(e), out);
  }
}

void EventMerger::absorb(const Event& e) {
  Event& h = *held_;
  h.offset_s = std::max(h.offset_s, e.offset_s);
  h.offset_sample = std::max(h.offset_sample, e.offset_sample);
  h.impulse_count += e.impulse_count;
  h.is_train = true;
  carry_early_announcements(h, e);
}

void carry_early_announcements(Event& into, const Event& from) {
  if (from.early_announcements == 0) return;
  if (into.early_announcements == 0 || from.early_onset_s < into.early_onset_s) into.early_onset_s = from.early_onset_s;
  into.early_announcements += from.early_announcements;
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
  const bool episode =
      held_->class_name == "crepitus" && (held_train_ || held_->offset_s - held_->onset_s >= kMinGrindingEpisodeS);
  // Kept-back pops at the crepitus pace after the episode's end were its
  // last impulses.
  size_t first_pop = 0;
  while (episode && first_pop < enclosed_) {
    const double after_s = enclosed_pops_[first_pop].onset_s - held_->offset_s;
    if (after_s < 0 || after_s > kGrindLeadS) break;
    absorb(enclosed_pops_[first_pop++]);
  }
  if (lead_pop_ && episode) {
    // The pop was the first impulse of this grinding episode.
    Event& h = *held_;
    const Event& p = *lead_pop_;
    h.onset_s = p.onset_s;
    h.onset_sample = p.onset_sample;
    take_louder_peak(h, p);
    h.impulse_count += p.impulse_count;
    carry_early_announcements(h, p);
    lead_pop_.reset();
  }
  emit(lead_pop_, out);
  output(std::move(*held_), out);
  held_.reset();
  for (size_t i = first_pop; i < enclosed_; ++i) output(std::move(enclosed_pops_[i]), out);
  enclosed_ = 0;
}

void EventMerger::emit(std::optional<Event>& kept, std::vector<Event>& out) {
  if (!kept) return;
  output(std::move(*kept), out);
  kept.reset();
}

void EventMerger::advance(double now_s, std::vector<Event>& out) {
  // No later part can join the run (parts come in onset order, none before now_s).
  if (vote_n_ > 0 && now_s - vote_last_onset_s_ > kThrustVoteSpacingS) close_vote(out);
  if (pending_ && now_s > pending_->offset_s + (pending_->class_name == "snap" ? kRingJoinS : kGrindLeadS))
    emit(pending_, out);
  if (held_ && now_s > held_->offset_s + gap_s_) release(out);
  // What the merger still keeps back comes out later but may join the run.
  guard_.advance(std::min(now_s, kept_onset_s()), out);
}

double EventMerger::open_onset_s() const noexcept { return std::min(kept_onset_s(), guard_.open_onset_s()); }

double EventMerger::kept_onset_s() const noexcept {
  double t = std::numeric_limits<double>::infinity();
  if (held_) t = std::min(t, held_->onset_s);
  if (pending_) t = std::min(t, pending_->onset_s);
  if (lead_pop_) t = std::min(t, lead_pop_->onset_s);
  for (size_t i = 0; i < enclosed_; ++i) t = std::min(t, enclosed_pops_[i].onset_s);
  if (vote_n_ > 0) t = std::min(t, vote_parts_[0].onset_s);
  return t;
}

void EventMerger::flush(std::vector<Event>& out) {
  close_vote(out);
  emit(pending_, out);
  release(out);
  guard_.flush(out);
}

bool ImpulseRunGuard::joins_run(const Event& e) {
  if (e.class_name == "cavitation" || e.class_name == "crepitus") return true;
  // A single short impulse called other between them (an impulse of the
  // train that looked like a click on its own).
  return e.class_name == "other" && !e.is_train && e.impulse_count == 1 && e.offset_s - e.onset_s <= kMaxThrustImpulseS;
}

void ImpulseRunGuard::push(Event e, std::vector<Event>& out) {
  if (n_ > 0 && !(joins_run(e) && e.onset_s - end_s_ <= kTrainGapS)) close(out);
  if (!joins_run(e)) {
    out.push_back(std::move(e));
    return;
  }
  end_s_ = n_ == 0 ? e.offset_s : std::max(end_s_, e.offset_s);
  if (grinding_) {
    extend(parts_[0], e);
    return;
  }
  if (e.class_name == "cavitation" && pops_++ == 0) first_pop_onset_s_ = e.onset_s;
  // A grinding episode: a part as long as the shortest crepitus episode
  // (0.1 s). A shorter grinding part of kMinTrainImpulses or more impulses
  // counts only beside a lone pop: the pops of a thrust, 10-30 ms apart,
  // overlap each other's ringing and can reach the classifier as such a part.
  if (e.class_name == "crepitus") {
    long_grinding_ += e.offset_s - e.onset_s >= kMinGrindingEpisodeS;
    short_grinding_ += e.impulse_count >= kMinTrainImpulses;
  }
  const bool too_long = pops_ > kMaxThrustPops || (pops_ > 1 && e.onset_s - first_pop_onset_s_ > kThrustWindowS) ||
                        (pops_ > 0 && long_grinding_ > 0) || (pops_ == 1 && short_grinding_ > 0);
  parts_[n_++] = std::move(e);
  if (too_long || n_ == kMaxRunParts) become_grinding();
}

void ImpulseRunGuard::extend(Event& episode, const Event& part) {
  episode.offset_s = std::max(episode.offset_s, part.offset_s);
  episode.offset_sample = std::max(episode.offset_sample, part.offset_sample);
  episode.impulse_count += part.impulse_count;
  take_louder_peak(episode, part);
  carry_early_announcements(episode, part);
}

void ImpulseRunGuard::become_grinding() {
  // One episode from the first impulse to the last; its confidence is the
  // parts' mean (each was confidently a joint sound, and the run's length
  // rules out a thrust).
  Event& h = parts_[0];
  double confidence = h.confidence;
  for (size_t i = 1; i < n_; ++i) {
    extend(h, parts_[i]);
    confidence += parts_[i].confidence;
  }
  h.class_name = "crepitus";
  h.confidence = confidence / double(n_);
  h.is_train = true;
  n_ = 1;
  grinding_ = true;
}

void ImpulseRunGuard::close(std::vector<Event>& out) {
  for (size_t i = 0; i < n_; ++i) out.push_back(std::move(parts_[i]));
  reset();
}

void ImpulseRunGuard::advance(double now_s, std::vector<Event>& out) {
  if (n_ > 0 && now_s > end_s_ + kTrainGapS) close(out);
}

void ImpulseRunGuard::flush(std::vector<Event>& out) { close(out); }

double ImpulseRunGuard::open_onset_s() const noexcept {
  return n_ > 0 ? parts_[0].onset_s : std::numeric_limits<double>::infinity();
}

void ThrustGrouper::add(Event& e) {
  if (e.class_name != "cavitation") return;
  if (pops_per_thrust_.empty() || e.onset_s - last_pop_s_ > window_s_) pops_per_thrust_.push_back(0);
  const int thrust = int(pops_per_thrust_.size()) - 1;
  last_pop_s_ = e.onset_s;
  e.thrust_id = thrust;
  ++pops_per_thrust_.back();
  auto it = last_by_channel_.find(e.channel);
  e.refractory_repeat = it != last_by_channel_.end() && it->second.first != thrust &&
                        e.onset_s - it->second.second < refractory_s_;
  last_by_channel_[e.channel] = {thrust, e.onset_s};
}

std::vector<int> group_thrusts(std::vector<Event>& events, double window_s, double refractory_s) {
  ThrustGrouper grouper(window_s, refractory_s);
  for (Event& e : events) grouper.add(e);
  return grouper.pops_per_thrust();
}

}  // namespace popscope
