#pragma once
// Building blocks for popscope's self-contained HTML reports: escaping, the
// page shell (inline CSS with an A4 print stylesheet, no scripts, no external
// resources) and inline SVG charts with axes, units and a legend.
//
// Every piece of text that comes from a user, a file name or the database
// goes through escape() (or the helpers that call it), so a note containing
// <script> is shown as text and never run.
#include <string>
#include <string_view>
#include <vector>

namespace popscope::report {

// &, <, >, " and ' replaced by entities; safe in text and in quoted attributes.
std::string escape(std::string_view text);

// A complete HTML5 document: <head> with the title, the shared stylesheet and
// extra_css; body inside <main>. Contains no script and loads nothing.
std::string page(const std::string& title, const std::string& body_html, const std::string& extra_css = "");

// A number printed with up to `decimals` decimals and no trailing zeros.
std::string fmt(double value, int decimals = 2);

// Round tick values covering [lo, hi], about `target` of them (1-2-5 steps).
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

struct LegendItem {
  std::string label;
  std::string color;         // CSS colour
  std::string shape = "box";  // "box", "circle" or "line"
};

// An SVG chart area: maps data coordinates to pixels inside margins and draws
// axes with ticks, tick labels, axis titles (with units) and a legend.
class SvgChart {
 public:
  SvgChart(double width_px, double height_px, double x_min, double x_max, double y_min, double y_max);

  // Margins left for the axes and the legend (pixels).
  double left = 56, right = 16, top = 16, bottom = 44;

  double x(double value) const;  // data -> pixel
  double y(double value) const;
  double plot_left() const { return left; }
  double plot_right() const { return width_ - right; }
  double plot_top() const { return top; }
  double plot_bottom() const { return height_ - bottom; }

  // Axes with their ticks. A tick label function turns a value into text
  // (e.g. a date); empty uses fmt().
  using TickLabel = std::string (*)(double);
  void x_axis(const std::vector<double>& ticks, const std::string& title, TickLabel label = nullptr);
  void y_axis(const std::vector<double>& ticks, const std::string& title, TickLabel label = nullptr);
  void legend(const std::vector<LegendItem>& items);  // one row above the plot, right-aligned

  // Adds raw SVG elements (already escaped) drawn above the grid.
  void add(const std::string& svg_elements) { body_ += svg_elements; }

  // The finished <svg> element, with role="img" and an accessible title.
  std::string svg(const std::string& title) const;

 private:
  double width_, height_;
  double x_min_, x_max_, y_min_, y_max_;
  std::string grid_, body_, axes_, legend_;
};

// A coloured label such as a triage level badge.
std::string badge(const std::string& text, const std::string& color);

}  // namespace popscope::report
