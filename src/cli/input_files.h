#pragma once
// Expands the FILE|DIR arguments of batch commands into audio files.
#include <string>
#include <vector>

namespace popscope::cli {

struct InputList {
  std::vector<std::string> files;   // audio files, in argument order (folders sorted)
  std::vector<std::string> errors;  // "PATH: problem" for arguments that gave no file
};

bool is_audio_extension(const std::string& path);
InputList expand_inputs(const std::vector<std::string>& args, bool recursive);
std::string path_stem(const std::string& path);

}  // namespace popscope::cli
