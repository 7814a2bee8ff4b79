#include "dsp/band_activity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace popscope::dsp {

namespace {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
// The four bands' cascades in one pass over the hop, compiled for AVX
// (without FMA, so each operation rounds exactly as in the two-lane path).
__attribute__((target("avx"))) void band_sums_four_lanes(const double* x, size_t n, BiquadLanes<4>& high_pass,
                                                         BiquadLanes<4>& low_pass, double* sum_out) noexcept {
  BiquadLanes<4> hp = high_pass, lp = low_pass;
  BiquadLanes<4>::Lanes sum{};
  for (size_t i = 0; i < n; ++i) {
    BiquadLanes<4>::Lanes y{x[i], x[i], x[i], x[i]};
    hp.process(y);
    lp.process(y);
    sum += y * y;
  }
  high_pass = hp;
  low_pass = lp;
  for (size_t b = 0; b < 4; ++b) sum_out[b] = sum[b];
}
bool have_four_lanes() noexcept { return __builtin_cpu_supports("avx"); }
#else
void band_sums_four_lanes(const double*, size_t, BiquadLanes<4>&, BiquadLanes<4>&, double*) noexcept {}
bool have_four_lanes() noexcept { return false; }
#endif
}  // namespace

std::array<double, kActivityBands + 1> BandActivity::band_edges_hz(double sample_rate_hz) {
  return {30.0, 250.0, 1000.0, 4000.0, std::min(12000.0, 0.49 * sample_rate_hz)};
}

void BandActivity::configure(const Config& config) {
  if (config.hop_samples == 0) throw std::invalid_argument("hop_samples must be positive");
  config_ = config;
}

void BandActivity::prepare() {
  const double fs = config_.sample_rate_hz;
  const auto edges = band_edges_hz(fs);
  // Removes only DC offset (0.5 Hz): a higher corner would turn the net area
  // of an asymmetric pulse into a long tail that hides where it ends.
  dc_.configure(0.5, fs);
  for (size_t b = 0; b < kActivityBands; ++b) {
    Biquad hp, lp;
    hp.configure({Biquad::Kind::kHighPass, edges[b], 0.7071067811865476, fs});
    lp.configure({Biquad::Kind::kLowPass, edges[b + 1], 0.7071067811865476, fs});
    high_pass_[b / 2].configure_lane(b % 2, hp);
    low_pass_[b / 2].configure_lane(b % 2, lp);
    high_pass4_.configure_lane(b, hp);
    low_pass4_.configure_lane(b, lp);
    const bool restricted = config_.band_high_hz > config_.band_low_hz;
    band_enabled_[b] = !restricted || (edges[b + 1] > config_.band_low_hz && edges[b] < config_.band_high_hz);
  }
  blocked_.assign(config_.hop_samples, 0.0);
  four_lanes_ = config_.wide_vectors && have_four_lanes();
  const double hop_s = double(config_.hop_samples) / fs;
  alpha_ = float(1.0 - std::exp(-hop_s / config_.background_tau_s));
  alpha_event_ = float(1.0 - std::exp(-hop_s / config_.background_tau_event_s));
  alpha_warm_ = float(1.0 - std::exp(-hop_s / 0.02));
  alpha_drop_ = float(1.0 - std::exp(-hop_s / 0.05));
  reset();
}

void BandActivity::restart(size_t padded_samples) noexcept {
  reset();
  padded_samples_ = padded_samples;
}

void BandActivity::reset() noexcept {
  dc_.reset();
  dc_primed_ = false;
  padded_samples_ = 0;
  for (auto& f : high_pass_) f.reset();
  for (auto& f : low_pass_) f.reset();
  high_pass4_.reset();
  low_pass4_.reset();
  for (auto& r : energy_ring_) r.fill(0.0);
  for (auto& r : db_ring_) r.fill(-140.0f);
  floor_db_.fill(-140.0f);
  spread_db_.fill(1.0f);
  hops_seen_ = 0;
}

