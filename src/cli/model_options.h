#pragma once
// The classifier options shared by analyze, eval and report: --model,
// --min-confidence and --class-threshold CLASS=P.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "src/engine/model_classifier.h"

namespace popscope::cli {

struct ModelOptions {
  std::string model = "default";
  double min_confidence = 0.0;
  std::vector<std::string> class_thresholds;  // CLASS=P

  void add_to(CLI::App* app);
  // Null for --model none, or for 'default' when popscope was built without a
  // default model. Throws UsageError / InputError naming the flag or file.
  std::shared_ptr<const ModelClassifier> load(double analysis_rate_hz) const;
  // The options as command-line text, for the saved run parameters.
  std::string command_text() const;
};

}  // namespace popscope::cli
