#include "core/service/log_fact_source.h"

#include <algorithm>
#include <numeric>

#include "core/store/payload_codec.h"

namespace registry::service {

Result<std::shared_ptr<LogFactSource>> LogFactSource::Open(const std::string& db_path) {
  REGISTRY_ASSIGN_OR_RETURN(auto store, store::EventStore::Open(db_path, store::StoreOptions::ReadOnly()));
  return std::shared_ptr<LogFactSource>(new LogFactSource(std::move(store)));
}

Result<Fact> LogFactSource::Load(std::int64_t position) const {
  std::optional<Fact> fact;
  std::lock_guard lock(mutex_);
  REGISTRY_RETURN_IF_ERROR(
      store_->Scan(position, position, [&](const store::EventStore::ScannedEvent& e) -> Status {
        REGISTRY_ASSIGN_OR_RETURN(Event event, store::DecodeEvent(e.type, e.schema_version, e.payload));
        fact = AsFact(std::move(event));
        return Status::Ok();
      }));
  if (!fact) {
    return DataLoss("the log holds no fact at position " + std::to_string(position));
  }
  return std::move(*fact);
}

Result<std::vector<Fact>> LogFactSource::LoadMany(std::span<const std::int64_t> positions) const {
  // The positions in ascending order, each remembering where its fact goes.
  std::vector<std::size_t> order(positions.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return positions[a] < positions[b]; });
  std::vector<std::optional<Fact>> loaded(positions.size());
  std::lock_guard lock(mutex_);
  std::size_t next = 0;  // into `order`
  while (next < order.size()) {
    // A run of positions no more than kMaxGap apart, read in one scan.
    std::size_t end = next + 1;
    while (end < order.size() && positions[order[end]] - positions[order[end - 1]] <= kMaxGap) ++end;
    std::size_t want = next;
    REGISTRY_RETURN_IF_ERROR(store_->Scan(
        positions[order[next]], positions[order[end - 1]],
        [&](const store::EventStore::ScannedEvent& e) -> Status {
          while (want < end && positions[order[want]] < e.position) ++want;  // not in the log
          if (want == end || positions[order[want]] != e.position) return Status::Ok();
          REGISTRY_ASSIGN_OR_RETURN(Event event, store::DecodeEvent(e.type, e.schema_version, e.payload));
          std::optional<Fact> fact = AsFact(std::move(event));
          // The same position asked for twice gets the same fact twice.
          while (want < end && positions[order[want]] == e.position) loaded[order[want++]] = fact;
          return Status::Ok();
        }));
    next = end;
  }
  std::vector<Fact> facts;
  facts.reserve(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (!loaded[i]) {
      return DataLoss("the log holds no fact at position " + std::to_string(positions[i]));
    }
    facts.push_back(std::move(*loaded[i]));
  }
  return facts;
}

}  // namespace registry::service
