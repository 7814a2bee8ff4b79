#include "src/cli/log_common.h"

#include <cctype>
#include <iostream>

#include "src/errors.h"
#include "src/log/vocabulary.h"

namespace popscope::cli {

void add_db_option(CLI::App* sub, std::string& db_flag) {
  sub->add_option("--db", db_flag,
                  "Severity log database (default: $POPSCOPE_DB, else $XDG_DATA_HOME/popscope/popscope.db, else "
                  "~/.local/share/popscope/popscope.db)")
      ->type_name("PATH");
}

std::string ask_line(const std::string& prompt) {
  std::cout << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) {
    std::cout << "\n";
    throw UsageError("the answers ended before the last question; nothing was recorded");
  }
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  return line.substr(i);
}

bool ask_yes_no(const std::string& question, bool default_yes) {
  for (;;) {
    std::string a = ask_line(question + (default_yes ? " [Y/n] " : " [y/N] "));
    for (auto& c : a) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (a.empty()) return default_yes;
    if (a == "y" || a == "yes") return true;
    if (a == "n" || a == "no") return false;
    std::cout << "  Please answer y (yes) or n (no).\n";
  }
}

std::string format_triage(const std::string& level, const std::vector<std::string>& reasons) {
  std::string out = "Triage level: " + level + "\n";
  out += "Why:\n";
  for (const auto& r : reasons) out += "  - " + r + "\n";
  out += "What to do: " + std::string(log::level_advice(log::parse_level(level))) + "\n\n";
  out += log::kDisclaimer;
  out += "\n";
  return out;
}

std::string format_triage(const log::TriageResult& result) {
  std::vector<std::string> reasons;
  for (const auto& r : result.reasons)
    reasons.push_back("(" + std::string(log::level_name(r.level)) + ") " + r.text + " [" + r.source + "]");
  return format_triage(log::level_name(result.level), reasons);
}

}  // namespace popscope::cli
