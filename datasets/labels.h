#pragma once
// Label files researchers already use, read and written losslessly:
//  - Audacity label tracks: "start<TAB>end<TAB>label" (point labels have
//    start == end), optionally followed by a "\<TAB>low_hz<TAB>high_hz" line.
//  - Raven selection tables: tab-separated with the header
//    "Selection View Channel Begin Time (s) End Time (s) Low Freq (Hz) High Freq (Hz)"
//    plus optional "Begin File", "File Offset (s)", class and confidence columns.
//  - CSV: header "file,channel,onset_s,offset_s,label,confidence,low_hz,high_hz".
//  - JSON lines: one object per event with the same keys.
// Readers tolerate CRLF, a UTF-8 BOM, blank lines and '#' comment lines; errors
// are InputError("PATH:LINE: problem").
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace popscope::labels {

// The four event classes (DOMAIN.md, "The classes").
inline const std::vector<std::string>& class_names() {
  static const std::vector<std::string> names = {"cavitation", "crepitus", "snap", "other"};
  return names;
}

struct LabelEvent {
  double onset_s = 0.0;
  double offset_s = 0.0;
  std::string label;
  std::string file;   // recording the event belongs to; empty when the label file is per recording
  int channel = 0;    // 1-based channel; 0 when unknown or all channels
  double low_hz = std::numeric_limits<double>::quiet_NaN();   // frequency box, NaN when absent
  double high_hz = std::numeric_limits<double>::quiet_NaN();
  double confidence = std::numeric_limits<double>::quiet_NaN();  // 0..1, NaN when absent

  bool operator==(const LabelEvent& o) const;
};

enum class LabelFormat { kAudacity, kRaven, kCsv, kJsonl };

// "audacity" | "raven" | "csv" | "jsonl"; throws UsageError for other names.
LabelFormat parse_label_format(const std::string& name);
std::string label_format_name(LabelFormat format);
// File extension used when writing: ".txt" (Audacity), ".selections.txt" (Raven), ".csv", ".jsonl".
std::string label_extension(LabelFormat format);

// Guesses the format from the content (a Raven header, a CSV header, '{') and
// the extension; Audacity otherwise.
LabelFormat detect_label_format(const std::string& path, const std::string& text);

// One CSV field (RFC 4180): quoted when it holds a comma, quote, line break
// or leading/trailing blanks. Shared by every CSV popscope writes.
std::string csv_field(const std::string& value);

std::vector<LabelEvent> parse_labels(const std::string& text, LabelFormat format,
                                     const std::string& source_name);
std::string format_labels(const std::vector<LabelEvent>& events, LabelFormat format);
// A Raven selection table in pieces, for writing one as events come: the
// header line, then rows numbered from first_selection. with_file adds the
// Begin File and File Offset (s) columns.
std::string raven_header(bool with_file);
std::string format_raven_rows(const std::vector<LabelEvent>& events, bool with_file, size_t first_selection);

// Reads a label file, detecting its format. Throws InputError naming file and line.
std::vector<LabelEvent> read_labels(const std::string& path);
std::vector<LabelEvent> read_labels(const std::string& path, LabelFormat format);
// Writing: format_labels() then src/io/atomic_file.h's write_file_atomically().

}  // namespace popscope::labels
