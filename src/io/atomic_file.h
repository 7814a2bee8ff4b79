#pragma once
// Writes a whole text file atomically: to a temporary file beside it, then
// renamed over the target, so a reader never sees half a file and a failed
// write leaves the previous file intact. Throws OutputError naming the path.
// mode is the new file's permission (0600 for health data), before the umask.
#include <cstdio>
#include <string>

namespace popscope {

void write_file_atomically(const std::string& path, const std::string& content, unsigned mode = 0644);

// The same for a file written a piece at a time: write to file(), then
// commit() flushes, syncs and renames it over path. Destroyed without a
// commit (an error or a stop on the way), it removes the temporary file and
// leaves path as it was.
class AtomicFileStream {
 public:
  explicit AtomicFileStream(std::string path, unsigned mode = 0644);  // throws OutputError
  ~AtomicFileStream();
  AtomicFileStream(const AtomicFileStream&) = delete;
  AtomicFileStream& operator=(const AtomicFileStream&) = delete;
  std::FILE* file() { return file_; }
  void commit();  // throws OutputError naming the path

 private:
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
};

}  // namespace popscope
