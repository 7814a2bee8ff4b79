#pragma once
// Pieces shared by the severity-log commands (log, history, export, forget,
// analyze --log): the --db option, yes/no questions on a terminal, and the
// triage printout.
#include <string>

#include <CLI/CLI.hpp>

#include "src/log/recorder.h"

namespace popscope::cli {

void add_db_option(CLI::App* sub, std::string& db_flag);

// Reads one line from stdin after printing the prompt on stdout; throws
// UsageError when the input ends (nothing is recorded then).
std::string ask_line(const std::string& prompt);
bool ask_yes_no(const std::string& question, bool default_yes);

// "Level: see-clinician", the reasons with their sources, what to do and the
// disclaimer, as printed after `popscope log` and by `history`.
std::string format_triage(const std::string& level, const std::vector<std::string>& reasons);
std::string format_triage(const log::TriageResult& result);

}  // namespace popscope::cli
