#include "dsp/resampler.h"

#include <soxr.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace popscope::dsp {

Resampler::~Resampler() {
  if (soxr_) soxr_delete(soxr_);
}

void Resampler::configure(const Config& config) { config_ = config; }

void Resampler::prepare() {
  if (soxr_) {
    soxr_delete(soxr_);
    soxr_ = nullptr;
  }
  passthrough_ = config_.input_rate_hz == config_.output_rate_hz;
  if (passthrough_) return;
  soxr_error_t err = nullptr;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  // Live capture waits for the converter: soxr's defaults (a passband to 91%
  // of the output Nyquist, DFT blocks of 2^10-2^17) hold back 20-35 ms of a
  // 48 kHz stream. A passband to 80% (6.4 kHz at the 16 kHz analysis rate,
  // above every joint-sound frequency in DOMAIN.md) shortens the filter, and
  // 2^8-point DFT blocks keep the buffering near one 256-frame block.
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  quality.passband_end = 0.8;
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  runtime.log2_min_dft_size = 8;
  runtime.log2_large_dft_size = 8;
  soxr_ = soxr_create(config_.input_rate_hz, config_.output_rate_hz, 1, &err, &io, &quality, &runtime);
  if (err || !soxr_) throw std::runtime_error(std::string("resampler: ") + (err ? err : "cannot create"));
}

size_t Resampler::max_output(size_t n_in) const noexcept {
  if (passthrough_) return n_in;
  return size_t(std::ceil(double(n_in) * config_.output_rate_hz / config_.input_rate_hz)) + 64;
}

size_t Resampler::process(const float* in, size_t n_in, float* out, size_t out_capacity) noexcept {
  if (passthrough_) {
    const size_t n = n_in < out_capacity ? n_in : out_capacity;
    std::memcpy(out, in, n * sizeof(float));
    return n;
  }
  size_t idone = 0, odone = 0;
  soxr_process(soxr_, in, n_in, &idone, out, out_capacity, &odone);
  return odone;
}

size_t Resampler::flush(float* out, size_t out_capacity) noexcept {
  if (passthrough_) return 0;
  size_t total = 0;
  for (;;) {
    size_t idone = 0, odone = 0;
    soxr_process(soxr_, nullptr, 0, &idone, out + total, out_capacity - total, &odone);
    total += odone;
    if (odone == 0 || total == out_capacity) break;
  }
  return total;
}

void Resampler::reset() noexcept {
  if (soxr_) soxr_clear(soxr_);
}

}  // namespace popscope::dsp
