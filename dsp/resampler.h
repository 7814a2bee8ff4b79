#pragma once
// Streaming sample-rate conversion (libsoxr, high quality, linear phase) for
// one channel. soxr removes its own filter delay, so output sample k lines up
// with input time k / out_rate: event times stay exact after resampling.
// The output of a stream is the same whatever the input block sizes.
#include <cstddef>

struct soxr;

namespace popscope::dsp {

class Resampler {
 public:
  struct Config {
    double input_rate_hz = 48000.0;
    double output_rate_hz = 16000.0;
  };

  Resampler() = default;
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  void configure(const Config& config);
  // Allocates the converter. Throws std::runtime_error if soxr refuses the rates.
  void prepare();
  // Converts n_in input samples; writes at most out_capacity samples and
  // returns how many were written. out_capacity of max_output(n_in) is always
  // enough. No allocation when the rates are equal.
  size_t process(const float* in, size_t n_in, float* out, size_t out_capacity) noexcept;
  // Drains the converter at the end of a stream.
  size_t flush(float* out, size_t out_capacity) noexcept;
  void reset() noexcept;

  // Capacity that always holds process()'s output for n_in input samples.
  size_t max_output(size_t n_in) const noexcept;
  bool is_passthrough() const noexcept { return passthrough_; }
  const Config& config() const noexcept { return config_; }

 private:
  Config config_{};
  soxr* soxr_ = nullptr;
  bool passthrough_ = true;
};

}  // namespace popscope::dsp
