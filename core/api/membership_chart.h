// The membership chart as SVG: the member-state count over time as a step line, with
// admissions and ends of membership marked and labelled, sessions marked, a year axis,
// and a title naming the organization and the as-of date.
//
// Labels never overlap: each kind lives in its own band (change labels above the plot,
// year labels and session labels below it), and within a band a label takes the first
// lane where it fits; one that fits nowhere is left out, its marker keeping a tooltip.
// Changes on the same year are labelled together ("+14" with the codes in the tooltip).
// Pure; safe from any thread.
#ifndef COUNCIL_REGISTRY_API_MEMBERSHIP_CHART_H_
#define COUNCIL_REGISTRY_API_MEMBERSHIP_CHART_H_

#include <string>
#include <vector>

#include "core/domain/queries.h"

namespace registry::api {

struct ChartInput {
  std::string organization;
  CivilDate as_of;
  TimelineAnswer timeline;
  std::vector<MembershipChange> changes;
  std::vector<SessionSummary> sessions;
};

// Where a label went, for tests: its text and its box in the SVG's coordinates.
struct PlacedLabel {
  std::string text;
  double x = 0, y = 0, width = 0, height = 0;  // top-left corner and size
};

struct Chart {
  std::string svg;
  std::vector<PlacedLabel> labels;  // every text element drawn
  std::size_t labels_left_out = 0;  // change or session labels with no room (tooltips remain)
};

Chart RenderMembershipChart(const ChartInput& input);

}  // namespace registry::api

#endif  // COUNCIL_REGISTRY_API_MEMBERSHIP_CHART_H_
