#pragma once
// Output formats for detected events, with fixed, documented columns:
//  table     human-readable columns (time, class, level, duration, frequency)
//  jsonl     one JSON object per event: file, channel (1-based), onset_s,
//            offset_s, peak_s, peak_dbfs, rms_dbfs, impulse_count, train,
//            class, confidence, thrust, refractory_repeat, side, features{...}
//  csv       the same fields as columns, features flattened by name
//  audacity  Audacity label track (start, end, label)
//  raven     Raven selection table (with Begin File, class and confidence)
#include <cstdio>
#include <map>
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

// event_summary() gathered an event at a time (a few counters per class,
// thrust and side, never the events).
class EventSummary {
 public:
  void add(const Event& e);
  std::string text() const;
  size_t events() const { return events_; }

 private:
  size_t events_ = 0;
  int repeats_ = 0;
  std::map<std::string, int> per_class_;
  std::map<int, int> per_thrust_;
  std::map<std::string, int> per_side_;
};

// Writes one input's events as they come (in onset order, a batch at a time)
// in exactly the layout format_events() gives for all of them at once, so a
// long recording's events are never all held. The table's heading counts the
// events, so its rows wait in a temporary file until finish().
class EventStreamWriter {
 public:
  // with_header as in format_events(). out_name names out in errors.
  EventStreamWriter(std::string file, EventFormat format, bool with_header, std::FILE* out, std::string out_name);
  ~EventStreamWriter();
  EventStreamWriter(const EventStreamWriter&) = delete;
  EventStreamWriter& operator=(const EventStreamWriter&) = delete;
  void write(const std::vector<Event>& events);  // throws OutputError
  void finish();                                 // throws OutputError
  // Bytes of the header (CSV header line, Raven header line) at the start of
  // the output: what to skip when several inputs share one output.
  size_t header_bytes() const { return header_bytes_; }
  size_t events() const { return summary_.events(); }

 private:
  void put(const std::string& text, std::FILE* to);
  std::string file_;
  EventFormat format_;
  bool with_header_;
  std::FILE* out_;
  std::string out_name_;
  std::FILE* rows_ = nullptr;  // table rows until finish()
  size_t header_bytes_ = 0;
  EventSummary summary_;
};

}  // namespace popscope
