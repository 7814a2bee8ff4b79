#include "src/report/html.h"

#include <cmath>
#include <cstdio>

namespace popscope::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
const char* const kBaseCss = R"css(
:root { --ink: #1d2330; --muted: #5b6474; --line: #d5dae3; --bg: #ffffff; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.meta { color: var(--muted); margin: 0 0 16px; font-size: 13px; }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; white-space: nowrap; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: bold; }
.disclaimer { font-size: 13px; color: var(--muted); border-left: 3px solid var(--line); padding-left: 10px; }
svg { display: block; max-width: 100%; height: auto; background: #fff; }
svg text { font: 11px "DejaVu Sans", Arial, sans-serif; fill: #1d2330; }
svg .grid { stroke: #e6e9ef; stroke-width: 1; }
svg .axis { stroke: #5b6474; stroke-width: 1; }
figure { margin: 8px 0 0; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, section.panel, tr { break-inside: avoid; page-break-inside: avoid; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg { max-width: 100%; }
}
)css";
}  // namespace

std::string page(const std::string& title, const std::string& body_html, const std::string& extra_css) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No script, no network: the page can only show what is in it.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n";
  out += "<title>" + escape(title) + "</title>\n<style>" + kBaseCss + extra_css + "</style>\n</head>\n<body>\n<main>\n";
  out += body_html;
  out += "\n</main>\n</body>\n</html>\n";
  return out;
}

std::string fmt(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || target < 1) {
    ticks.push_back(lo);
    return ticks;
  }
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

SvgChart::SvgChart(double width_px, double height_px, double x_min, double x_max, double y_min, double y_max)
    : width_(width_px), height_(height_px), x_min_(x_min), x_max_(x_max > x_min ? x_max : x_min + 1),
      y_min_(y_min), y_max_(y_max > y_min ? y_max : y_min + 1) {}

double SvgChart::x(double v) const {
  return plot_left() + (v - x_min_) / (x_max_ - x_min_) * (plot_right() - plot_left());
}

double SvgChart::y(double v) const {
  return plot_bottom() - (v - y_min_) / (y_max_ - y_min_) * (plot_bottom() - plot_top());
}

void SvgChart::x_axis(const std::vector<double>& ticks, const std::string& title, TickLabel label) {
  axes_ += "<line class=\"axis\" x1=\"" + fmt(plot_left()) + "\" y1=\"" + fmt(plot_bottom()) + "\" x2=\"" +
           fmt(plot_right()) + "\" y2=\"" + fmt(plot_bottom()) + "\"/>";
  for (double t : ticks) {
    if (t < x_min_ - 1e-9 || t > x_max_ + 1e-9) continue;
    const std::string px = fmt(x(t));
    grid_ += "<line class=\"grid\" x1=\"" + px + "\" y1=\"" + fmt(plot_top()) + "\" x2=\"" + px + "\" y2=\"" +
             fmt(plot_bottom()) + "\"/>";
    axes_ += "<line class=\"axis\" x1=\"" + px + "\" y1=\"" + fmt(plot_bottom()) + "\" x2=\"" + px + "\" y2=\"" +
             fmt(plot_bottom() + 4) + "\"/>";
    axes_ += "<text x=\"" + px + "\" y=\"" + fmt(plot_bottom() + 16) + "\" text-anchor=\"middle\">" +
             escape(label ? label(t) : fmt(t)) + "</text>";
  }
  axes_ += "<text x=\"" + fmt((plot_left() + plot_right()) / 2) + "\" y=\"" + fmt(height_ - 6) +
           "\" text-anchor=\"middle\" class=\"axis-title\">" + escape(title) + "</text>";
}

void SvgChart::y_axis(const std::vector<double>& ticks, const std::string& title, TickLabel label) {
  axes_ += "<line class=\"axis\" x1=\"" + fmt(plot_left()) + "\" y1=\"" + fmt(plot_top()) + "\" x2=\"" +
           fmt(plot_left()) + "\" y2=\"" + fmt(plot_bottom()) + "\"/>";
  for (double t : ticks) {
    if (t < y_min_ - 1e-9 || t > y_max_ + 1e-9) continue;
    const std::string py = fmt(y(t));
    grid_ += "<line class=\"grid\" x1=\"" + fmt(plot_left()) + "\" y1=\"" + py + "\" x2=\"" + fmt(plot_right()) +
             "\" y2=\"" + py + "\"/>";
    axes_ += "<line class=\"axis\" x1=\"" + fmt(plot_left() - 4) + "\" y1=\"" + py + "\" x2=\"" + fmt(plot_left()) +
             "\" y2=\"" + py + "\"/>";
    axes_ += "<text x=\"" + fmt(plot_left() - 7) + "\" y=\"" + fmt(y(t) + 4) + "\" text-anchor=\"end\">" +
             escape(label ? label(t) : fmt(t)) + "</text>";
  }
  const std::string cx = fmt(14), cy = fmt((plot_top() + plot_bottom()) / 2);
  axes_ += "<text x=\"" + cx + "\" y=\"" + cy + "\" text-anchor=\"middle\" transform=\"rotate(-90 " + cx + " " + cy +
           ")\" class=\"axis-title\">" + escape(title) + "</text>";
}

void SvgChart::legend(const std::vector<LegendItem>& items) {
  // Right-aligned row in the top margin; about 7 px per character.
  double width = 0;
  for (const auto& it : items) width += 22 + 6.5 * double(it.label.size()) + 14;
  double xpos = std::max(plot_left(), plot_right() - width);
  const double ypos = 12;
  legend_ += "<g class=\"legend\">";
  for (const auto& it : items) {
    const std::string c = escape(it.color);
    if (it.shape == "circle")
      legend_ += "<circle cx=\"" + fmt(xpos + 6) + "\" cy=\"" + fmt(ypos - 4) + "\" r=\"5\" fill=\"" + c + "\"/>";
    else if (it.shape == "line")
      legend_ += "<line x1=\"" + fmt(xpos) + "\" y1=\"" + fmt(ypos - 4) + "\" x2=\"" + fmt(xpos + 14) + "\" y2=\"" +
                 fmt(ypos - 4) + "\" stroke=\"" + c + "\" stroke-width=\"2.5\"/>";
    else
      legend_ += "<rect x=\"" + fmt(xpos) + "\" y=\"" + fmt(ypos - 10) + "\" width=\"12\" height=\"12\" fill=\"" + c +
                 "\"/>";
    legend_ += "<text x=\"" + fmt(xpos + 18) + "\" y=\"" + fmt(ypos) + "\">" + escape(it.label) + "</text>";
    xpos += 22 + 6.5 * double(it.label.size()) + 14;
  }
  legend_ += "</g>";
}

std::string SvgChart::svg(const std::string& title) const {
  return "<svg role=\"img\" viewBox=\"0 0 " + fmt(width_) + " " + fmt(height_) +
         "\" width=\"" + fmt(width_) + "\" height=\"" + fmt(height_) + "\"><title>" + escape(title) + "</title>" +
         grid_ + body_ + axes_ + legend_ + "</svg>";
}

std::string badge(const std::string& text, const std::string& color) {
  return "<span class=\"badge\" style=\"background:" + escape(color) + "\">" + escape(text) + "</span>";
}

}  // namespace popscope::report
