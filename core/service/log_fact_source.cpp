#include "core/service/log_fact_source.h"

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

}  // namespace registry::service
