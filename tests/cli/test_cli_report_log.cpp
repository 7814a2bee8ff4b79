// popscope report log: structure, safety of user text, and a real browser's rendering.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <numeric>
#include <regex>
#include <set>

#include "src/log/database.h"
#include "src/log/duration.h"
#include "tests/support/png_image.h"
#include "tests/support/test_support.h"

using namespace popscope;
using test::quote;
using test::run_popscope;
using test::TempDir;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Checks that every element is closed in order (void elements and "/>" aside).
// Returns an empty string when the markup is balanced, else the first problem.
std::string tag_balance_problem(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "!doctype"};
  std::vector<std::string> stack;
  const std::regex tag("<(/?)([A-Za-z!][A-Za-z0-9]*)([^>]*)>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
    const bool closing = !(*it)[1].str().empty();
    const std::string name = lower((*it)[2].str());
    const std::string rest = (*it)[3].str();
    if (kVoid.count(name) || (!rest.empty() && rest.back() == '/')) continue;
    if (!closing) {
      stack.push_back(name);
    } else {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? std::string("nothing") : stack.back()) + ">";
      stack.pop_back();
    }
  }
  return stack.empty() ? "" : "<" + stack.back() + "> is never closed";
}

struct Fixture {
  TempDir tmp;
  std::string db = tmp.file("log.db");
  std::string note = "<script>alert(\"pwned\")</script> it's \"fine\" & <b>bold</b>";
  size_t reports = 0, events = 0;

  Fixture() {
    const double now = log::now_unix();
    {
      log::Database d(db);
      const int64_t s = d.begin_session({0, now - 2 * 86400, std::nullopt, "listen", "mic", "knee", ""});
      std::vector<Event> ev(4);
      for (size_t i = 0; i < ev.size(); ++i) {
        ev[i].onset_s = 10.0 * double(i);
        ev[i].class_name = i == 3 ? "crepitus" : "cavitation";
      }
      d.add_events(s, ev);
      events = ev.size();
    }
    auto at = [&](double days_ago) { return " --at " + log::format_time_utc(now - days_ago * 86400); };
    const std::vector<std::string> logs = {
        "--location lower-back --activity heavy-lifting --pop --pain 6" + at(3),
        "--location lower-back --pain 4 --stiffness" + at(2),
        "--location knee --pain 2 --swelling --note " + quote(note) + at(1.999),
        "--location lower-back --pain 2 --numbness --weakness" + at(0.5),
    };
    for (const auto& args : logs) {
      const auto r = run_popscope("log " + args + " --db " + quote(db));
      REQUIRE(r.exit_code == 0);
      ++reports;
    }
  }
};

}  // namespace

