#pragma once
// A fixed-capacity history of the most recent samples of one channel,
// addressed by absolute sample index (0 = first sample of the stream).
#include <cstdint>
#include <vector>

namespace popscope::dsp {

class SampleHistory {
 public:
  void configure(size_t capacity_samples) { capacity_ = capacity_samples; }
  void prepare() {
    data_.assign(capacity_, 0.0f);
    reset();
  }
  void reset() noexcept { end_ = 0; }

  void push(const float* x, size_t n) noexcept {
    for (size_t i = 0; i < n; ++i) data_[size_t((end_ + int64_t(i)) % int64_t(capacity_))] = x[i];
    end_ += int64_t(n);
  }
  // Absolute index one past the newest sample.
  int64_t end() const noexcept { return end_; }
  // Oldest absolute index still held.
  int64_t begin() const noexcept { return end_ > int64_t(capacity_) ? end_ - int64_t(capacity_) : 0; }
  float at(int64_t index) const noexcept { return data_[size_t(index % int64_t(capacity_))]; }
  // Copies [from, from+n) clamped to what is held; returns the count copied
  // and moves from to the first index copied.
  size_t copy(int64_t& from, size_t n, float* out) const noexcept {
    if (from < begin()) from = begin();
    int64_t to = from + int64_t(n);
    if (to > end_) to = end_;
    size_t count = 0;
    for (int64_t i = from; i < to; ++i) out[count++] = at(i);
    return count;
  }
  size_t capacity() const noexcept { return capacity_; }

 private:
  size_t capacity_ = 0;
  std::vector<float> data_;
  int64_t end_ = 0;
};

}  // namespace popscope::dsp
