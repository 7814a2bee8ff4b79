#pragma once
// Error types that map to the documented exit codes (see src/cli/exit_codes.h).
// Messages are complete sentences a user can act on and name the file or flag.
#include <stdexcept>
#include <string>

namespace popscope {

// Bad command-line values: exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An input file that cannot be used (missing, unreadable, not audio, bad labels): exit 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An output that cannot be written (read-only folder, full disk): exit 4.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The severity log database cannot be used safely: exit 5.
struct DatabaseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace popscope
