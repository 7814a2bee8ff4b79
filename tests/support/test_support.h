#pragma once
// Helpers shared by the tests: temporary folders, running the popscope binary,
// making test signals.
#include <cstdint>
#include <string>
#include <vector>

namespace popscope::test {

// A fresh folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the popscope binary with a shell-quoted argument string, capturing
// stdout and stderr. Example: run_popscope("info " + quote(path)).
RunResult run_popscope(const std::string& args, const std::string& env_prefix = "");
// Runs any shell command, capturing stdout and stderr.
RunResult run_shell(const std::string& command);
std::string quote(const std::string& s);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
bool have_program(const std::string& name);

// Count of non-overlapping occurrences of needle in haystack.
size_t count_of(const std::string& haystack, const std::string& needle);

std::string binary_path();
std::string source_dir();
// tests/data/ in the source tree: reference data the tests read.
std::string test_data_dir();

}  // namespace popscope::test
