// SessionRecord is one governing-body session as the record shows it: its opening, its
// closing, and the panels, addresses, decisions and approvals dated within it. It checks
// the session rules over all of its facts at once, so that the order in which they were
// recorded does not matter:
//   one opening per session id (a body's session number is unique);
//   no closing before the opening, and at most one closing;
//   every dated item within [opening, closing], or the planned closing while open;
//   decision references unique within the session;
//   nothing recorded for a session that was never opened.
// A value type; thread-compatible.
#ifndef COUNCIL_REGISTRY_DOMAIN_SESSION_RECORD_H_
#define COUNCIL_REGISTRY_DOMAIN_SESSION_RECORD_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/domain/events.h"

namespace registry {

// A fact as one session's record holds it: where it sits in the log, its kind and date,
// and the fact itself, or null for a panel or address the projection left in the log (see
// FactSource): the rules need only the kind and the date of those.
struct SessionEntry {
  enum class Kind : std::uint8_t { kOpening, kClosing, kPanel, kAddress, kDecision, kApproval };

  // The entry for a session fact, or for an approval naming a session; nothing otherwise.
  static std::optional<SessionEntry> Of(std::int64_t position, const Fact& fact);
  // The entry for a fact left in the log. REQUIRES: kind is kPanel or kAddress.
  static SessionEntry InLog(std::int64_t position, Kind kind, std::optional<CivilDate> date);

  std::optional<CivilDate> date() const { return dated ? std::optional(day) : std::nullopt; }

  std::int64_t position = 0;
  const Fact* fact = nullptr;
  CivilDate day;  // meaningful when `dated`
  bool dated = false;
  Kind kind = Kind::kPanel;
};

class SessionRecord {
 public:
  explicit SessionRecord(std::string id) : id_(std::move(id)) {}

  // Adds `entry` (a session fact of this session, or an approval naming it). REQUIRES:
  // entry.fact is set for an opening, a decision and an approval.
  // Strict: returns the violation and leaves the record unchanged.
  // Lenient: keeps what it can and notes the problem in anomalies().
  Status Add(const SessionEntry& entry, bool strict);

  // A copy that keeps what the rules look at (opening, closing, dates, decision
  // references) but not the lists of items: enough to check more entries against, at a
  // cost that does not grow with the session.
  SessionRecord RulesOnly() const;

  // Builds a record from all of its entries in any order. Strict: the first violation.
  static Result<SessionRecord> Build(std::string id, std::vector<SessionEntry> entries,
                                     bool strict);

  const std::string& id() const { return id_; }
  bool opened() const { return opened_.has_value(); }
  // REQUIRES: opened()
  const SessionOpened& opening() const { return *opened_->second; }
  std::int64_t opened_at() const { return opened_ ? opened_->first : 0; }
  std::optional<CivilDate> closed_on() const { return closed_ ? std::optional(closed_->first) : std::nullopt; }
  // The last day items may carry: the closing date, else the planned closing, else none.
  std::optional<CivilDate> last_day() const;

  const std::vector<SessionEntry>& panels() const { return panels_; }
  const std::vector<SessionEntry>& addresses() const { return addresses_; }
  const std::vector<SessionEntry>& decisions() const { return decisions_; }
  const std::vector<SessionEntry>& approvals() const { return approvals_; }
  const std::vector<std::string>& anomalies() const { return anomalies_; }

 private:
  Status Check(const SessionEntry& entry) const;
  // `what()` names the item, called only when the check fails.
  template <typename What>
  Status CheckWithin(CivilDate date, const What& what) const;
  void Keep(const SessionEntry& entry);

  std::string id_;
  std::optional<std::pair<std::int64_t, const SessionOpened*>> opened_;
  std::optional<std::pair<CivilDate, std::int64_t>> closed_;
  std::vector<SessionEntry> panels_, addresses_, decisions_, approvals_;
  std::set<std::string> decision_refs_;
  std::optional<CivilDate> earliest_item_, latest_item_;
  std::vector<std::string> anomalies_;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_DOMAIN_SESSION_RECORD_H_
