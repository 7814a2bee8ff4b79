#pragma once
// A minimal PNG encoder for the pictures embedded in HTML reports: 8-bit RGB,
// compressed with zlib (the library every PNG encoder uses).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace popscope::report {

// rgb holds width * height * 3 bytes, row by row from the top.
std::string encode_png_rgb(const std::vector<uint8_t>& rgb, int width, int height);
// indices holds width * height palette indices; palette has 1 to 256 colours.
// A third of the size of RGB before compression: spectrograms use it.
std::string encode_png_indexed(const std::vector<uint8_t>& indices, int width, int height,
                               const std::vector<std::array<uint8_t, 3>>& palette);
std::string base64(const std::string& bytes);

}  // namespace popscope::report
