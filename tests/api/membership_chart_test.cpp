#include "core/api/membership_chart.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

namespace registry::api {
namespace {

CivilDate D(const char* text) { return *CivilDate::Parse(text); }

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// A history shaped like the IOM's: 175 admissions from 1951 on, bunched in some years
// (22 founders, 14 in 2011), a few withdrawals, and a session most years.
ChartInput BusyHistory() {
  ChartInput in;
  in.organization = "International Organization for Migration";
  in.as_of = D("2026-11-30");
  std::mt19937 random(1951);
  std::vector<std::pair<CivilDate, bool>> events;
  for (int i = 0; i < 22; ++i) events.push_back({D("1951-12-05"), true});
  for (int i = 0; i < 14; ++i) events.push_back({D("2011-12-05"), true});
  for (int i = 0; i < 139; ++i) {
    const int year = std::uniform_int_distribution<int>(1952, 2022)(random);
    events.push_back({*CivilDate::FromYmd(year, std::uniform_int_distribution<int>(1, 12)(random), 1), true});
  }
  for (const char* d : {"1965-06-01", "1974-01-01", "1999-03-01"}) events.push_back({D(d), false});
  std::sort(events.begin(), events.end());
  std::int64_t members = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& [date, joined] = events[i];
    members += joined ? 1 : -1;
    const std::string code = std::string(1, static_cast<char>('A' + i % 26)) + static_cast<char>('A' + i / 26 % 26) + "X";
    in.changes.push_back({date, code, joined, joined ? "admission" : "withdrawal"});
    if (!in.timeline.points.empty() && in.timeline.points.back().date == date) {
      in.timeline.points.back().members = members;
    } else {
      in.timeline.points.push_back({date, members, 0});
    }
  }
  for (int number = 60; number <= 115; ++number) {
    SessionSummary s;
    s.body = "Council";
    s.number = number;
    s.kind = "regular";
    s.venue = "Geneva";
    s.opening_date = *CivilDate::FromYmd(1970 + (number - 60), 11, 26);
    in.sessions.push_back(s);
  }
  in.timeline.position = 1234;
  return in;
}

TEST_CASE("MembershipChart: no two labels overlap on a 175-member history, all inside the picture") {
  const Chart chart = RenderMembershipChart(BusyHistory());
  REQUIRE(chart.labels.size() > 40);
  for (std::size_t i = 0; i < chart.labels.size(); ++i) {
    const PlacedLabel& a = chart.labels[i];
    CHECK_MESSAGE(a.x >= 0, a.text);
    CHECK_MESSAGE(a.x + a.width <= 1200, a.text);
    CHECK_MESSAGE(a.y >= 0, a.text);
    CHECK_MESSAGE(a.y + a.height <= 640, a.text);
    for (std::size_t j = i + 1; j < chart.labels.size(); ++j) {
      const PlacedLabel& b = chart.labels[j];
      const bool overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      CHECK_MESSAGE(!overlap, "'" << a.text << "' overlaps '" << b.text << "'");
    }
  }
  MESSAGE(chart.labels.size() << " labels, " << chart.labels_left_out << " left out for room");
}

TEST_CASE("MembershipChart: title, year axis, a marker per change, sessions, and the step line") {
  const Chart chart = RenderMembershipChart(BusyHistory());
  const std::string& svg = chart.svg;
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(svg.ends_with("</svg>\n"));
  CHECK(svg.find("International Organization for Migration: member states as of 2026-11-30") != std::string::npos);
  CHECK(svg.find(">1960</text>") != std::string::npos);
  CHECK(svg.find(">2020</text>") != std::string::npos);
  CHECK(Count(svg, "fill=\"#2a9d55\"><title>") == 175);  // a triangle per admission
  CHECK(Count(svg, "fill=\"#c0392b\"><title>") == 3);    // and per withdrawal
  CHECK(Count(svg, "stroke-dasharray=\"3,3\"><title>Council ") == 56);
  CHECK(svg.find(">+22<title>1951 joined:") != std::string::npos);  // the founders, grouped
  CHECK(Count(svg, "<path d=\"M") >= 1);
  CHECK(Count(svg, "<text") == Count(svg, "</text>"));
}

TEST_CASE("MembershipChart: from an opening balance, the line starts at its count, the time before shaded") {
  ChartInput in;
  in.organization = "IOM";
  in.as_of = D("2022-11-30");
  in.timeline.record_starts = D("2019-11-25");
  in.timeline.points = {{D("1992-05-27"), 0, 1}, {D("2019-11-25"), 173, 1}, {D("2021-04-19"), 174, 0}};
  in.changes = {{D("2021-04-19"), "RUS", true, "admission"}};
  const Chart chart = RenderMembershipChart(in);
  CHECK(chart.svg.find(">1992</text>") == std::string::npos);  // an observer alone does not stretch the axis
  CHECK(chart.svg.find(">2019</text>") != std::string::npos);
  CHECK(chart.svg.find("before 2019-11-25 the record is incomplete") != std::string::npos);  // Jan to Nov 2019
  in.sessions.push_back({"council-100", "Council", "Geneva", "regular", 100, D("2011-12-05"), {}, {}, 0, 0, 0, 0});
  const Chart earlier = RenderMembershipChart(in);
  CHECK(earlier.svg.find(">2012</text>") != std::string::npos);  // a session before the balance widens it
  // The step line starts at 173, not at zero.
  const std::size_t path = earlier.svg.find("<path d=\"M");
  REQUIRE(path != std::string::npos);
  const std::string start = earlier.svg.substr(path, earlier.svg.find(" H", path) - path);
  CHECK(start.find(",500.0") == std::string::npos);  // y of zero is the plot's bottom, 500
}

TEST_CASE("MembershipChart: an empty registry still draws a titled, empty chart, with its text escaped") {
  ChartInput in;
  in.organization = "A & B <Union>";
  in.as_of = D("2019-11-26");
  const Chart chart = RenderMembershipChart(in);
  CHECK(chart.svg.find("A &amp; B &lt;Union&gt;: member states as of 2019-11-26") != std::string::npos);
  CHECK(chart.svg.find("<Union>") == std::string::npos);
  CHECK(chart.labels_left_out == 0);
}

}  // namespace
}  // namespace registry::api
