#include "datasets/labels.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "src/errors.h"

namespace popscope::labels {

namespace {

// Far above any recording popscope reads (8 channels); keeps the number an int.
constexpr double kMaxLabelChannel = 4096;

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Shortest text that reads back as the same double.
std::string number_text(double v) {
  std::array<char, 64> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

[[noreturn]] void fail(const std::string& source, size_t line, const std::string& what) {
  throw InputError(source + ":" + std::to_string(line) + ": " + what);
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

bool parse_double(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e;
}

double number_field(const std::string& text, const std::string& what, const std::string& source, size_t line) {
  double v = 0;
  if (!parse_double(text, v)) fail(source, line, what + " '" + trim(text) + "' is not a number");
  if (!std::isfinite(v)) fail(source, line, what + " '" + trim(text) + "' is not finite");
  return v;
}

double optional_number(const std::string& text, const std::string& what, const std::string& source, size_t line) {
  if (trim(text).empty()) return std::numeric_limits<double>::quiet_NaN();
  return number_field(text, what, source, line);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    if (p == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

// Lines without BOM and CR, numbered from 1.
std::vector<std::string> text_lines(const std::string& text) {
  std::string t = text;
  if (t.size() >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF)
    t.erase(0, 3);
  std::vector<std::string> lines = split(t, '\n');
  for (auto& l : lines)
    if (!l.empty() && l.back() == '\r') l.pop_back();
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

bool skippable(const std::string& line) {
  const std::string t = trim(line);
  return t.empty() || t[0] == '#';
}

void check_times(LabelEvent& e, const std::string& source, size_t line) {
  if (e.onset_s < 0) fail(source, line, "onset " + number_text(e.onset_s) + " s is negative");
  if (e.offset_s < e.onset_s)
    fail(source, line, "offset " + number_text(e.offset_s) + " s is before onset " + number_text(e.onset_s) + " s");
}

// ---- Audacity (and sed_eval's plain lists) ----
// Accepted rows: "onset offset label", "onset offset", "file onset offset label",
// "file scene onset offset label" (sed_eval's own test lists), tab-separated.
std::vector<LabelEvent> parse_audacity(const std::string& text, const std::string& source) {
  std::vector<LabelEvent> out;
  const auto lines = text_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = i + 1;
    if (skippable(lines[i])) continue;
    std::vector<std::string> f = split(lines[i], '\t');
    std::string sep = "\t";
    if (f.size() == 1) {  // space-separated lists (sed_eval accepts them)
      f.clear();
      for (const auto& w : split(trim(lines[i]), ' '))
        if (!w.empty()) f.push_back(w);
      sep = " ";
    }
    if (trim(f[0]) == "\\") {
      if (out.empty()) fail(source, n, "frequency line '\\' without a label before it");
      if (f.size() < 3) fail(source, n, "frequency line needs low and high frequency");
      out.back().low_hz = number_field(f[1], "low frequency", source, n);
      out.back().high_hz = number_field(f[2], "high frequency", source, n);
      continue;
    }
    LabelEvent e;
    double dummy;
    size_t t0 = 0;
    if (f.size() >= 4 && !parse_double(f[0], dummy)) {
      // Leading file (and scene) columns: sed_eval's 4- and 5-column lists.
      if (f.size() >= 5 && !parse_double(f[1], dummy)) t0 = 2;
      else t0 = 1;
      e.file = trim(f[0]);
    }
    if (f.size() < t0 + 2)
      fail(source, n, "expected 'start<TAB>end<TAB>label', found " + std::to_string(f.size()) + " column(s)");
    e.onset_s = number_field(f[t0], "start time", source, n);
    e.offset_s = number_field(f[t0 + 1], "end time", source, n);
    if (f.size() > t0 + 2) {
      std::string label = f[t0 + 2];
      for (size_t k = t0 + 3; k < f.size(); ++k) label += sep + f[k];
      e.label = trim(label);
    }
    check_times(e, source, n);
    out.push_back(std::move(e));
  }
  return out;
}

std::string format_audacity(const std::vector<LabelEvent>& events) {
  std::string s;
  for (const auto& e : events) {
    s += number_text(e.onset_s) + "\t" + number_text(e.offset_s) + "\t" + e.label + "\n";
    if (!std::isnan(e.low_hz) || !std::isnan(e.high_hz))
      s += "\\\t" + number_text(std::isnan(e.low_hz) ? 0.0 : e.low_hz) + "\t" +
           number_text(std::isnan(e.high_hz) ? 0.0 : e.high_hz) + "\n";
  }
  return s;
}

// ---- Raven selection tables ----
const char* const kRavenHeader =
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)";

std::vector<LabelEvent> parse_raven(const std::string& text, const std::string& source) {
  std::vector<LabelEvent> out;
  const auto lines = text_lines(text);
  std::map<std::string, size_t> col;
  size_t header_line = 0;
  std::map<std::string, size_t> seen_selection;
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = i + 1;
    if (skippable(lines[i])) continue;
    const std::vector<std::string> f = split(lines[i], '\t');
    if (col.empty()) {
      for (size_t k = 0; k < f.size(); ++k) col[trim(f[k])] = k;
      for (const char* need : {"Begin Time (s)", "End Time (s)"})
        if (!col.count(need)) fail(source, n, std::string("Raven table has no '") + need + "' column");
      header_line = n;
      continue;
    }
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= f.size()) return "";
      return trim(f[it->second]);
    };
    for (const char* need : {"Begin Time (s)", "End Time (s)"})
      if (col.at(need) >= f.size())
        fail(source, n, "row has " + std::to_string(f.size()) + " column(s) and no '" + need +
                            "'; the header on line " + std::to_string(header_line) + " has " +
                            std::to_string(col.size()));
    // Raven writes one row per view (Waveform, Spectrogram) for the same selection.
    const std::string sel = get("Selection");
    if (!sel.empty()) {
      if (seen_selection.count(sel)) continue;
      seen_selection[sel] = out.size();
    }
    LabelEvent e;
    const double begin = number_field(get("Begin Time (s)"), "Begin Time", source, n);
    const double end = number_field(get("End Time (s)"), "End Time", source, n);
    e.file = get("Begin File");
    const std::string file_offset = get("File Offset (s)");
    if (!file_offset.empty()) {
      e.onset_s = number_field(file_offset, "File Offset", source, n);
      e.offset_s = e.onset_s + (end - begin);
    } else {
      e.onset_s = begin;
      e.offset_s = end;
    }
    const std::string ch = get("Channel");
    if (!ch.empty()) {
      const double c = number_field(ch, "Channel", source, n);
      if (c < 0 || c > kMaxLabelChannel || c != std::floor(c)) fail(source, n, "Channel '" + ch + "' is not a channel number");
      e.channel = int(c);
    }
    e.low_hz = optional_number(get("Low Freq (Hz)"), "Low Freq", source, n);
    e.high_hz = optional_number(get("High Freq (Hz)"), "High Freq", source, n);
    for (const char* name : {"Class", "Annotation", "Label", "class", "label"}) {
      const std::string v = get(name);
      if (!v.empty()) {
        e.label = v;
        break;
      }
    }
    for (const char* name : {"Confidence", "confidence"}) {
      const std::string v = get(name);
      if (!v.empty()) e.confidence = number_field(v, "Confidence", source, n);
    }
    check_times(e, source, n);
    out.push_back(std::move(e));
  }
  if (col.empty()) fail(source, 1, "empty Raven table: no header line");
  return out;
}

}  // namespace

std::string raven_header(bool with_file) {
  std::string s = kRavenHeader;
  if (with_file) s += "\tBegin File\tFile Offset (s)";
  return s + "\tClass\tConfidence\n";
}

std::string format_raven_rows(const std::vector<LabelEvent>& events, bool with_file, size_t first_selection) {
  // With several files, Raven's Begin Time runs over the concatenated files;
  // the file-relative time is in File Offset (s), which is what reading uses.
  std::string s;
  size_t sel = first_selection;
  for (const auto& e : events) {
    auto opt = [](double v) { return std::isnan(v) ? std::string() : number_text(v); };
    s += std::to_string(sel++) + "\tSpectrogram 1\t" + std::to_string(e.channel > 0 ? e.channel : 1) + "\t" +
         number_text(e.onset_s) + "\t" + number_text(e.offset_s) + "\t" + opt(e.low_hz) + "\t" + opt(e.high_hz);
    if (with_file) s += "\t" + e.file + "\t" + number_text(e.onset_s);
    s += "\t" + e.label + "\t" + opt(e.confidence) + "\n";
  }
  return s;
}

namespace {

std::string format_raven(const std::vector<LabelEvent>& events) {
  bool any_file = false;
  for (const auto& e : events) any_file |= !e.file.empty();
  return raven_header(any_file) + format_raven_rows(events, any_file, 1);
}

// ---- CSV ----
const std::vector<std::string> kCsvColumns = {"file",  "channel",    "onset_s", "offset_s",
                                              "label", "confidence", "low_hz",  "high_hz"};

// One CSV record starting at `pos` (RFC 4180: quoted fields may hold commas,
// quotes and line breaks). Advances pos past the record and counts lines.
std::vector<std::string> next_csv_record(const std::string& t, size_t& pos, size_t& line, const std::string& source) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, was_quoted = false;
  const size_t start_line = line;
  for (; pos < t.size(); ++pos) {
    const char c = t[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < t.size() && t[pos + 1] == '"') {
          cur += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cur += c;
      }
    } else if (c == '"' && trim(cur).empty() && !was_quoted) {
      cur.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      out.push_back(was_quoted ? cur : trim(cur));
      cur.clear();
      was_quoted = false;
    } else if (c == '\n') {
      ++pos;
      ++line;
      break;
    } else if (c != '\r' || was_quoted || (pos + 1 < t.size() && t[pos + 1] != '\n')) {
      cur += c;
    }
  }
  if (quoted) fail(source, start_line, "unterminated quoted field");
  out.push_back(was_quoted ? cur : trim(cur));
  return out;
}


