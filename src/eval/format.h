#pragma once
// Output of evaluation results: the JSON document and the terminal table that
// `popscope eval` prints (README, "Evaluation").
//
// JSON: {"parameters": {...}, "recordings": N,
//        "event":   {"overall": {precision, recall, f1, error_rate, rates, counts},
//                    "class_wise": {LABEL: {...}}, "class_wise_average": {...}},
//        "segment": {same shape},
//        "confusion": {"classes": [...], "matrix": {REF: {EST: n}}},
//        "thrust_pop_count_mae": x, "thrusts": {...}}
// Undefined values (an error rate without reference events) are null.
#include <string>

#include <nlohmann/json.hpp>

#include "src/eval/metrics.h"

namespace popscope::eval {

nlohmann::ordered_json to_json(const EvalResult& result);
std::string to_table(const EvalResult& result);
// "onset within 0.02 s; offsets not evaluated" and the like.
std::string describe_rule(const EvalOptions& options);

}  // namespace popscope::eval
