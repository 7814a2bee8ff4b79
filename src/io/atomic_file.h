#pragma once
// Writes a whole text file atomically: to a temporary file beside it, then
// renamed over the target, so a reader never sees half a file and a failed
// write leaves the previous file intact. Throws OutputError naming the path.
// mode is the new file's permission (0600 for health data), before the umask.
#include <string>

namespace popscope {

void write_file_atomically(const std::string& path, const std::string& content, unsigned mode = 0644);

}  // namespace popscope
