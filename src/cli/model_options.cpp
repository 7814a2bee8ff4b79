#include "src/cli/model_options.h"

#include <cstdlib>

#include "src/errors.h"

namespace popscope::cli {

void ModelOptions::add_to(CLI::App* app) {
  app->add_option("--model", model,
                  "Classifier model file; 'default' is the built-in model, 'none' reports unclassified events")
      ->capture_default_str();
  app->add_option("--min-confidence", min_confidence,
                  "Report only events whose class confidence is at least this (0 to 1)");
  app->add_option("--class-threshold", class_thresholds,
                  "CLASS=P: report CLASS only at confidence >= P, otherwise the event becomes 'other' "
                  "(e.g. cavitation=0.9); repeatable");
}

std::shared_ptr<const ModelClassifier> ModelOptions::load(double analysis_rate_hz) const {
  if (!(min_confidence >= 0 && min_confidence <= 1)) throw UsageError("--min-confidence must be from 0 to 1");
  if (model == "none") return nullptr;
  models::Model m;
  try {
    m = load_model_or_default(model);
  } catch (const InputError&) {
    if (model != "default") throw;
    return nullptr;  // built without a default model: events stay unclassified
  }
  auto c = std::make_shared<ModelClassifier>(std::move(m), analysis_rate_hz,
                                             model == "default" ? "built-in default model" : model);
  c->set_global_min_confidence(float(min_confidence));
  for (const std::string& t : class_thresholds) {
    const auto eq = t.find('=');
    char* end = nullptr;
    const double v = eq == std::string::npos ? -1 : std::strtod(t.c_str() + eq + 1, &end);
    if (eq == std::string::npos || !end || *end || !(v >= 0 && v <= 1))
      throw UsageError("--class-threshold '" + t + "' is not CLASS=P with P from 0 to 1, e.g. cavitation=0.9");
    c->set_min_confidence(t.substr(0, eq), float(v));
  }
  return c;
}

std::string ModelOptions::command_text() const {
  std::string s = " --model " + model;
  if (min_confidence > 0) s += " --min-confidence " + std::to_string(min_confidence);
  for (const auto& t : class_thresholds) s += " --class-threshold " + t;
  return s;
}

}  // namespace popscope::cli
