#include "dsp/grinding_onset.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace popscope::dsp {

void GrindingOnsetSearch::prepare() {
  if (config_.hop_s <= 0 || config_.capacity_hops < 16) throw std::invalid_argument("grinding onset search: bad config");
  ring_.assign(config_.capacity_hops, std::array<float, kActivityBands>{});
  scratch_.assign(kStatistics * config_.capacity_hops, 0.0f);
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
  const int64_t guard_hops = int64_t(std::lround(config_.empirical_guard_s / config_.hop_s));
  const int64_t probe_end = std::min(end_hop_, onset_hop + int64_t(std::lround(config_.probe_s / config_.hop_s)));
  const int64_t lo = std::max(oldest, floor_hop);
  const int64_t ref0 = std::max(lo, onset_hop - ref_hops);
  // Too little background to estimate its quantiles: leave the onset alone.
  if (onset_hop - ref0 < 50 || onset_hop <= lo) return onset_hop;
  const size_t n = size_t(onset_hop - ref0);

  // Per band: the background's detection threshold, its impulse-free mean,
  // how many hops of the event's start exceed the threshold and the
  // episode's mean energy there above the background.
  std::array<float, kActivityBands> thr{}, mean{};
  std::array<double, kActivityBands> excess_at_start{};
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
    double excess = 0;
    for (int64_t h = onset_hop; h < probe_end; ++h) {
      count += energy(h, b) > thr[b];
      excess += std::max(0.0, double(energy(h, b)) - double(mean[b]));
    }
    counts[b] = count;
    excess_at_start[b] = excess / double(std::max<int64_t>(1, probe_end - onset_hop));
    best_count = std::max(best_count, count);
  }
  // Not a train in any band (fewer than three loud hops at its start).
  if (best_count < kMinStartHops) return onset_hop;

  // The bands where the episode stands out at its start, weighted by its
  // signal-to-background ratio there: the statistic of a hop is the weighted
  // sum of its energies over the bands' backgrounds, which is largest where
  // the episode's own sound is (a faint impulse of the same train has the
  // same spectrum as the louder ones after it).
  std::array<double, kActivityBands> weight{};
  double weight_sum = 0;
  for (size_t b = 0; b < kActivityBands; ++b) {
    if (counts[b] < kMinStartHops || 2 * counts[b] < best_count || !(mean[b] > 0)) continue;
    weight[b] = excess_at_start[b] / double(mean[b]);
    weight_sum += weight[b];
  }
  if (!(weight_sum > 0)) return onset_hop;
  for (auto& w : weight) w /= weight_sum;
  const auto excess_of = [&](int64_t h) {
    double excess = 0;
    for (size_t b = 0; b < kActivityBands; ++b)
      if (weight[b] > 0) excess += std::max(0.0, double(energy(h, b) - mean[b]));
    return excess;
  };
  // Statistic k of hop h: k = 0 the weighted sum, k = 1 + b band b alone.
  const auto statistic = [&](size_t k, int64_t h) {
    if (k > 0) return double(energy(h, k - 1)) / double(mean[k - 1]);
    double z = 0;
    for (size_t b = 0; b < kActivityBands; ++b)
      if (weight[b] > 0) z += weight[b] * double(energy(h, b)) / double(mean[b]);
    return z;
  };

  // The background's distribution of each statistic (see the header): its
  // empirical rank up to the 90th percentile, beyond it an exponential tail
  // through the 90th and 99th percentiles.
  const size_t n_ref = onset_hop - guard_hops - ref0 >= kMinEmpiricalHops ? size_t(onset_hop - guard_hops - ref0) : n;
  std::array<double, kStatistics> q90{}, per_decade{};
  std::array<bool, kStatistics> used{};
  size_t n_used = 0;
  for (size_t k = 0; k < kStatistics; ++k) {
    if (k > 0 && !(weight[k - 1] > 0)) continue;
    float* ref = scratch_.data() + k * ring_.size();
    for (size_t i = 0; i < n_ref; ++i) ref[i] = float(statistic(k, ref0 + int64_t(i)));
    std::sort(ref, ref + n_ref);
    q90[k] = ref[std::min(n_ref - 1, size_t(0.90 * double(n_ref)))];
    const double q99 = ref[std::min(n_ref - 1, size_t(0.99 * double(n_ref)))];
    if (!(q99 > q90[k])) continue;
    per_decade[k] = (q99 - q90[k]) / std::log(10.0);
    used[k] = true;
    ++n_used;
  }
  if (n_used == 0) return onset_hop;
  // Surprisal (nats) of a hop under the background: -ln P(Z >= z) of its
  // most surprising statistic, less ln(statistics) for having looked at several.
  const auto surprisal = [&](int64_t h) {
    double most = 0;
    for (size_t k = 0; k < kStatistics; ++k) {
      if (!used[k]) continue;
      const double z = statistic(k, h);
      const float* ref = scratch_.data() + k * ring_.size();
      const auto reached = size_t(ref + n_ref - std::lower_bound(ref, ref + n_ref, float(z)));
      const double s = z > q90[k] ? std::log(10.0) + (z - q90[k]) / per_decade[k]
                                  : std::log(double(n_ref + 1) / double(reached + 1));
      most = std::max(most, s);
    }
    return std::max(0.0, most - std::log(double(n_used)));
  };
  const auto evidence = [&](int64_t h) {
    const double s = surprisal(h);
    // Log-likelihood ratio of "a faint train is going on" against
    // "background alone": a hop holds an impulse with probability
    // impulse_fraction, whose surprisal is spread evenly up to
    // exp(impulse_surprisal_nats); background surprisal is exponential.
    const double f = config_.impulse_fraction;
    return std::log(1.0 - f + f * std::exp(std::min(s, kMaxSurprisalNats) - config_.impulse_surprisal_nats));
  };

  // Walk back accumulating the evidence; the onset is the audible impulse
  // hop where the accumulated evidence for "the train is already going on"
  // is largest (a change point), provided it is strong enough (see the header).
  const int64_t stop = std::max(lo, onset_hop - back_hops);
  int64_t earliest = onset_hop, last_impulse = onset_hop;
  double total = 0, best = 0, peak = 0;  // evidence so far, at the onset chosen, and at any hop
  for (int64_t h = onset_hop - 1; h >= stop && last_impulse - h <= gap_hops; --h) {
    const double llr = evidence(h);
    const double peak_before = peak;
    total += llr;
    peak = std::max(peak, total);
    if (llr <= 0) continue;
    // Audible over the whole background: the hop's own energy (above each
    // band's background, summed over the episode's bands) is at least
    // audible_ratio x the broadband background's (a listener marks the onset
    // where the sound rises above the background, DOMAIN.md "Labelling
    // conventions").
    const double excess = excess_of(h);
    if (excess <= config_.audible_ratio * background) continue;
    // And an impulse in its own right, not a hop carried by its neighbours.
    if (surprisal(h) < config_.min_onset_surprisal_nats) continue;
    last_impulse = h;
    // The change point: the evidence is at its largest here, not only
    // among audible hops (an inaudible impulse after it with more behind it
    // means the train became audible later).
    if (total < peak_before) continue;
    if (total > best + (earliest < onset_hop ? config_.step_evidence_nats : 0.0)) {
      best = total;
      earliest = h;
    }
  }
  return best >= config_.min_evidence_nats ? earliest : onset_hop;
}

}  // namespace popscope::dsp
