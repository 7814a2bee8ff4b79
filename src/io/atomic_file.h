#pragma once
// Writes a whole text file atomically: to a temporary file beside it, then
// renamed over the target, so a reader never sees half a file and a failed
// write leaves the previous file intact. Throws OutputError naming the path.
#include <string>

namespace popscope {

void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace popscope