std::vector<LabelEvent> parse_csv(const std::string& text, const std::string& source) {
  std::vector<LabelEvent> out;
  std::string t = text;
  if (t.size() >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF)
    t.erase(0, 3);
  std::map<std::string, size_t> col;
  size_t pos = 0, line = 1;
  while (pos < t.size()) {
    const size_t n = line;
    const size_t eol = t.find('\n', pos);
    if (skippable(t.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos))) {
      if (eol == std::string::npos) break;
      pos = eol + 1;
      ++line;
      continue;
    }
    const auto f = next_csv_record(t, pos, line, source);
    if (col.empty()) {
      for (size_t k = 0; k < f.size(); ++k)
        if (!col.emplace(f[k], k).second) fail(source, n, "CSV header names the column '" + f[k] + "' twice");
      for (const char* need : {"onset_s", "offset_s"})
        if (!col.count(need)) fail(source, n, std::string("CSV header has no '") + need + "' column");
      continue;
    }
    if (f.size() != col.size())
      fail(source, n, "row has " + std::to_string(f.size()) + " fields, the header has " + std::to_string(col.size()));
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : f[it->second];
    };
    LabelEvent e;
    e.file = get("file");
    const std::string ch = get("channel");
    if (!ch.empty()) {
      const double c = number_field(ch, "channel", source, n);
      if (c < 0 || c > kMaxLabelChannel || c != std::floor(c)) fail(source, n, "channel '" + ch + "' is not a channel number");
      e.channel = int(c);
    }
    e.onset_s = number_field(get("onset_s"), "onset_s", source, n);
    e.offset_s = number_field(get("offset_s"), "offset_s", source, n);
    e.label = get("label").empty() ? get("class") : get("label");
    e.confidence = optional_number(get("confidence"), "confidence", source, n);
    e.low_hz = optional_number(get("low_hz"), "low_hz", source, n);
    e.high_hz = optional_number(get("high_hz"), "high_hz", source, n);
    check_times(e, source, n);
    out.push_back(std::move(e));
  }
  return out;
}

