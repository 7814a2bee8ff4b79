#pragma once
// A minimal PNG encoder for the pictures embedded in HTML reports: 8-bit RGB,
// no compression (deflate "stored" blocks), so it needs no library. Pictures
// in reports are a few hundred kilobytes at most.
#include <cstdint>
#include <string>
#include <vector>

namespace popscope::report {

// rgb holds width * height * 3 bytes, row by row from the top.
std::string encode_png_rgb(const std::vector<uint8_t>& rgb, int width, int height);
std::string base64(const std::string& bytes);

}  // namespace popscope::report
