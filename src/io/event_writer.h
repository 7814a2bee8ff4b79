#pragma once
// Output formats for detected events, with fixed, documented columns:
//  table     human-readable columns (time, class, level, duration, frequency)
//  jsonl     one JSON object per event: file, channel (1-based), onset_s,
//            offset_s, peak_s, peak_dbfs, rms_dbfs, impulse_count, train,
//            class, confidence, thrust, refractory_repeat, side, features{...}
//  csv       the same fields as columns, features flattened by name
//  audacity  Audacity label track (start, end, label)
//  raven     Raven selection table (with Begin File, class and confidence)
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/labels.h"
#include "src/engine/event.h"

namespace popscope {

enum class EventFormat { kTable, kJsonl, kCsv, kAudacity, kRaven };

EventFormat parse_event_format(const std::string& name);  // throws UsageError
const char* event_format_name(EventFormat format);
// Extension of a per-input output file: .txt, .jsonl, .csv, .txt, .selections.txt
std::string event_format_extension(EventFormat format);

// The label an event carries in label files: its class, or "event" when unclassified.
std::string event_label(const Event& e);
labels::LabelEvent to_label_event(const std::string& file, const Event& e);
nlohmann::json event_to_json(const std::string& file, const Event& e, bool with_features = true);

// Formats one input's events. with_header adds the CSV header / table title.
std::string format_events(const std::string& file, const std::vector<Event>& events, EventFormat format,
                          bool with_header);
std::string csv_header();
// One line: events per class, thrusts and pops per thrust, pops per side,
// refractory repeats.
std::string event_summary(const std::vector<Event>& events);

}  // namespace popscope