std::string format_csv(const std::vector<LabelEvent>& events) {
  std::string s;
  for (size_t k = 0; k < kCsvColumns.size(); ++k) s += (k ? "," : "") + kCsvColumns[k];
  s += "\n";
  auto opt = [](double v) { return std::isnan(v) ? std::string() : number_text(v); };
  for (const auto& e : events) {
    s += csv_field(e.file) + "," + (e.channel > 0 ? std::to_string(e.channel) : std::string()) + "," +
         number_text(e.onset_s) + "," + number_text(e.offset_s) + "," + csv_field(e.label) + "," +
         opt(e.confidence) + "," + opt(e.low_hz) + "," + opt(e.high_hz) + "\n";
  }
  return s;
}

// ---- JSON lines ----
std::vector<LabelEvent> parse_jsonl(const std::string& text, const std::string& source) {
  std::vector<LabelEvent> out;
  const auto lines = text_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = i + 1;
    if (skippable(lines[i])) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(lines[i]);
    } catch (const nlohmann::json::exception& ex) {
      fail(source, n, std::string("not valid JSON (") + ex.what() + ")");
    }
    if (!j.is_object()) fail(source, n, "expected a JSON object per line");
    auto num = [&](const char* key, bool required) -> double {
      if (!j.contains(key) || j[key].is_null()) {
        if (required) fail(source, n, std::string("missing '") + key + "'");
        return std::numeric_limits<double>::quiet_NaN();
      }
      if (!j[key].is_number()) fail(source, n, std::string("'") + key + "' is not a number");
      const double v = j[key].get<double>();
      if (!std::isfinite(v)) fail(source, n, std::string("'") + key + "' is not finite");
      return v;
    };
    auto str = [&](const char* key) -> std::string {
      if (!j.contains(key) || j[key].is_null()) return "";
      if (!j[key].is_string()) fail(source, n, std::string("'") + key + "' is not a string");
      return j[key].get<std::string>();
    };
    LabelEvent e;
    e.onset_s = num("onset_s", true);
    e.offset_s = num("offset_s", true);
    e.file = str("file");
    e.label = j.contains("label") ? str("label") : str("class");
    const double ch = num("channel", false);
    if (!std::isnan(ch)) {
      if (ch < 0 || ch > kMaxLabelChannel || ch != std::floor(ch)) fail(source, n, "'channel' is not a channel number");
      e.channel = int(ch);
    }
    e.confidence = num("confidence", false);
    e.low_hz = num("low_hz", false);
    e.high_hz = num("high_hz", false);
    check_times(e, source, n);
    out.push_back(std::move(e));
  }
  return out;
}

