#include <doctest/doctest.h>

#include "src/report/html.h"

using namespace popscope::report;

TEST_CASE("escape makes any text safe in HTML text and quoted attributes") {
  CHECK(escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  CHECK(escape("plain text, é") == "plain text, é");
  CHECK(escape("") == "");
}

TEST_CASE("page is a complete document without scripts or external resources") {
  const std::string html = page("T <1>", "<p>body</p>");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<title>T &lt;1&gt;</title>") != std::string::npos);
  CHECK(html.find("<p>body</p>") != std::string::npos);
  CHECK(html.find("@page { size: A4") != std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  for (const char* bad : {"<script", "src=", "href=", "@import", "url("}) CHECK(html.find(bad) == std::string::npos);
}

TEST_CASE("fmt drops trailing zeros; nice_ticks gives round steps covering the range") {
  CHECK(fmt(1.5000) == "1.5");
  CHECK(fmt(2.0) == "2");
  CHECK(fmt(-0.0001) == "0");
  CHECK(fmt(3.14159, 3) == "3.142");
  CHECK(nice_ticks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  // A raw step of 0.25 rounds up to the next 1-2-5 step, 0.5.
  CHECK(nice_ticks(0, 1, 4) == std::vector<double>{0, 0.5, 1});
  const auto t = nice_ticks(3, 47, 5);
  REQUIRE(t.size() >= 4);
  CHECK(t.front() >= 3);
  CHECK(t.back() <= 47);
  CHECK(t[1] - t[0] == doctest::Approx(10));
}

TEST_CASE("SvgChart maps data to pixels inside the margins and draws labelled axes and a legend") {
  SvgChart c(400, 200, 0, 10, 0, 100);
  CHECK(c.x(0) == doctest::Approx(c.plot_left()));
  CHECK(c.x(10) == doctest::Approx(c.plot_right()));
  CHECK(c.y(0) == doctest::Approx(c.plot_bottom()));
  CHECK(c.y(100) == doctest::Approx(c.plot_top()));
  CHECK(c.y(50) == doctest::Approx((c.plot_top() + c.plot_bottom()) / 2));
  c.x_axis({0, 5, 10}, "time (s)");
  c.y_axis({0, 50, 100}, "level (dB)");
  c.legend({{"a<b", "#f00", "box"}});
  const std::string svg = c.svg("chart & title");
  CHECK(svg.rfind("<svg role=\"img\"", 0) == 0);
  CHECK(svg.find("<title>chart &amp; title</title>") != std::string::npos);
  CHECK(svg.find(">time (s)</text>") != std::string::npos);
  CHECK(svg.find(">level (dB)</text>") != std::string::npos);
  CHECK(svg.find(">a&lt;b</text>") != std::string::npos);
  CHECK(svg.find(">50</text>") != std::string::npos);
}
