#include "src/io/event_writer.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "src/errors.h"

namespace popscope {

EventFormat parse_event_format(const std::string& name) {
  if (name == "table") return EventFormat::kTable;
  if (name == "jsonl") return EventFormat::kJsonl;
  if (name == "csv") return EventFormat::kCsv;
  if (name == "audacity") return EventFormat::kAudacity;
  if (name == "raven") return EventFormat::kRaven;
  throw UsageError("unknown format '" + name + "'; use table, jsonl, csv, audacity or raven");
}

const char* event_format_name(EventFormat f) {
  switch (f) {
    case EventFormat::kTable: return "table";
    case EventFormat::kJsonl: return "jsonl";
    case EventFormat::kCsv: return "csv";
    case EventFormat::kAudacity: return "audacity";
    case EventFormat::kRaven: return "raven";
  }
  return "table";
}

std::string event_format_extension(EventFormat f) {
  switch (f) {
    case EventFormat::kTable: return ".table.txt";
    case EventFormat::kJsonl: return ".jsonl";
    case EventFormat::kCsv: return ".csv";
    case EventFormat::kAudacity: return ".txt";
    case EventFormat::kRaven: return ".selections.txt";
  }
  return ".txt";
}

std::string event_label(const Event& e) { return e.class_name.empty() ? "event" : e.class_name; }

namespace {
double feature(const Event& e, const char* name) {
  const size_t i = feature_index(name);
  return i < kFeatureCount ? e.features[i] : 0.0;
}
}  // namespace

labels::LabelEvent to_label_event(const std::string& file, const Event& e) {
  labels::LabelEvent l;
  l.onset_s = e.onset_s;
  l.offset_s = e.offset_s;
  l.label = event_label(e);
  l.file = file;
  l.channel = e.channel + 1;
  const double centroid = feature(e, "centroid_hz"), bw = feature(e, "bandwidth_hz");
  l.low_hz = std::max(0.0, std::round(centroid - bw));
  l.high_hz = std::round(std::max(feature(e, "rolloff_hz"), centroid + bw));
  if (!e.class_name.empty()) l.confidence = e.confidence;
  return l;
}

nlohmann::json event_to_json(const std::string& file, const Event& e, bool with_features) {
  nlohmann::ordered_json j;
  j["file"] = file;
  j["channel"] = e.channel + 1;
  j["onset_s"] = e.onset_s;
  j["offset_s"] = e.offset_s;
  j["peak_s"] = e.peak_s;
  j["peak_dbfs"] = std::round(e.peak_dbfs * 100) / 100;
  j["rms_dbfs"] = std::round(e.rms_dbfs * 100) / 100;
  j["impulse_count"] = e.impulse_count;
  j["train"] = e.is_train;
  j["class"] = e.class_name.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.class_name);
  j["confidence"] = e.class_name.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.confidence);
  j["thrust"] = e.thrust_id >= 0 ? nlohmann::ordered_json(e.thrust_id) : nlohmann::ordered_json(nullptr);
  j["refractory_repeat"] = e.refractory_repeat;
  if (!e.side.empty()) j["side"] = e.side;
  if (with_features) {
    nlohmann::ordered_json f;
    const auto& names = feature_names();
    for (size_t i = 0; i < names.size(); ++i) f[names[i]] = e.features[i];
    j["features"] = f;
  }
  return nlohmann::json(j);
}

std::string csv_header() {
  std::string h = "file,channel,onset_s,offset_s,peak_s,peak_dbfs,rms_dbfs,impulse_count,train,class,confidence,thrust";
  for (const char* n : feature_names()) h += std::string(",") + n;
  return h + "\n";
}

namespace {


}  // namespace

void EventSummary::add(const Event& e) {
  ++events_;
  ++per_class_[event_label(e)];
  if (e.thrust_id >= 0) ++per_thrust_[e.thrust_id];
  if (!e.side.empty() && e.class_name == "cavitation") ++per_side_[e.side];
  repeats_ += e.refractory_repeat;
}

std::string EventSummary::text() const {
  std::string s;
  for (const auto& [name, n] : per_class_)
    s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + (name == "event" ? std::string("unclassified") : name);
  if (!per_thrust_.empty()) {
    s += "; " + std::to_string(per_thrust_.size()) + " thrust" + (per_thrust_.size() == 1 ? "" : "s") +
         ", pops per thrust:";
    for (const auto& [id, n] : per_thrust_) s += " " + std::to_string(n);
  }
  if (!per_side_.empty()) {
    s += "; pops by side:";
    for (const auto& [side, n] : per_side_) s += " " + side + " " + std::to_string(n);
  }
  if (repeats_) s += "; " + std::to_string(repeats_) + " repeat pop(s) within the 20-minute refractory period";
  return s;
}

std::string event_summary(const std::vector<Event>& events) {
  EventSummary summary;
  for (const Event& e : events) summary.add(e);
  return summary.text();
}

namespace {

std::vector<labels::LabelEvent> label_events(const std::string& file, const std::vector<Event>& events) {
  std::vector<labels::LabelEvent> ls;
  ls.reserve(events.size());
  for (const Event& e : events) ls.push_back(to_label_event(file, e));
  return ls;
}

std::string table_heading(const std::string& file, size_t events) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %3s %10s %10s %8s %-10s %5s %7s %8s %8s %4s %6s\n", "ch", "onset_s", "offset_s",
                "dur_ms", "class", "conf", "peak_db", "dom_hz", "tau_ms", "imp", "thrust");
  return file + ": " + std::to_string(events) + " event" + (events == 1 ? "" : "s") + "\n" + buf;
}

