#include "src/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "src/errors.h"

namespace popscope {

void write_file_atomically(const std::string& path, const std::string& content, unsigned mode) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode));
  if (fd < 0) throw OutputError(path + ": cannot create (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw OutputError(path + ": write failed (" + why + ")");
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": write failed (" + why + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot replace (" + why + ")");
  }
}

AtomicFileStream::AtomicFileStream(std::string path, unsigned mode)
    : path_(std::move(path)), tmp_(path_ + ".tmp-" + std::to_string(::getpid())) {
  const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode));
  if (fd < 0) {
    const std::string why = std::strerror(errno);
    throw OutputError(path_ + ": cannot create (" + why + ")");
  }
  file_ = ::fdopen(fd, "w");
  if (!file_) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp_.c_str());
    throw OutputError(path_ + ": cannot create (" + why + ")");
  }
}

AtomicFileStream::~AtomicFileStream() {
  if (file_) {
    std::fclose(file_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFileStream::commit() {
  std::FILE* f = file_;
  file_ = nullptr;
  const bool written = std::fflush(f) == 0 && !std::ferror(f) && ::fsync(::fileno(f)) == 0;
  const std::string why = std::strerror(errno);
  if (std::fclose(f) != 0 || !written) {
    ::unlink(tmp_.c_str());
    throw OutputError(path_ + ": write failed (" + (written ? std::string(std::strerror(errno)) : why) + ")");
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string e = std::strerror(errno);
    ::unlink(tmp_.c_str());
    throw OutputError(path_ + ": cannot replace (" + e + ")");
  }
}

}  // namespace popscope
