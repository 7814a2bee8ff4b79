// libFuzzer target: the audio reader on damaged files (corrupt headers,
// truncated data). Unusable files must give InputError, never a crash, and
// a readable file must read to its end.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "src/errors.h"
#include "src/io/audio_file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/popscope-fuzz-audio-" + std::to_string(::getpid()) + ".wav";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    popscope::AudioFileReader reader(path);
    const int ch = reader.info().channels;
    std::vector<std::vector<float>> buf(size_t(ch), std::vector<float>(512));
    std::vector<float*> ptrs;
    for (auto& b : buf) ptrs.push_back(b.data());
    size_t total = 0;
    while (size_t n = reader.read(ptrs.data(), 512)) {
      total += n;
      if (total > (1u << 22)) break;  // a header may claim a huge length
    }
  } catch (const popscope::InputError&) {
  }
  return 0;
}
