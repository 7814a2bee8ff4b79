#include "src/cli/input_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace popscope::cli {

namespace fs = std::filesystem;

bool is_audio_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".oga" || ext == ".aif" || ext == ".aiff";
}

std::string path_stem(const std::string& path) { return fs::path(path).stem().string(); }

InputList expand_inputs(const std::vector<std::string>& args, bool recursive) {
  InputList list;
  for (const auto& arg : args) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<std::string> found;
      auto add = [&](const fs::directory_entry& e) {
        if (e.is_regular_file(ec) && is_audio_extension(e.path().string())) found.push_back(e.path().string());
      };
      if (recursive) {
        for (const auto& e : fs::recursive_directory_iterator(arg, fs::directory_options::skip_permission_denied, ec)) add(e);
      } else {
        for (const auto& e : fs::directory_iterator(arg, ec)) add(e);
      }
      if (ec) {
        list.errors.push_back(arg + ": cannot list the folder (" + ec.message() + ")");
        continue;
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        list.errors.push_back(arg + ": folder holds no audio files (.wav .flac .ogg .aiff)" +
                              std::string(recursive ? "" : "; add --recursive to search subfolders"));
      }
      list.files.insert(list.files.end(), found.begin(), found.end());
    } else {
      list.files.push_back(arg);  // the reader reports missing or unreadable files
    }
  }
  return list;
}

}  // namespace popscope::cli
