#include "dsp/grinding_onset.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace popscope::dsp {

void GrindingOnsetSearch::prepare() {
  if (config_.hop_s <= 0 || config_.capacity_hops < 16) throw std::invalid_argument("grinding onset search: bad config");
  ring_.assign(config_.capacity_hops, std::array<float, kActivityBands>{});
  scratch_.assign(config_.capacity_hops, 0.0f);
  reset();
}

void GrindingOnsetSearch::reset() noexcept {
  for (auto& r : ring_) r.fill(0.0f);
  end_hop_ = 0;
}

void GrindingOnsetSearch::push(int64_t hop, const std::array<float, kActivityBands>& band_energy) noexcept {
  ring_[size_t(hop % int64_t(ring_.size()))] = band_energy;
  end_hop_ = hop + 1;
}

float GrindingOnsetSearch::quantile(size_t n, double q) noexcept {
  const size_t k = std::min(n - 1, size_t(q * double(n)));
  std::nth_element(scratch_.begin(), scratch_.begin() + long(k), scratch_.begin() + long(n));
  return scratch_[k];
}

int64_t GrindingOnsetSearch::search(int64_t onset_hop, int64_t floor_hop, double max_gap_s) noexcept {
  const int64_t oldest = std::max<int64_t>(0, end_hop_ - int64_t(ring_.size()));
  if (onset_hop <= oldest || onset_hop >= end_hop_) return onset_hop;
  const int64_t ref_hops = int64_t(std::lround(config_.reference_s / config_.hop_s));
  const int64_t back_hops = int64_t(std::lround(config_.max_back_s / config_.hop_s));
  const int64_t gap_hops = std::max<int64_t>(1, int64_t(std::lround((max_gap_s > 0 ? max_gap_s : config_.max_gap_s) / config_.hop_s)));
  const int64_t probe_end = std::min(end_hop_, onset_hop + int64_t(std::lround(config_.probe_s / config_.hop_s)));
  const int64_t lo = std::max(oldest, floor_hop);
  const int64_t ref0 = std::max(lo, onset_hop - ref_hops);
  // Too little background to estimate its quantiles: leave the onset alone.
  if (onset_hop - ref0 < 50 || onset_hop <= lo) return onset_hop;
  const size_t n = size_t(onset_hop - ref0);

  // Per band: the background's detection threshold, and how many hops of
  // the event's start exceed it.
  std::array<float, kActivityBands> thr{}, mean{};
  std::array<int64_t, kActivityBands> counts{};
  double background = 0;  // broadband background energy: sum of the bands' impulse-free means
  int64_t best_count = 0;
  for (size_t b = 0; b < kActivityBands; ++b) {
    for (size_t i = 0; i < n; ++i) scratch_[i] = energy(ref0 + int64_t(i), b);
    const float median = quantile(n, 0.5);
    const float lower = quantile(n, 0.25);
    if (!(median > 0) || !(lower > 0)) continue;
    thr[b] = median * float(std::pow(double(median) / double(lower), config_.tail_exponent));
    double sum = 0;
    size_t quiet = 0;
    for (int64_t h = ref0; h < onset_hop; ++h) {
      const float e = energy(h, b);
      if (e <= thr[b]) {
        sum += double(e);
        ++quiet;
      }
    }
    mean[b] = quiet ? float(sum / double(quiet)) : median;
    background += double(mean[b]);
    int64_t count = 0;
    for (int64_t h = onset_hop; h < probe_end; ++h) count += energy(h, b) > thr[b];
    counts[b] = count;
    best_count = std::max(best_count, count);
  }
  // Not a train in any band (fewer than three loud hops at its start).
  if (best_count < kMinStartHops) return onset_hop;

  const int64_t stop = std::max(lo, onset_hop - back_hops);
  int64_t earliest = onset_hop;
  int impulses = 0;
  bool in_impulse = false;
  for (int64_t h = onset_hop - 1; h >= stop && earliest - h <= gap_hops; --h) {
    // An impulse stands out in one of the searched bands and is audible over
    // the whole background: its own energy in the hop (above each band's
    // background, summed over the searched bands) is at least audible_ratio x
    // the broadband background's (a listener marks the onset where the sound
    // rises above the background, DOMAIN.md "Labelling conventions").
    bool stands_out = false;
    double excess = 0;
    for (size_t b = 0; b < kActivityBands; ++b) {
      if (counts[b] < kMinStartHops || 2 * counts[b] < best_count) continue;  // the episode does not stand out here
      const float e = energy(h, b);
      stands_out = stands_out || e > thr[b];
      excess += std::max(0.0, double(e - mean[b]));
    }
    const bool loud = stands_out && excess > config_.audible_ratio * background;
    if (loud) {
      if (!in_impulse) ++impulses;  // adjacent loud hops are one impulse
      earliest = h;
    }
    in_impulse = loud;
  }
  return impulses >= config_.min_impulses ? earliest : onset_hop;
}

}  // namespace popscope::dsp