std::string format_jsonl(const std::vector<LabelEvent>& events) {
  std::string s;
  for (const auto& e : events) {
    nlohmann::ordered_json j;
    if (!e.file.empty()) j["file"] = e.file;
    if (e.channel > 0) j["channel"] = e.channel;
    j["onset_s"] = e.onset_s;
    j["offset_s"] = e.offset_s;
    j["label"] = e.label;
    if (!std::isnan(e.confidence)) j["confidence"] = e.confidence;
    if (!std::isnan(e.low_hz)) j["low_hz"] = e.low_hz;
    if (!std::isnan(e.high_hz)) j["high_hz"] = e.high_hz;
    s += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string csv_field(const std::string& v) {
  // A leading '#' is quoted too: an unquoted row starting with it reads as a comment line.
  if (v.find_first_of(",\"\n\r") == std::string::npos && trim(v) == v && (v.empty() || v[0] != '#')) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

bool LabelEvent::operator==(const LabelEvent& o) const {
  return onset_s == o.onset_s && offset_s == o.offset_s && label == o.label && file == o.file &&
         channel == o.channel && same_number(low_hz, o.low_hz) && same_number(high_hz, o.high_hz) &&
         same_number(confidence, o.confidence);
}

LabelFormat parse_label_format(const std::string& name) {
  if (name == "audacity") return LabelFormat::kAudacity;
  if (name == "raven") return LabelFormat::kRaven;
  if (name == "csv") return LabelFormat::kCsv;
  if (name == "jsonl") return LabelFormat::kJsonl;
  throw UsageError("unknown label format '" + name + "'; use audacity, raven, csv or jsonl");
}

std::string label_format_name(LabelFormat format) {
  switch (format) {
    case LabelFormat::kAudacity: return "audacity";
    case LabelFormat::kRaven: return "raven";
    case LabelFormat::kCsv: return "csv";
    case LabelFormat::kJsonl: return "jsonl";
  }
  return "audacity";
}

std::string label_extension(LabelFormat format) {
  switch (format) {
    case LabelFormat::kAudacity: return ".txt";
    case LabelFormat::kRaven: return ".selections.txt";
    case LabelFormat::kCsv: return ".csv";
    case LabelFormat::kJsonl: return ".jsonl";
  }
  return ".txt";
}

LabelFormat detect_label_format(const std::string& path, const std::string& text) {
  const auto lines = text_lines(text);
  for (const auto& l : lines) {
    if (skippable(l)) continue;
    const std::string t = trim(l);
    if (t.rfind("Selection\t", 0) == 0 || t.find("Begin Time (s)") != std::string::npos) return LabelFormat::kRaven;
    if (t[0] == '{') return LabelFormat::kJsonl;
    if (t.find("onset_s") != std::string::npos && t.find(',') != std::string::npos) return LabelFormat::kCsv;
    break;
  }
  if (ends_with(path, ".jsonl")) return LabelFormat::kJsonl;
  if (ends_with(path, ".csv")) return LabelFormat::kCsv;
  return LabelFormat::kAudacity;
}

std::vector<LabelEvent> parse_labels(const std::string& text, LabelFormat format, const std::string& source_name) {
  switch (format) {
    case LabelFormat::kAudacity: return parse_audacity(text, source_name);
    case LabelFormat::kRaven: return parse_raven(text, source_name);
    case LabelFormat::kCsv: return parse_csv(text, source_name);
    case LabelFormat::kJsonl: return parse_jsonl(text, source_name);
  }
  return {};
}

std::string format_labels(const std::vector<LabelEvent>& events, LabelFormat format) {
  switch (format) {
    case LabelFormat::kAudacity: return format_audacity(events);
    case LabelFormat::kRaven: return format_raven(events);
    case LabelFormat::kCsv: return format_csv(events);
    case LabelFormat::kJsonl: return format_jsonl(events);
  }
  return {};
}

namespace {
std::string read_whole(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw InputError(path + ": is a folder, not a label file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open label file (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  return ss.str();
}
}  // namespace

std::vector<LabelEvent> read_labels(const std::string& path) {
  const std::string text = read_whole(path);
  return parse_labels(text, detect_label_format(path, text), path);
}

std::vector<LabelEvent> read_labels(const std::string& path, LabelFormat format) {
  return parse_labels(read_whole(path), format, path);
}

}  // namespace popscope::labels