void table_rows(std::ostringstream& out, const std::vector<Event>& events) {
  char buf[256];
  for (const Event& e : events) {
    std::snprintf(buf, sizeof buf, "  %3d %10.4f %10.4f %8.1f %-10s %5s %7.1f %8.0f %8.1f %4d %6s\n",
                  e.channel + 1, e.onset_s, e.offset_s, 1000.0 * (e.offset_s - e.onset_s),
                  (e.class_name.empty() ? "-" : e.class_name.c_str()),
                  e.class_name.empty() ? "-" : std::to_string(int(std::lround(e.confidence * 100))).append("%").c_str(),
                  e.peak_dbfs, feature(e, "dominant_hz"), 1000.0 * feature(e, "decay_tau_s"), e.impulse_count,
                  e.thrust_id >= 0 ? std::to_string(e.thrust_id).c_str() : "-");
    out << buf;
  }
}

void table(std::ostringstream& out, const std::string& file, const std::vector<Event>& events, bool header) {
  if (header) out << table_heading(file, events.size());
  table_rows(out, events);
  if (header && !events.empty()) out << "  " << event_summary(events) << "\n";
}

}  // namespace

std::string format_events(const std::string& file, const std::vector<Event>& events, EventFormat format,
                          bool with_header) {
  std::ostringstream out;
  switch (format) {
    case EventFormat::kTable:
      table(out, file, events, with_header);
      break;
    case EventFormat::kJsonl:
      for (const Event& e : events) out << event_to_json(file, e).dump() << "\n";
      break;
    case EventFormat::kCsv: {
      if (with_header) out << csv_header();
      char buf[64];
      for (const Event& e : events) {
        out << labels::csv_field(file) << ',' << e.channel + 1;
        for (double v : {e.onset_s, e.offset_s, e.peak_s, e.peak_dbfs, e.rms_dbfs}) {
          std::snprintf(buf, sizeof buf, ",%.6f", v);
          out << buf;
        }
        out << ',' << e.impulse_count << ',' << (e.is_train ? 1 : 0) << ',' << labels::csv_field(e.class_name) << ',';
        if (!e.class_name.empty()) {
          std::snprintf(buf, sizeof buf, "%.4f", e.confidence);
          out << buf;
        }
        out << ',';
        if (e.thrust_id >= 0) out << e.thrust_id;
        for (float f : e.features) {
          std::snprintf(buf, sizeof buf, ",%.6g", double(f));
          out << buf;
        }
        out << "\n";
      }
      break;
    }
    case EventFormat::kAudacity:
      out << labels::format_labels(label_events(file, events), labels::LabelFormat::kAudacity);
      break;
    case EventFormat::kRaven: {
      // Every row names its file: so does the header, also of a file without events.
      if (with_header) out << labels::raven_header(true);
      out << labels::format_raven_rows(label_events(file, events), true, 1);
      break;
    }
  }
  return out.str();
}

EventStreamWriter::EventStreamWriter(std::string file, EventFormat format, bool with_header, std::FILE* out,
                                     std::string out_name)
    : file_(std::move(file)), format_(format), with_header_(with_header), out_(out), out_name_(std::move(out_name)) {
  std::string header;
  if (with_header_ && format_ == EventFormat::kCsv) header = csv_header();
  if (with_header_ && format_ == EventFormat::kRaven) header = labels::raven_header(true);
  put(header, out_);
  header_bytes_ = header.size();
  if (format_ == EventFormat::kTable && with_header_) {
    rows_ = std::tmpfile();
    if (!rows_) {
      const std::string why = std::strerror(errno);
      throw OutputError(out_name_ + ": cannot create a temporary file for the table (" + why + ")");
    }
  }
}

EventStreamWriter::~EventStreamWriter() {
  if (rows_) std::fclose(rows_);
}

void EventStreamWriter::put(const std::string& text, std::FILE* to) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), to) != text.size()) {
    const std::string why = std::strerror(errno);
    throw OutputError(out_name_ + ": write failed (" + why + ")");
  }
}

void EventStreamWriter::write(const std::vector<Event>& events) {
  if (events.empty()) return;
  const size_t first = summary_.events() + 1;
  for (const Event& e : events) summary_.add(e);
  std::ostringstream out;
  switch (format_) {
    case EventFormat::kTable:
      table_rows(out, events);
      put(out.str(), rows_ ? rows_ : out_);
      return;
    case EventFormat::kRaven:
      put(labels::format_raven_rows(label_events(file_, events), true, first), out_);
      return;
    default:
      put(format_events(file_, events, format_, false), out_);
  }
}

void EventStreamWriter::finish() {
  if (!rows_) return;
  // Every row must have reached the temporary file before it is read back.
  if (std::fflush(rows_) != 0 || std::ferror(rows_) || std::fseek(rows_, 0, SEEK_SET) != 0) {
    const std::string why = std::strerror(errno);
    throw OutputError(out_name_ + ": cannot keep the table rows in a temporary file (" + why + ")");
  }
  put(table_heading(file_, summary_.events()), out_);
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, rows_)) > 0;) put(std::string(buf, n), out_);
  if (std::ferror(rows_)) throw OutputError(out_name_ + ": cannot read back the table rows");
  std::fclose(rows_);
  rows_ = nullptr;
  if (summary_.events() > 0) put("  " + summary_.text() + "\n", out_);
}

}  // namespace popscope
