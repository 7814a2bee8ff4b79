#pragma once
// Lock-free single-producer / single-consumer ring of floats. The producer
// (the audio callback) never blocks, allocates or locks: push() either copies
// everything or nothing and reports failure, which the caller counts as an
// overrun. Capacity is rounded up to a power of two at construction.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

namespace popscope {

class SpscRing {
 public:
  explicit SpscRing(size_t capacity) {
    size_t c = 1;
    while (c < capacity) c <<= 1;
    data_.assign(c, 0.0f);
    mask_ = c - 1;
  }
  size_t capacity() const noexcept { return data_.size(); }

  // Producer side.
  bool push(const float* x, size_t n) noexcept {
    const size_t head = head_.load(std::memory_order_relaxed);
    const size_t tail = tail_.load(std::memory_order_acquire);
    if (data_.size() - (head - tail) < n) return false;
    for (size_t i = 0; i < n; ++i) data_[(head + i) & mask_] = x[i];
    head_.store(head + n, std::memory_order_release);
    return true;
  }
  // Producer side: room for this many values.
  size_t free_space() const noexcept {
    return data_.size() - (head_.load(std::memory_order_relaxed) - tail_.load(std::memory_order_acquire));
  }
  // Consumer side: copies up to max_n values, returns the count.
  size_t pop(float* out, size_t max_n) noexcept {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    const size_t head = head_.load(std::memory_order_acquire);
    const size_t n = std::min(max_n, head - tail);
    for (size_t i = 0; i < n; ++i) out[i] = data_[(tail + i) & mask_];
    tail_.store(tail + n, std::memory_order_release);
    return n;
  }
  // Values ever pushed / popped (monotonic): stream positions for each side.
  size_t pushed() const noexcept { return head_.load(std::memory_order_acquire); }
  size_t popped() const noexcept { return tail_.load(std::memory_order_acquire); }
  size_t available() const noexcept {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }

 private:
  std::vector<float> data_;
  size_t mask_ = 0;
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
};

}  // namespace popscope
