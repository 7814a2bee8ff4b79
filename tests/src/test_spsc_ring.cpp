// The lock-free ring between the audio callback and the analysis thread. The
// two-thread test is also what ThreadSanitizer checks (scripts/test.sh --tsan).
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "src/live/spsc_ring.h"

using popscope::SpscRing;

TEST_CASE("spsc ring: capacity is a power of two and a push is all or nothing") {
  SpscRing ring(1000);
  CHECK(ring.capacity() == 1024);
  std::vector<float> block(600, 1.0f), out(1024);
  CHECK(ring.push(block.data(), block.size()));
  CHECK_FALSE(ring.push(block.data(), block.size()));  // 600 more do not fit in 424
  CHECK(ring.available() == 600);
  CHECK(ring.pop(out.data(), 1024) == 600);
  CHECK(ring.available() == 0);
  CHECK(ring.pop(out.data(), 1024) == 0);
}

TEST_CASE("spsc ring: a producer and a consumer thread pass every value in order") {
  SpscRing ring(4096);
  constexpr size_t kTotal = 4'000'000;
  std::thread producer([&] {
    std::vector<float> block(256);
    size_t next = 0, k = 0;
    while (next < kTotal) {
      const size_t n = std::min<size_t>(1 + (k++ * 37) % 256, kTotal - next);
      for (size_t i = 0; i < n; ++i) block[i] = float((next + i) % 16777216);  // exact in a float
      while (!ring.push(block.data(), n)) std::this_thread::yield();
      next += n;
    }
  });
  std::vector<float> out(1000);
  size_t got = 0, wrong = 0, k = 0;
  while (got < kTotal) {
    const size_t n = ring.pop(out.data(), 1 + (k++ * 53) % 1000);
    if (n == 0) std::this_thread::yield();
    for (size_t i = 0; i < n; ++i) wrong += out[i] != float((got + i) % 16777216);
    got += n;
  }
  producer.join();
  CHECK(got == kTotal);
  CHECK(wrong == 0);
  CHECK(ring.available() == 0);
}
