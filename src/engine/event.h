#pragma once
// One detected acoustic event, as every sink (tables, labels, the severity
// log, reports) sees it. Times are in the source recording's own samples and
// seconds.
#include <array>
#include <cstdint>
#include <string>

#include "src/engine/features.h"

namespace popscope {

struct Event {
  int channel = 0;  // 0-based
  int64_t onset_sample = 0;
  int64_t peak_sample = 0;
  int64_t offset_sample = 0;
  double onset_s = 0;
  double peak_s = 0;
  double offset_s = 0;
  double peak_dbfs = 0;
  double rms_dbfs = 0;
  int impulse_count = 1;
  bool is_train = false;
  // Filled by the classifier; empty when the run has no model.
  std::string class_name;
  double confidence = 0;
  // The model's probability that the sound is a cavitation pop (-1: no model,
  // or a model without that class). An event that context makes a pop (a
  // thrust's neighbour, see postprocess.h) takes it as its confidence.
  double pop_probability = -1;
  // The same for crepitus and for other (-1 when the model lacks the class):
  // a thrust's pops are decided together from them ("Thrust vote",
  // postprocess.h).
  double crepitus_probability = -1;
  double other_probability = -1;
  // Filled by post-processing: thrust grouping and the refractory check.
  int thrust_id = -1;
  bool refractory_repeat = false;
  std::string side;  // multichannel: left / right / both
  // Live capture: how many early pop announcements this final event settles
  // (Engine::set_early_decisions), and the onset of the first of them.
  int early_announcements = 0;
  double early_onset_s = -1;
  FeatureVector features{};
};

}  // namespace popscope
