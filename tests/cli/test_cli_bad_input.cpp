// Runs the bad-input matrix (tests/cli/bad_input_matrix.h) and checks that the
// README's "## Bad input" table is generated from it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "src/io/audio_file_writer.h"
#include "tests/cli/bad_input_matrix.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::TempDir;

namespace {

namespace fs = std::filesystem;

// 1 s of a quiet tone in 32-bit float with 100 NaN samples from 1000, +inf at
// 20000 and -inf at 30000 (10 each): 120 non-finite samples.
void write_nan_wav(const std::string& path) {
  std::vector<float> x(48000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.1f * float(std::sin(2 * M_PI * 440.0 * double(i) / 48000.0));
  for (size_t i = 1000; i < 1100; ++i) x[i] = std::numeric_limits<float>::quiet_NaN();
  for (size_t i = 20000; i < 20010; ++i) x[i] = std::numeric_limits<float>::infinity();
  for (size_t i = 30000; i < 30010; ++i) x[i] = -std::numeric_limits<float>::infinity();
  write_audio_file(path, 48000, {x}, SampleEncoding::kFloat32);
}

std::string shell_env(const TempDir& dir) {
  const std::string bin_dir = fs::path(test::binary_path()).parent_path().string();
  return "cd " + quote(dir.path()) + " && PATH=" + quote(bin_dir) + ":\"$PATH\" && " + test::kBadInputPrelude;
}

std::vector<std::string> leftover_temporaries(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied))
    if (e.path().filename().string().find(".tmp") != std::string::npos) found.push_back(e.path().string());
  return found;
}

std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// The README table, one line per row of the matrix.
std::string bad_input_table() {
  std::string t = "| Bad input | Command | Exit | What you see |\n|---|---|---|---|\n";
  for (const auto& row : test::kBadInputMatrix) {
    std::string sees;
    if (*row.err_has) sees = "`popscope: " + std::string(row.err_has) + "`";
    else if (*row.out_has) sees = "`" + std::string(row.out_has) + "`";
    else sees = "events as usual";
    std::string command = "`" + std::string(row.command) + "`";
    if (command.rfind("`$AS_USER ", 0) == 0) command = "`" + command.substr(10) + " (run by a user without access)";
    t += "| " + cell(row.tried) + " | " + cell(command) + " | " + std::to_string(row.exit_code) + " | " + cell(sees) +
         " |\n";
  }
  return t;
}

const std::string kBegin = "<!-- bad-input table: generated from tests/cli/bad_input_matrix.h -->\n";
const std::string kEnd = "<!-- end of bad-input table -->\n";

}  // namespace

TEST_CASE("bad-input matrix: each bad input gets its documented exit code and message") {
  REQUIRE(test::have_program("sox"));
  for (const auto& row : test::kBadInputMatrix) {
    const std::string tried = row.tried, command = row.command;
    CAPTURE(tried);
    CAPTURE(command);
    TempDir dir;
    const std::string env = shell_env(dir);
    if (std::string(row.setup) == "@nan") {
      write_nan_wav(dir.file("take1.wav"));
    } else if (*row.setup) {
      const auto s = test::run_shell(env + "\n" + row.setup);
      REQUIRE_MESSAGE(s.exit_code == 0, "setup failed: " << s.err);
    }
    const auto r = test::run_shell(env + "\n" + row.command);
    CAPTURE(r.err);
    CHECK(r.exit_code == row.exit_code);
    CHECK(r.err.find(row.err_has) != std::string::npos);
    CHECK(r.out.find(row.out_has) != std::string::npos);
    if (*row.err_has) {
      // One clear line, no internal error, no crash report.
      CHECK(r.err.find("internal error") == std::string::npos);
      CHECK(r.err.find("Sanitizer") == std::string::npos);
    }
    if (*row.check) {
      const auto c = test::run_shell(env + "\n" + row.check);
      CHECK_MESSAGE(c.exit_code == 0, "check failed: " << std::string(row.check) << "\n" << c.out << c.err);
    }
    const auto left = leftover_temporaries(dir.path());
    CHECK_MESSAGE(left.empty(), "temporary files left: " << (left.empty() ? "" : left.front()));
  }
}

TEST_CASE("README bad input table matches the matrix") {
  const std::string readme_path = test::source_dir() + "/README.md";
  std::string readme = test::read_text(readme_path);
  const std::string table = kBegin + bad_input_table() + kEnd;
  size_t begin = readme.find(kBegin), end = readme.find(kEnd);
  if (std::getenv("POPSCOPE_UPDATE_README") && begin != std::string::npos && end != std::string::npos) {
    readme.replace(begin, end + kEnd.size() - begin, table);
    test::write_text(readme_path, readme);
    begin = readme.find(kBegin);
    end = readme.find(kEnd);
  }
  REQUIRE_MESSAGE(begin != std::string::npos, "README.md has no bad-input table marker");
  REQUIRE(end != std::string::npos);
  CHECK_MESSAGE(readme.substr(begin, end + kEnd.size() - begin) == table,
                "README.md's bad-input table differs from tests/cli/bad_input_matrix.h; regenerate it with "
                "POPSCOPE_UPDATE_README=1 build/tests/test_cli -tc=\"README*bad input*\"");
}
