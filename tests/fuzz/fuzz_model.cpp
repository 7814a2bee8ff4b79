// libFuzzer target: model files. Malformed models must be refused with
// InputError, never crash; accepted models must predict finite probabilities.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"
#include "src/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace popscope;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  models::Model m;
  try {
    m = models::model_from_json(j, "fuzz");
  } catch (const InputError&) {
    return 0;
  }
  std::vector<float> x(size_t(m.input_count()), 0.5f), p(size_t(m.class_count()));
  m.predict(x.data(), p.data());
  for (float v : p)
    if (!(v >= 0 && v <= 1) && !std::isnan(v)) __builtin_trap();
  return 0;
}