HopValues BandActivity::process(const float* hop, float* filtered_out, bool event_active) noexcept {
  const size_t n = config_.hop_samples;
  double broadband = 0;
  size_t padded = 0;
  if (!dc_primed_) {
    // The level is the mean of the hop's second half (the first half holds a
    // resampler's start, which rings around the jump from the silence
    // before the stream).
    padded = std::min(padded_samples_, n - 1);
    const size_t from = padded + (n - padded) / 2;
    double sum = 0;
    for (size_t i = from; i < n; ++i) sum += double(hop[i]);
    dc_.prime(sum / double(n - from));
    dc_primed_ = true;
    padded_samples_ = 0;
  }
  DcBlocker dc = dc_;  // a local copy stays in registers
  for (size_t i = 0; i < n; ++i) {
    const double x = i < padded ? 0.0 : dc.process(double(hop[i]));
    filtered_out[i] = float(x);
    broadband += x * x;
    blocked_[i] = x;
  }
  dc_ = dc;
  // The bands' cascades over the whole hop, their state held in registers
  // (local copies, which the output writes above cannot alias).
  std::array<double, kActivityBands> energy{};
  const double* x = blocked_.data();
  if (four_lanes_) {
    band_sums_four_lanes(x, n, high_pass4_, low_pass4_, energy.data());
  } else {
    for (size_t p = 0; p < kBandPairs; ++p) {
      BiquadLanes<2> hp = high_pass_[p], lp = low_pass_[p];
      BiquadLanes<2>::Lanes sum{};
      for (size_t i = 0; i < n; ++i) {
        BiquadLanes<2>::Lanes y{x[i], x[i]};
        hp.process(y);
        lp.process(y);
        sum += y * y;
      }
      high_pass_[p] = hp;
      low_pass_[p] = lp;
      for (size_t l = 0; l < 2; ++l) energy[p * 2 + l] = sum[l];
    }
  }
  HopValues v;
  v.level_dbfs = float(10.0 * std::log10(broadband / double(n) + 1e-14));
  const size_t slot = hops_seen_ % kHistory;
  const bool warming = hops_seen_ < 60;
  float best = -1000.0f, odf = 0.0f;
  for (size_t b = 0; b < kActivityBands; ++b) {
    energy_ring_[b][slot] = energy[b] / double(n);
    v.band_energy[b] = band_enabled_[b] ? float(energy[b] / double(n)) : 0.0f;
    const size_t k = kSmoothHops[b];
    double sum = 0;
    for (size_t j = 0; j < k; ++j) sum += energy_ring_[b][(slot + kHistory - j) % kHistory];
    const float db = float(10.0 * std::log10(sum / double(k) + 1e-14));
    auto& ring = db_ring_[b];
    for (size_t j = kHistory; j > 0; --j) ring[j] = ring[j - 1];
    ring[0] = db;
    v.band_db[b] = db;

    float& floor = floor_db_[b];
    float& spread = spread_db_[b];
    if (hops_seen_ == 0) floor = db;
    const float dev = db - floor;
    if (warming) {
      floor += alpha_warm_ * dev;
      spread += alpha_warm_ * (std::fabs(dev) - spread);
    } else if (dev < -3.0f * spread) {
      floor += alpha_drop_ * dev;  // the background fell: follow it quickly
    } else if (!event_active) {
      floor += alpha_ * dev;
      spread += alpha_ * (std::fabs(dev) - spread);
    } else {
      floor += alpha_event_ * std::min(dev, 3.0f * spread);
    }
    spread = std::max(spread, 0.5f);
    v.floor_db[b] = floor;
    v.spread_db[b] = spread;
    if (!band_enabled_[b] || warming) continue;
    const float upper = floor + 2.0f * spread;
    best = std::max(best, db - upper);
    // Rise over the level one smoothing window ago, counted only above the
    // background's upper fluctuation so that noise flicker does not add up.
    const float ref = std::max(ring[k], upper);
    if (db > ref) odf += db - ref;
  }
  v.activity_db = warming ? -100.0f : best;
  v.odf_db = odf;
  ++hops_seen_;
  return v;
}

float background_dbfs(const HopValues& v) noexcept {
  double background_energy = 0;
  for (size_t b = 0; b < kActivityBands; ++b) background_energy += std::pow(10.0, double(v.floor_db[b]) / 10.0);
  return float(10.0 * std::log10(background_energy + 1e-14));
}

void PeakPicker::prepare() {
  if (config_.window_hops > kMaxWindow || config_.window_hops < 3)
    throw std::invalid_argument("peak picker window must be 3-512 hops");
  reset();
}

void PeakPicker::reset() noexcept {
  ring_.fill(0.0f);
  count_ = head_ = 0;
  prev_odf_ = prev_prev_odf_ = 0;
  prev_level_ = -120;
  hops_since_onset_ = 1u << 30;
  threshold_db_ = 0;
}

bool PeakPicker::process(float odf_db, float level_dbfs) noexcept {
  // Candidate is the previous hop: a local maximum between its neighbours.
  const float cand = prev_odf_;
  bool onset = false;
  ++hops_since_onset_;
  if (cand >= prev_prev_odf_ && cand > odf_db && cand >= config_.min_rise_db) {
    const size_t n = std::min(count_, config_.window_hops);
    float median = 0, mad = 0;
    if (n > 0) {
      for (size_t i = 0; i < n; ++i) scratch_[i] = ring_[(head_ + kMaxWindow - 1 - i) % kMaxWindow];
      std::nth_element(scratch_.begin(), scratch_.begin() + long(n / 2), scratch_.begin() + long(n));
      median = scratch_[n / 2];
      for (size_t i = 0; i < n; ++i) scratch_[i] = std::fabs(scratch_[i] - median);
      std::nth_element(scratch_.begin(), scratch_.begin() + long(n / 2), scratch_.begin() + long(n));
      mad = scratch_[n / 2];
    }
    threshold_db_ = std::max(float(config_.min_rise_db), median + float(config_.k_mad) * mad);
    if (cand >= threshold_db_ && prev_level_ >= config_.silence_dbfs &&
        hops_since_onset_ > config_.min_interval_hops) {
      onset = true;
      hops_since_onset_ = 1;  // the onset was one hop ago
    }
  }
  // The window holds the ODF history before the candidate.
  ring_[head_] = prev_prev_odf_;
  head_ = (head_ + 1) % kMaxWindow;
  if (count_ < kMaxWindow) ++count_;
  prev_prev_odf_ = prev_odf_;
  prev_odf_ = odf_db;
  prev_level_ = level_dbfs;
  return onset;
}

}  // namespace popscope::dsp
