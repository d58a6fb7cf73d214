#include "core/api/membership_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace registry::api {
namespace {

constexpr double kWidth = 1200, kHeight = 640;
constexpr double kLeft = 70, kRight = 30;
constexpr double kTitleHeight = 44;
constexpr double kChangeLanes = 4, kLaneHeight = 15;  // change labels, above the plot
constexpr double kPlotTop = kTitleHeight + kChangeLanes * kLaneHeight + 12;
constexpr double kPlotBottom = 500;
constexpr double kYearBand = 20;                      // year labels under the plot
constexpr double kSessionLanes = 3;                   // session labels under the years
constexpr double kFontSize = 11;
constexpr double kCharWidth = 6.6;                    // generous for 11px sans-serif digits and capitals

std::string Fixed(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", v);
  return buffer;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double TextWidth(const std::string& text, double font_size = kFontSize) {
  return static_cast<double>(text.size()) * kCharWidth * font_size / kFontSize;
}

// Lanes of labels in one band: a label goes in the first lane whose last label ends
// before it starts.
class Lanes {
 public:
  Lanes(double top, double lane_height, std::size_t count) : top_(top), height_(lane_height), ends_(count, -1e9) {}
  struct Spot {
    double baseline = -1;  // -1: no lane has room
    double center = 0;     // kept inside the picture
  };
  Spot Place(double center, double width, Chart& chart, const std::string& text) {
    const double left = std::clamp(center - width / 2, 4.0, kWidth - 4 - width);
    for (std::size_t lane = 0; lane < ends_.size(); ++lane) {
      if (left >= ends_[lane] + 6) {
        ends_[lane] = left + width;
        const double top = top_ + static_cast<double>(lane) * height_;
        chart.labels.push_back({text, left, top, width, height_ - 2});
        return {top + height_ - 4, left + width / 2};
      }
    }
    ++chart.labels_left_out;
    return {};
  }

 private:
  double top_, height_;
  std::vector<double> ends_;
};

}  // namespace

Chart RenderMembershipChart(const ChartInput& in) {
  Chart chart;
  std::string& s = chart.svg;
  const auto text = [&](double x, double baseline, const std::string& t, const char* anchor, const char* extra = "",
                        const std::string& tooltip = "") {
    s += "<text x=\"" + Fixed(x) + "\" y=\"" + Fixed(baseline) + "\" text-anchor=\"" + anchor + "\"" + extra + ">" +
         Escape(t) + (tooltip.empty() ? "" : "<title>" + Escape(tooltip) + "</title>") + "</text>\n";
  };
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Fixed(kWidth) + "\" height=\"" + Fixed(kHeight) +
       "\" viewBox=\"0 0 " + Fixed(kWidth) + " " + Fixed(kHeight) +
       "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  const std::string title = in.organization + ": member states as of " + in.as_of.ToString();
  text(kWidth / 2, 28, title, "middle", " font-size=\"18\" font-weight=\"bold\"");
  chart.labels.push_back({title, kWidth / 2 - TextWidth(title, 18) / 2, 12, TextWidth(title, 18), 20});

  // Member counts before an opening balance are incomplete (admissions there are not all
  // dated), so the line starts at the balance; observer-only changes are not drawn.
  std::vector<TimelinePoint> points;
  for (const TimelinePoint& p : in.timeline.points) {
    if (in.timeline.record_starts && p.date < *in.timeline.record_starts) continue;
    if (points.empty() && p.members == 0) continue;
    points.push_back(p);
  }
  // The time range: from the first thing to show to the as-of date.
  CivilDate first = in.as_of;
  if (!points.empty()) first = std::min(first, points.front().date);
  if (in.timeline.record_starts) first = std::min(first, *in.timeline.record_starts);
  if (!in.changes.empty()) first = std::min(first, in.changes.front().date);
  for (const auto& session : in.sessions) first = std::min(first, session.opening_date);
  const int first_year = first.year(), last_year = in.as_of.year() + 1;
  const double t0 = CivilDate::FromYmd(first_year, 1, 1)->days();
  const double t1 = CivilDate::FromYmd(std::min(last_year, 2199), 1, 1)->days();
  const auto x_of = [&](CivilDate d) { return kLeft + (d.days() - t0) / (t1 - t0) * (kWidth - kLeft - kRight); };

  std::int64_t top_count = 1;
  for (const auto& p : points) top_count = std::max(top_count, p.members);
  const std::int64_t step = top_count <= 10 ? 2 : top_count <= 50 ? 10 : top_count <= 120 ? 20 : 25;
  const std::int64_t y_max = (top_count * 11 / 10 / step + 1) * step;
  const auto y_of = [&](double count) {
    return kPlotBottom - count / static_cast<double>(y_max) * (kPlotBottom - kPlotTop);
  };

  // Axes and grid.
  s += "<g stroke=\"#ddd\">\n";
  for (std::int64_t v = 0; v <= y_max; v += step) {
    s += "<line x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kWidth - kRight) + "\" y1=\"" + Fixed(y_of(static_cast<double>(v))) +
         "\" y2=\"" + Fixed(y_of(static_cast<double>(v))) + "\"/>\n";
  }
  s += "</g>\n";
  for (std::int64_t v = 0; v <= y_max; v += step) {
    const std::string label = std::to_string(v);
    text(kLeft - 8, y_of(static_cast<double>(v)) + 4, label, "end");
    chart.labels.push_back({label, kLeft - 8 - TextWidth(label), y_of(static_cast<double>(v)) - 7, TextWidth(label), 12});
  }
  {
    const std::string axis = "member states";
    s += "<text transform=\"translate(18," + Fixed((kPlotTop + kPlotBottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + axis + "</text>\n";
    chart.labels.push_back({axis, 6, (kPlotTop + kPlotBottom) / 2 - TextWidth(axis) / 2, 14, TextWidth(axis)});
  }
  s += "<line x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kWidth - kRight) + "\" y1=\"" + Fixed(kPlotBottom) + "\" y2=\"" +
       Fixed(kPlotBottom) + "\" stroke=\"#333\"/>\n";
  // Years: a tick each year, a label every `every` years so that labels stay 40 px apart.
  const double year_px = (kWidth - kLeft - kRight) / std::max(1, last_year - first_year);
  int every = 1;
  for (int candidate : {1, 2, 5, 10, 20, 50}) {
    every = candidate;
    if (year_px * candidate >= 40) break;
  }
  for (int year = first_year; year <= last_year && year <= 2199; ++year) {
    const double x = x_of(*CivilDate::FromYmd(year, 1, 1));
    const bool labelled = year % every == 0;
    s += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" + Fixed(kPlotBottom) + "\" y2=\"" +
         Fixed(kPlotBottom + (labelled ? 6 : 3)) + "\" stroke=\"#333\"/>\n";
    if (labelled && x <= kWidth - kRight) {
      const std::string label = std::to_string(year);
      text(x, kPlotBottom + 17, label, "middle");
      chart.labels.push_back({label, x - TextWidth(label) / 2, kPlotBottom + 7, TextWidth(label), 12});
    }
  }

  // Sessions: a dashed line each, labelled in lanes under the years.
  Lanes session_lanes(kPlotBottom + kYearBand + 4, 14, static_cast<std::size_t>(kSessionLanes));
  for (const auto& session : in.sessions) {
    const double x = x_of(session.opening_date);
    const std::string name = session.body + " " + (session.number > 0 ? std::to_string(session.number) : session.kind);
    s += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" + Fixed(kPlotTop) + "\" y2=\"" +
         Fixed(kPlotBottom) + "\" stroke=\"#8a8acb\" stroke-dasharray=\"3,3\"><title>" +
         Escape(name + ", opened " + session.opening_date.ToString() + " in " + session.venue) + "</title></line>\n";
    const std::string label = session.number > 0 ? std::to_string(session.number) : session.kind;
    const auto spot = session_lanes.Place(x, TextWidth(label), chart, label);
    if (spot.baseline > 0) text(spot.center, spot.baseline, label, "middle", " fill=\"#55559a\"");
  }

  // The step line.
  if (!points.empty()) {
    // From zero for a history from the founding; from the balance's count where it starts.
    const bool from_balance = in.timeline.record_starts && points.front().date == *in.timeline.record_starts;
    const double start = from_balance ? static_cast<double>(points.front().members) : 0;
    std::string path = "M" + Fixed(x_of(points.front().date)) + "," + Fixed(y_of(start));
    for (const auto& p : points) {
      path += " H" + Fixed(x_of(p.date)) + " V" + Fixed(y_of(static_cast<double>(p.members)));
    }
    path += " H" + Fixed(x_of(in.as_of));
    s += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n";
  }
  const auto count_on = [&](CivilDate d) {
    std::int64_t n = 0;
    for (const auto& p : points) {
      if (p.date > d) break;
      n = p.members;
    }
    return n;
  };

  // Changes, grouped by year and direction: a marker each, one label per group.
  struct Group {
    std::vector<const MembershipChange*> items;
  };
  std::map<std::pair<int, bool>, Group> groups;
  for (const auto& c : in.changes) groups[{c.date.year(), c.joined}].items.push_back(&c);
  for (const auto& c : in.changes) {
    const double x = x_of(c.date), y = y_of(static_cast<double>(count_on(c.date)));
    const std::string tip = c.code + ": " + c.how + " on " + c.date.ToString();
    if (c.joined) {
      s += "<path d=\"M" + Fixed(x) + "," + Fixed(y - 7) + " l-4,7 h8 z\" fill=\"#2a9d55\"><title>" + Escape(tip) +
           "</title></path>\n";
    } else {
      s += "<path d=\"M" + Fixed(x) + "," + Fixed(y + 7) + " l-4,-7 h8 z\" fill=\"#c0392b\"><title>" + Escape(tip) +
           "</title></path>\n";
    }
  }
  Lanes change_lanes(kTitleHeight + 4, kLaneHeight, static_cast<std::size_t>(kChangeLanes));
  for (const auto& [key, group] : groups) {
    const auto& items = group.items;
    std::string label = (key.second ? "+" : "\u2212") + std::to_string(items.size());  // U+2212 minus
    if (items.size() <= 2) {
      label.clear();
      for (const auto* c : items) label += (label.empty() ? "" : " ") + std::string(key.second ? "+" : "\u2212") + c->code;
    }
    const double x = x_of(items.front()->date);
    const double width = TextWidth(label);  // the minus sign's 3 bytes overestimate, never under
    const auto spot = change_lanes.Place(x, width, chart, label);
    if (spot.baseline < 0) continue;
    const double baseline = spot.baseline;
    std::string tip = std::to_string(key.first) + (key.second ? " joined:" : " left:");
    for (const auto* c : items) tip += " " + c->code;
    s += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" + Fixed(baseline + 3) + "\" y2=\"" +
         Fixed(y_of(static_cast<double>(count_on(items.front()->date))) - 8) + "\" stroke=\"" +
         (key.second ? "#9fd4b3" : "#e6a59e") + "\" stroke-width=\"0.6\"/>\n";
    text(spot.center, baseline, label, "middle", key.second ? " fill=\"#1d7a42\"" : " fill=\"#a02c20\"", tip);
  }

  // The opening balance, where the record starts; before it, a shaded band.
  if (in.timeline.record_starts) {
    const double x = x_of(*in.timeline.record_starts);
    if (x > kLeft + 1) {
      s += "<rect x=\"" + Fixed(kLeft) + "\" y=\"" + Fixed(kPlotTop) + "\" width=\"" + Fixed(x - kLeft) +
           "\" height=\"" + Fixed(kPlotBottom - kPlotTop) + "\" fill=\"#e8e8e8\" fill-opacity=\"0.5\"><title>before " +
           in.timeline.record_starts->ToString() +
           " the record is incomplete: members from the opening balance have no admission date</title></rect>\n";
    }
    s += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" + Fixed(kPlotTop) + "\" y2=\"" + Fixed(kPlotBottom) +
         "\" stroke=\"#999\"><title>opening balance: the record starts on " + in.timeline.record_starts->ToString() +
         "</title></line>\n";
  }

  // Legend.
  const double legend_y = kHeight - 12;
  const std::string legend = "\u25B2 joined   \u25BC membership ended   \u2506 council session (number)";
  text(kLeft, legend_y, legend, "start", " fill=\"#444\"");
  chart.labels.push_back({legend, kLeft, legend_y - 10, TextWidth(legend) * 0.8, 12});
  const std::string source = "Council Registry, log position " + std::to_string(in.timeline.position);
  text(kWidth - kRight, legend_y, source, "end", " fill=\"#888\"");
  chart.labels.push_back({source, kWidth - kRight - TextWidth(source), legend_y - 10, TextWidth(source), 12});
  s += "</svg>\n";
  return chart;
}

}  // namespace registry::api
