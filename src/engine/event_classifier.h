#pragma once
// Interface between the engine and a trained model: fills class_name and
// confidence of an event from its features, and says whether the candidate
// is a sound at all (false: background the detector picked up; dropped).
// Implementations must not allocate in classify() (it runs on the analysis
// thread of live capture).
#include "src/engine/event.h"

namespace popscope {

class EventClassifier {
 public:
  virtual ~EventClassifier() = default;
  virtual bool classify(Event& event) const = 0;
};

}  // namespace popscope
