#include "src/engine/features.h"

#include <algorithm>
#include <cmath>

namespace popscope {

const std::array<const char*, kFeatureCount>& feature_names() {
  static const std::array<const char*, kFeatureCount> names = {
      "duration_s", "rise_time_s", "decay_tau_s", "snr_db", "peak_snr_db", "crest_factor_db",
      "peak_activity_db", "centroid_hz", "bandwidth_hz", "rolloff_hz", "flatness", "dominant_hz",
      "band_lt250_ratio", "band_250_1k_ratio", "band_1k_4k_ratio", "band_gt4k_ratio", "flux_db",
      "zero_crossing_hz", "impulse_count", "ioi_mean_s", "ioi_cv", "ioi_min_s", "is_train",
      "episode_transients", "episode_duration_s", "decay_depth_db", "soft_onset",
      "first_10ms_energy_ratio", "after_50ms_energy_ratio", "log_duration", "log2_dominant_hz",
      "resonance_flatness", "decay_ripple_db", "log10_damping_ratio", "pre_onset_snr_db",
      "mfcc0", "mfcc1", "mfcc2", "mfcc3", "mfcc4", "mfcc5", "mfcc6", "mfcc7", "mfcc8", "mfcc9",
      "mfcc10", "mfcc11", "mfcc12"};
  return names;
}

const std::array<const char*, kFeatureCount>& feature_descriptions() {
  static const std::array<const char*, kFeatureCount> text = {
      "onset to offset",
      "onset to the largest sample",
      "time constant of the amplitude decay after the peak (e^-t/tau)",
      "event RMS over the background RMS",
      "event peak over the background RMS",
      "peak over RMS of the event",
      "largest band level above the background's upper fluctuation",
      "power-weighted mean frequency",
      "power-weighted spread around the centroid",
      "frequency below which 85% of the power lies",
      "spectral flatness (geometric/arithmetic mean power), 0..1",
      "strongest frequency",
      "power fraction below 250 Hz",
      "power fraction 250-1000 Hz",
      "power fraction 1-4 kHz",
      "power fraction from 4 kHz to the top of the feature band (6.4 kHz)",
      "mean positive log-spectral change between 16 ms frames",
      "zero crossings per second",
      "transients in the candidate (1 unless a train)",
      "mean inter-impulse interval",
      "inter-impulse interval std / mean",
      "shortest inter-impulse interval",
      "1 when the candidate is a train of transients",
      "transients in the surrounding episode",
      "length of the surrounding episode",
      "level fall after the peak before the next sound",
      "1 when the sound swelled in without a sharp onset",
      "energy fraction in the first 10 ms",
      "energy fraction after the first 50 ms",
      "ln(duration_s)",
      "log2(dominant_hz)",
      "spectral flatness from a quarter to four times the strongest frequency (one mode: near 0)",
      "RMS deviation of the decay's level from its exponential fit (a single mode decays smoothly)",
      "log10 of the damping ratio 1 / (2 pi dominant_hz decay_tau_s) (knee clicks 0.04-0.1)",
      "RMS from 300 to 20 ms before the onset over the background RMS (a snap often follows a soft slide)",
      "MFCC 0", "MFCC 1", "MFCC 2", "MFCC 3", "MFCC 4", "MFCC 5", "MFCC 6", "MFCC 7", "MFCC 8",
      "MFCC 9", "MFCC 10", "MFCC 11", "MFCC 12"};
  return text;
}

size_t feature_index(std::string_view name) noexcept {
  const auto& names = feature_names();
  size_t i = 0;
  while (i < names.size() && name != names[i]) ++i;
  return i;
}

void FeatureExtractor::prepare() {
  spectrum_.configure({config_.fft_size, config_.sample_rate_hz});
  spectrum_.prepare();
  short_spectrum_.configure({256, config_.sample_rate_hz});
  short_spectrum_.prepare();
  const double top_hz = config_.top_fraction * config_.sample_rate_hz / 2;
  mel_.configure({24, config_.fft_size, config_.sample_rate_hz, 30.0, top_hz});
  mel_.prepare();
  const size_t max_samples = size_t(config_.max_spectral_s * config_.sample_rate_hz) + config_.fft_size;
  frame_.assign(max_samples, 0.0f);
  power_.assign(spectrum_.bins(), 0.0f);
  short_power_.assign(short_spectrum_.bins(), 0.0f);
  prev_short_power_.assign(short_spectrum_.bins(), 0.0f);
  top_bins_ = std::min(spectrum_.bins(), size_t(top_hz / spectrum_.bin_hz()) + 1);
  short_top_bins_ = std::min(short_spectrum_.bins(), size_t(top_hz / short_spectrum_.bin_hz()) + 1);
  mel_db_.assign(mel_.bands(), 0.0f);
  mfcc_.assign(kMfccCount, 0.0f);
  envelope_.assign(max_samples, 0.0f);
}

void FeatureExtractor::compute(const dsp::Candidate& c, const dsp::SampleHistory& h,
                               dsp::BackgroundSpectrum* background, FeatureVector& f, double* peak_dbfs,
                               double* rms_dbfs) noexcept {
  f.fill(0.0f);
  const double fs = config_.sample_rate_hz;
  int64_t from = c.onset_sample;
  const size_t want = size_t(std::max<int64_t>(1, c.offset_sample - c.onset_sample));
  const size_t n = h.copy(from, std::min(want, frame_.size()), frame_.data());
  const double duration_s = double(c.offset_sample - c.onset_sample) / fs;
  const double bg_rms = std::pow(10.0, double(c.background_dbfs) / 20.0);

  double energy = 0, first10 = 0, after50 = 0, peak = 0;
  size_t peak_i = 0, crossings = 0;
  const size_t n10 = size_t(0.010 * fs), n50 = size_t(0.050 * fs);
  for (size_t i = 0; i < n; ++i) {
    const double x = frame_[i], e = x * x;
    energy += e;
    if (i < n10) first10 += e;
    if (i >= n50) after50 += e;
    if (std::fabs(x) > peak) {
      peak = std::fabs(x);
      peak_i = i;
    }
    if (i > 0 && ((frame_[i - 1] < 0) != (frame_[i] < 0))) ++crossings;
  }
  const double rms = n ? std::sqrt(energy / double(n)) : 0.0;
  *peak_dbfs = 20.0 * std::log10(peak + 1e-12);
  *rms_dbfs = 20.0 * std::log10(rms + 1e-12);

  // Spectrum of the event's start (up to fft_size samples).
  const size_t nspec = std::min(n, spectrum_.config().fft_size);
  spectrum_.process(frame_.data(), std::max<size_t>(nspec, 2), power_.data());
  // The sound's own spectrum: the background's expected power removed.
  if (background) background->subtract(std::max<size_t>(nspec, 2), power_.data(), top_bins_);
  const auto shape = dsp::spectral_shape(power_.data(), top_bins_, spectrum_.bin_hz(), 20.0);
  const double bin = spectrum_.bin_hz();
  // Amplitude envelope over frames of one period of the dominant frequency,
  // so a sinusoid's envelope does not ripple with its phase.
  const size_t period = std::clamp<size_t>(size_t(fs / std::max(shape.dominant_hz, 50.0)), 16, 320);
  const size_t env_hop = std::max<size_t>(period / 2, 8);
  size_t env_n = 0;
  for (size_t i = 0; i + period <= n || (env_n == 0 && i < n); i += env_hop) {
    double s = 0;
    const size_t len = std::min(period, n - i);
    for (size_t j = 0; j < len; ++j) s += double(frame_[i + j]) * frame_[i + j];
    envelope_[env_n++] = float(std::sqrt(s / double(len)));
  }
  // Decay: log-linear fit from the envelope maximum down to -40 dB or the floor.
  size_t emax = 0;
  for (size_t i = 0; i < env_n; ++i)
    if (envelope_[i] > envelope_[emax]) emax = i;
  double tau = 0, ripple_db = 0;
  {
    const double stop = std::max(double(envelope_[emax]) * 0.01, 2.0 * bg_rms);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t m = 0;
    for (size_t i = emax; i < env_n && envelope_[i] > stop; ++i) {
      const double t = double(i * env_hop) / fs, y = std::log(double(envelope_[i]));
      sx += t;
      sy += y;
      sxx += t * t;
      sxy += t * y;
      ++m;
    }
    if (m >= 3) {
      const double slope = (double(m) * sxy - sx * sy) / (double(m) * sxx - sx * sx);
      tau = slope < 0 ? std::min(-1.0 / slope, 10.0) : 10.0;
      // How far the decay strays from that exponential: a single damped mode
      // (a snap, DOMAIN.md) follows it; beating modes and rubbing noise do not.
      const double intercept = (sy - slope * sx) / double(m);
      double ss = 0;
      for (size_t i = emax; i < emax + m; ++i) {
        const double t = double(i * env_hop) / fs;
        const double r = std::log(double(envelope_[i])) - (intercept + slope * t);
        ss += r * r;
      }
      ripple_db = 20.0 / std::log(10.0) * std::sqrt(ss / double(m));
    } else {
      tau = double(m * env_hop) / fs;
    }
  }
  // Spectral flux across 16 ms frames (hop 8 ms) within the event.
  double flux = 0;
  size_t flux_frames = 0;
  for (size_t i = 0; i + 256 <= n; i += 128) {
    short_spectrum_.process(frame_.data() + i, 256, short_power_.data());
    if (i > 0) {
      double acc = 0;
      for (size_t k = 0; k < short_top_bins_; ++k) {
        const double d = 10.0 * std::log10((short_power_[k] + 1e-10) / (prev_short_power_[k] + 1e-10));
        if (d > 0) acc += d;
      }
      flux += acc / double(short_top_bins_);
      ++flux_frames;
    }
    std::swap(short_power_, prev_short_power_);
  }
  mel_.log_mel_db(power_.data(), mel_db_.data());
  mel_.mfcc(mel_db_.data(), kMfccCount, mfcc_.data());

  const double ioi_cv = c.ioi_mean_s > 0 ? double(c.ioi_std_s / c.ioi_mean_s) : 0.0;
  size_t k = 0;
  f[k++] = float(duration_s);
  f[k++] = float(double(peak_i) / fs);
  f[k++] = float(tau);
  f[k++] = float(20.0 * std::log10((rms + 1e-12) / (bg_rms + 1e-12)));
  f[k++] = float(20.0 * std::log10((peak + 1e-12) / (bg_rms + 1e-12)));
  f[k++] = float(*peak_dbfs - *rms_dbfs);
  f[k++] = c.peak_activity_db;
  f[k++] = float(shape.centroid_hz);
  f[k++] = float(shape.bandwidth_hz);
  f[k++] = float(shape.rolloff_hz);
  f[k++] = float(shape.flatness);
  f[k++] = float(shape.dominant_hz);
  f[k++] = float(dsp::band_fraction(power_.data(), top_bins_, bin, 0, 250));
  f[k++] = float(dsp::band_fraction(power_.data(), top_bins_, bin, 250, 1000));
  f[k++] = float(dsp::band_fraction(power_.data(), top_bins_, bin, 1000, 4000));
  f[k++] = float(dsp::band_fraction(power_.data(), top_bins_, bin, 4000, 1e9));
  f[k++] = float(flux_frames ? flux / double(flux_frames) : 0.0);
  f[k++] = float(n > 1 ? double(crossings) * fs / double(n) : 0.0);
  f[k++] = float(c.impulse_count);
  f[k++] = c.ioi_mean_s;
  f[k++] = float(ioi_cv);
  f[k++] = c.ioi_min_s;
  f[k++] = c.is_train ? 1.0f : 0.0f;
  f[k++] = float(c.episode_transients);
  f[k++] = c.episode_duration_s;
  f[k++] = c.decay_depth_db;
  f[k++] = c.soft_onset ? 1.0f : 0.0f;
  f[k++] = float(energy > 0 ? first10 / energy : 0.0);
  f[k++] = float(energy > 0 ? after50 / energy : 0.0);
  f[k++] = float(std::log(std::max(duration_s, 1e-4)));
  f[k++] = float(std::log2(std::max(shape.dominant_hz, 10.0)));
  {
    // Tonality around the strongest frequency: spectral flatness over two
    // octaves either side of it. One damped mode (a snap, DOMAIN.md) gives a
    // single narrow peak there; rubbing noise and several plate modes do not.
    const size_t lo = std::max<size_t>(1, size_t(shape.dominant_hz / 4.0 / bin));
    const size_t hi = std::min(top_bins_, size_t(shape.dominant_hz * 4.0 / bin) + 2);
    double lsum = 0, sum = 0;
    for (size_t b = lo; b < hi; ++b) {
      lsum += std::log(double(power_[b]) + 1e-20);
      sum += double(power_[b]);
    }
    const double nb = double(hi > lo ? hi - lo : 1);
    f[k++] = float(hi > lo + 1 && sum > 1e-20 ? std::exp(lsum / nb) / (sum / nb) : 1.0);
  }
  f[k++] = float(ripple_db);
  f[k++] = float(std::log10(std::clamp(1.0 / (2.0 * M_PI * std::max(shape.dominant_hz, 10.0) * std::max(tau, 1e-4)),
                                       1e-3, 10.0)));
  {
    // What led into the sound: the 0.28 s before its onset (DOMAIN.md: a snap
    // "often after a soft slide"; a bumped sensor or a knock comes out of quiet).
    const int64_t pre_end = c.onset_sample - int64_t(0.02 * fs);
    int64_t pre_from = std::max(c.onset_sample - int64_t(0.3 * fs), h.begin());
    const size_t len =
        pre_end > pre_from ? h.copy(pre_from, std::min(size_t(pre_end - pre_from), frame_.size()), frame_.data()) : 0;
    double e = 0;
    for (size_t i = 0; i < len; ++i) e += double(frame_[i]) * frame_[i];
    const double pre_rms = len ? std::sqrt(e / double(len)) : bg_rms;
    f[k++] = float(std::clamp(20.0 * std::log10((pre_rms + 1e-12) / (bg_rms + 1e-12)), -10.0, 40.0));
  }
  for (size_t i = 0; i < kMfccCount; ++i) f[k++] = mfcc_[i];
}

}  // namespace popscope
