#include "dsp/event_tracker.h"

#include <algorithm>
#include <cmath>

namespace popscope::dsp {

namespace {
// Sum of squares of samples [from, from + n) of the history.
double window_energy(const SampleHistory& h, int64_t from, int64_t n) noexcept {
  double e = 0;
  for (int64_t s = from; s < from + n; ++s) e += double(h.at(s)) * h.at(s);
  return e;
}
}  // namespace

void EventTracker::prepare() {
  transients_.clear();
  transients_.reserve(config_.max_transients);
  reset();
}

void EventTracker::reset() noexcept {
  transients_.clear();
  low_margin_db_ = prev_low_margin_db_ = 0;
  active_ = false;
  episode_start_hop_ = last_above_hop_ = 0;
  below_hops_ = 0;
}

int64_t EventTracker::refine_onset(int64_t hop, float background_rms, const SampleHistory& h) const noexcept {
  const int64_t H = int64_t(config_.hop_samples);
  const int64_t s0 = std::max(h.begin(), (hop - 5) * H);
  const int64_t s1 = std::min(h.end(), (hop + 2) * H);
  const int64_t p0 = std::max(h.begin(), s0 - 3 * H);
  const double pre = window_energy(h, p0, s0 - p0);
  const double pre_rms = s0 > p0 ? std::sqrt(pre / double(s0 - p0)) : 0.0;
  float peak = 0;
  const int64_t peak_end = std::min(h.end(), (hop + 4) * H);
  for (int64_t s = s0; s < peak_end; ++s) peak = std::max(peak, std::fabs(h.at(s)));
  const double thr = std::max({4.0 * double(background_rms), 3.0 * pre_rms, 0.15 * double(peak)});
  for (int64_t s = s0; s < s1; ++s)
    if (std::fabs(h.at(s)) > thr) return s;
  return hop * H;
}

void EventTracker::start_transient(int64_t hop, const HopValues& v, const SampleHistory& h, bool soft) noexcept {
  if (transients_.size() >= config_.max_transients) return;
  Transient t;
  t.onset_hop = hop;
  t.soft = soft;
  // Provisional; refined to the sample when the episode closes and every
  // sample around the onset is known.
  t.onset_sample = std::max<int64_t>(0, (hop - 1) * int64_t(config_.hop_samples));
  if (!transients_.empty() && t.onset_sample <= transients_.back().onset_sample)
    t.onset_sample = transients_.back().onset_sample + 1;
  t.peak_activity_db = v.activity_db;
  t.last_above_hop = hop;
  t.background_dbfs = background_dbfs(v);
  transients_.push_back(t);
  ++serial_;
}

int64_t EventTracker::refined_onset(const Transient& t, int64_t previous_onset,
                                    const SampleHistory& h) const noexcept {
  const float bg_rms = std::pow(10.0f, t.background_dbfs / 20.0f);
  int64_t onset = refine_onset(t.onset_hop, bg_rms, h);
  if (previous_onset >= 0 && onset <= previous_onset) onset = previous_onset + 1;
  return onset;
}

double EventTracker::quiet_rms_before(int64_t onset, const SampleHistory& h) const noexcept {
  const int64_t win = std::max<int64_t>(int64_t(config_.hop_samples), int64_t(0.005 * config_.sample_rate_hz));
  const int64_t end = onset - int64_t(0.001 * config_.sample_rate_hz);
  double quietest = -1;
  for (int w = 1; w <= 4; ++w) {
    const int64_t from = end - w * win;
    if (from < h.begin()) break;
    const double e = window_energy(h, from, win);
    quietest = quietest < 0 ? e : std::min(quietest, e);
  }
  return quietest > 0 ? std::sqrt(quietest / double(win)) : 0.0;
}

void EventTracker::measure_transient(Transient& t, int64_t end_sample, double noise_rms,
                                     const SampleHistory& h) const noexcept {
  const float bg_rms = std::pow(10.0f, t.background_dbfs / 20.0f);
  const int64_t onset = t.onset_sample;
  t.peak_abs = 0;
  t.peak_sample = onset;
  const int64_t stop = std::max(onset + 1, std::min(end_sample, h.end()));
  for (int64_t s = onset; s < stop; ++s) {
    const float a = std::fabs(h.at(s));
    if (a > t.peak_abs) {
      t.peak_abs = a;
      t.peak_sample = s;
    }
  }
  // Offset: where a 5 ms RMS envelope has fallen back to within 6 dB of the
  // background (or 50 dB below the peak) for two frames in a row.
  const int64_t H = int64_t(config_.hop_samples);
  const int64_t win = std::max<int64_t>(H, int64_t(0.005 * config_.sample_rate_hz));
  const double floor = std::max(2.0 * std::max(double(bg_rms), noise_rms), 0.003 * double(t.peak_abs));
  int below = 0;
  t.offset_sample = stop;
  for (int64_t p = t.peak_sample; p + win <= stop; p += H) {
    const double e = window_energy(h, p, win);
    if (std::sqrt(e / double(win)) < floor) {
      if (++below == 2) {
        t.offset_sample = p - H + win / 2;
        break;
      }
    } else {
      below = 0;
    }
  }
}

float EventTracker::fall_db(int64_t from, int64_t to, const SampleHistory& h) const noexcept {
  // 5 ms RMS windows a hop apart (as the offset's): the loudest, then the
  // quietest after it.
  const int64_t H = int64_t(config_.hop_samples);
  const int64_t win = std::max<int64_t>(H, int64_t(0.005 * config_.sample_rate_hz));
  from = std::max(from, h.begin());
  to = std::min(to, h.end());
  double loudest = 0, quietest = 0;
  for (int64_t p = from; p + win <= to; p += H) {
    const double e = window_energy(h, p, win);
    if (e > loudest) {
      loudest = quietest = e;
    } else {
      quietest = std::min(quietest, e);
    }
  }
  return loudest > 0 ? float(10.0 * std::log10(loudest / std::max(quietest, 1e-30))) : 0.0f;
}

void EventTracker::process(int64_t n, const HopValues& v, bool onset_prev_hop, const SampleHistory& h,
                           std::vector<Candidate>& out) noexcept {
  prev_low_margin_db_ = low_margin_db_;
  {
    float others = -1000;
    for (size_t b = 1; b < kActivityBands; ++b) others = std::max(others, v.band_db[b] - v.floor_db[b]);
    low_margin_db_ = v.band_db[0] - v.floor_db[0] - others;
  }
  if (onset_prev_hop && active_ && !transients_.empty() &&
      double(n - 1 - transients_.back().onset_hop) * double(config_.hop_samples) <=
          config_.ring_join_s * config_.sample_rate_hz &&
      std::min(low_margin_db_, prev_low_margin_db_) >= config_.ring_margin_db) {
    onset_prev_hop = false;  // the low ringing of the sound already tracked
  }
  if (onset_prev_hop) {
    const int64_t m = n - 1;
    if (!active_) {
      active_ = true;
      episode_start_hop_ = m;
      last_above_hop_ = m;
      below_hops_ = 0;
    }
    if (!transients_.empty() && transients_.back().soft && m - transients_.back().onset_hop <= 4) {
      // The picked onset confirms the rise already tracked; its hop is the
      // better anchor for refining the onset.
      transients_.back().soft = false;
      transients_.back().onset_hop = m;
    } else {
      start_transient(m, v, h, false);
    }
  }
  if (!active_ && v.activity_db >= config_.on_db) {
    active_ = true;
    episode_start_hop_ = n;
    last_above_hop_ = n;
    below_hops_ = 0;
    start_transient(n, v, h, true);
  }
  if (!active_ || transients_.empty()) return;

  Transient& t = transients_.back();
  if (v.activity_db > t.peak_activity_db) {
    t.peak_activity_db = v.activity_db;
    t.min_activity_after_db = 1000;
  } else {
    t.min_activity_after_db = std::min(t.min_activity_after_db, v.activity_db);
  }
  if (v.activity_db >= config_.off_db) {
    below_hops_ = 0;
    last_above_hop_ = n;
    t.last_above_hop = n;
  } else {
    ++below_hops_;
  }
  if (below_hops_ >= config_.hold_hops || n - episode_start_hop_ >= int64_t(config_.max_episode_hops)) {
    close_episode(last_above_hop_ + 1, h, out);
  }
}

bool EventTracker::peek(size_t k, int64_t end_hop, const SampleHistory& h, Candidate& c) const noexcept {
  if (!active_ || k >= transients_.size()) return false;
  const size_t n = transients_.size();
  const int64_t H = int64_t(config_.hop_samples);
  // The same refinement close_episode() applies, on the samples so far.
  Transient t = transients_[k];
  t.onset_sample = refined_onset(t, k > 0 ? transients_[k - 1].onset_sample : -1, h);
  int64_t limit = end_hop * H;
  if (k + 1 < n) limit = refined_onset(transients_[k + 1], t.onset_sample, h);
  measure_transient(t, limit, quiet_rms_before(transients_[0].onset_sample, h), h);
  if (k + 1 < n) t.offset_sample = std::min(t.offset_sample, limit);
  c = Candidate{};
  c.onset_sample = t.onset_sample;
  c.peak_sample = t.peak_sample;
  const int64_t min_len = std::max<int64_t>(1, int64_t(config_.min_event_s * config_.sample_rate_hz));
  c.offset_sample = std::max(t.offset_sample, c.onset_sample + min_len);
  c.peak_abs = t.peak_abs;
  c.peak_activity_db = t.peak_activity_db;
  c.background_dbfs = t.background_dbfs;
  c.soft_onset = t.soft;
  c.decay_depth_db = t.min_activity_after_db < 999 ? t.peak_activity_db - t.min_activity_after_db : 0.0f;
  c.episode_transients = int(n);
  c.episode_duration_s = float(double(end_hop - episode_start_hop_) * double(H) / config_.sample_rate_hz);
  return true;
}

void EventTracker::flush(int64_t end_hop, const SampleHistory& h, std::vector<Candidate>& out) noexcept {
  if (active_) close_episode(std::min(end_hop, last_above_hop_ + 1), h, out);
}

void EventTracker::emit(size_t first, size_t last, bool train, std::vector<Candidate>& out) const noexcept {
  const int64_t min_len = std::max<int64_t>(1, int64_t(config_.min_event_s * config_.sample_rate_hz));
  const Transient& a = transients_[first];
  const Transient& b = transients_[last];
  Candidate c;
  c.onset_sample = a.onset_sample;
  // A sound ends where it decayed into the background, or where the next one starts.
  int64_t offset = b.offset_sample;
  if (last + 1 < transients_.size()) offset = std::min(offset, transients_[last + 1].onset_sample);
  c.offset_sample = std::max(offset, c.onset_sample + min_len);
  c.soft_onset = a.soft;
  c.background_dbfs = a.background_dbfs;
  c.is_train = train;
  c.impulse_count = int(last - first + 1);
  float peak = -1;
  float peak_act = -1000;
  for (size_t i = first; i <= last; ++i) {
    if (transients_[i].peak_abs > peak) {
      peak = transients_[i].peak_abs;
      c.peak_sample = transients_[i].peak_sample;
    }
    peak_act = std::max(peak_act, transients_[i].peak_activity_db);
  }
  c.peak_abs = peak;
  c.peak_activity_db = peak_act;
  c.decay_depth_db = b.min_activity_after_db < 999 ? b.peak_activity_db - b.min_activity_after_db : 0.0f;
  if (last > first) {
    const double fs = config_.sample_rate_hz;
    double sum = 0, sumsq = 0, mn = 1e9, mx = 0;
    for (size_t i = first + 1; i <= last; ++i) {
      const double d = double(transients_[i].onset_sample - transients_[i - 1].onset_sample) / fs;
      sum += d;
      sumsq += d * d;
      mn = std::min(mn, d);
      mx = std::max(mx, d);
    }
    const double k = double(last - first);
    c.ioi_mean_s = float(sum / k);
    c.ioi_std_s = float(std::sqrt(std::max(0.0, sumsq / k - (sum / k) * (sum / k))));
    c.ioi_min_s = float(mn);
    c.ioi_max_s = float(mx);
  }
  out.push_back(c);
}

void EventTracker::close_episode(int64_t end_hop, const SampleHistory& h, std::vector<Candidate>& out) noexcept {
  const size_t n = transients_.size();
  const double fs = config_.sample_rate_hz;
  const int64_t H = int64_t(config_.hop_samples);
  const size_t first_out = out.size();
  (void)fs;
  if (n > 0) transients_.back().last_above_hop = std::min(transients_.back().last_above_hop, end_hop - 1);
  // Onsets first: a transient's sound lasts until the next transient's
  // refined onset (or until the episode's activity last stood above the
  // background), so its peak and offset are never taken from the next pop.
  for (size_t k = 0; k < n; ++k)
    transients_[k].onset_sample = refined_onset(transients_[k], k > 0 ? transients_[k - 1].onset_sample : -1, h);
  const double noise_rms = n > 0 ? quiet_rms_before(transients_[0].onset_sample, h) : 0.0;
  for (size_t k = 0; k < n; ++k) {
    const int64_t limit = k + 1 < n ? transients_[k + 1].onset_sample : end_hop * H;
    measure_transient(transients_[k], limit, noise_rms, h);
  }
  // A transient has decayed when its envelope fell back to the background
  // at least 1 ms before the next one started, or fell decayed_fall_db below
  // its peak before it (a loud pop in a quiet room).
  const int64_t gap = std::max<int64_t>(1, int64_t(0.001 * config_.sample_rate_hz));
  for (size_t k = 0; k + 1 < n; ++k) {
    transients_[k].decayed =
        transients_[k].offset_sample + gap <= transients_[k + 1].onset_sample ||
        fall_db(transients_[k].onset_sample, transients_[k + 1].onset_sample, h) >= config_.decayed_fall_db;
    transients_[k].offset_sample = std::min(transients_[k].offset_sample, transients_[k + 1].onset_sample);
  }
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j + 1 < n && !transients_[j].decayed) ++j;  // bridged: never fell back to the background
    const double span_s = double((transients_[j].last_above_hop + 1) * H - transients_[i].onset_sample) / fs;
    if (int(j - i + 1) >= config_.train_min_impulses && span_s >= config_.train_min_s) {
      emit(i, j, true, out);
    } else {
      for (size_t k = i; k <= j; ++k) emit(k, k, false, out);
    }
    i = j + 1;
  }
  const float episode_s = float(double(end_hop - episode_start_hop_) * double(H) / fs);
  for (size_t k = first_out; k < out.size(); ++k) {
    out[k].episode_transients = int(n);
    out[k].episode_duration_s = episode_s;
  }
  transients_.clear();
  active_ = false;
  below_hops_ = 0;
}

}  // namespace popscope::dsp