TEST_CASE("report log writes one self-contained, balanced HTML page with every section") {
  Fixture f;
  const std::string out = f.tmp.file("history.html");
  const auto r = run_popscope("report log --since 30d --out " + quote(out) + " --db " + quote(f.db));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("4 reports and 4 recorded sounds written to") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string html = test::read_text(out);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(tag_balance_problem(html) == "");
  // Self-contained: nothing to load, nothing to run.
  const std::string l = lower(html);
  for (const char* bad : {"<script", "src=", "href=", "@import", "url(", "http://", "https://", "<iframe", "<link"})
    CHECK_MESSAGE(l.find(bad) == std::string::npos, bad);
  for (const char* heading : {">Current triage</h2>", ">Timeline</h2>", ">Pops per day by location</h2>",
                              ">Pain trend</h2>", ">Reports</h2>"})
    CHECK(html.find(heading) != std::string::npos);
  // The latest report (numbness + weakness) is urgent, with its reasons and the disclaimer.
  const auto triage_at = html.find("id=\"triage\"");
  REQUIRE(triage_at != std::string::npos);
  const std::string triage = html.substr(triage_at, html.find("</section>", triage_at) - triage_at);
  CHECK(triage.find(">urgent</span>") != std::string::npos);
  CHECK(triage.find("Numbness or tingling together with weakness") != std::string::npos);
  CHECK(triage.find("This is not a diagnosis.") != std::string::npos);
  // One marker per report and per recorded sound, one table row per report.
  CHECK(test::count_of(html, "class=\"report-marker\"") == f.reports);
  CHECK(test::count_of(html, "class=\"pop-marker\"") == f.events);
  CHECK(test::count_of(html, "class=\"report-row\"") == f.reports);
  // Pops per day: 3 recorded pops at the knee (crepitus is not a pop) and the
  // reported pop at the lower back.
  int knee = 0, back = 0;
  const std::regex bar("data-location=\"([a-z-]+)\" data-pops=\"([0-9]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), bar); it != std::sregex_iterator(); ++it)
    ((*it)[1] == "knee" ? knee : back) += std::stoi((*it)[2]);
  CHECK(knee == 3);
  CHECK(back == 1);
  // Axes with units and legends.
  for (const char* label : {">pain (0-10)</text>", ">date (local time)</text>", ">pops per day (count)</text>",
                            ">see-clinician</text>", ">lower-back</text>"})
    CHECK(html.find(label) != std::string::npos);
  // Pain trend table: lower back 6 -> 2.
  CHECK(html.find("<td>lower-back</td><td class=\"num\">3</td><td class=\"num\">6</td><td class=\"num\">2</td>") !=
        std::string::npos);
}

TEST_CASE("report log shows a note with <script> and quotes as text") {
  Fixture f;
  const std::string out = f.tmp.file("history.html");
  REQUIRE(run_popscope("report log --out " + quote(out) + " --db " + quote(f.db)).exit_code == 0);
  const std::string html = test::read_text(out);
  CHECK(html.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; it&#39;s &quot;fine&quot; &amp; "
                  "&lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
  CHECK(html.find(f.note) == std::string::npos);
  CHECK(lower(html).find("<script") == std::string::npos);
  CHECK(html.find("<b>bold</b>") == std::string::npos);
}

TEST_CASE("report log stays small with many recorded sounds: one mark per pixel column") {
  TempDir tmp;
  const std::string db = tmp.file("log.db");
  constexpr int kEvents = 20000;
  {
    log::Database d(db);
    const int64_t s = d.begin_session({0, log::now_unix() - 5 * 86400, std::nullopt, "listen", "mic", "knee", ""});
    std::vector<Event> ev(kEvents);
    for (int i = 0; i < kEvents; ++i) {
      ev[size_t(i)].onset_s = 20.0 * i;  // one every 20 s for ~4.6 days
      ev[size_t(i)].class_name = i % 3 ? "crepitus" : "cavitation";
    }
    d.add_events(s, ev);
  }
  REQUIRE(run_popscope("log --location knee --pain 1 --db " + quote(db)).exit_code == 0);
  const std::string out = tmp.file("h.html");
  REQUIRE(run_popscope("report log --out " + quote(out) + " --db " + quote(db)).exit_code == 0);
  const std::string html = test::read_text(out);
  CHECK(html.size() < 500000);
  CHECK(test::count_of(html, "class=\"pop-marker\"") == 0);
  long total = 0;
  const std::regex bin("class=\"pop-bin\" data-count=\"([0-9]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), bin); it != std::sregex_iterator(); ++it)
    total += std::stol((*it)[1]);
  CHECK(total == kEvents);
  CHECK(tag_balance_problem(html) == "");
}

TEST_CASE("report log: bad values and a missing log are clear errors") {
  TempDir tmp;
  auto r = run_popscope("report log --out " + quote(tmp.file("h.html")) + " --db " + quote(tmp.file("none.db")));
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("no severity log here yet") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.file("none.db")));
  r = run_popscope("report log --db " + quote(tmp.file("none.db")));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--out") != std::string::npos);
  r = run_popscope("report log --since soon --out x.html");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--since 'soon' is not a duration") != std::string::npos);
}

TEST_CASE("report log renders in headless Chromium: not blank, charts drawn in colour") {
  std::string browser;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
    if (test::have_program(name)) {
      browser = name;
      break;
    }
  if (browser.empty()) {
    MESSAGE("skipping: no chromium on this machine (CI installs it)");
    return;
  }
  if (!test::png_reader_available()) {
    MESSAGE("skipping: built without zlib, so the screenshot cannot be read");
    return;
  }
  Fixture f;
  const std::string out = f.tmp.file("history.html");
  REQUIRE(run_popscope("report log --out " + quote(out) + " --db " + quote(f.db)).exit_code == 0);
  const std::string png = f.tmp.file("shot.png");
  const auto r = test::run_shell(browser +
                                 " --headless --no-sandbox --disable-gpu --disable-background-networking "
                                 "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
                                 quote(f.tmp.file("profile")) + " --screenshot=" + quote(png) +
                                 " --window-size=1280,2000 " + quote("file://" + out));
  REQUIRE_MESSAGE(std::filesystem::exists(png), r.err);
  const auto img = test::read_png(png);
  CHECK(img.width == 1280);
  CHECK(img.height == 2000);
  // The page as a whole has content, and the timeline area (below the triage
  // panel) holds coloured markers and axes.
  CHECK(test::non_white_fraction(img, 0, 0, img.width, img.height) > 0.03);
  CHECK(test::coloured_fraction(img, 0, 0, img.width, 200) > 0.0005);  // the level badge
  CHECK(test::coloured_fraction(img, 0, 450, img.width, 1300) > 0.001);  // timeline, bars, trend lines
  CHECK(test::non_white_fraction(img, 100, 450, 1180, 800) > 0.01);
}
