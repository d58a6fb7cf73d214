#include "daemon/registry_host.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "core/api/answer_json.h"
#include "core/api/json_parse.h"
#include "core/domain/projection.h"
#include "core/store/payload_codec.h"
#include "daemon/spin.h"

namespace registry::daemon {
namespace {

constexpr std::size_t kMaxGroup = 512;       // writes per group commit
constexpr std::size_t kRingEvents = 20'000;  // recent events the feed serves from memory

// The aggregates a write's events touch (AggregateKeys): only a group commit asks, so an
// import's batches never build them.
std::vector<std::string> KeysOf(const std::vector<Event>& events) {
  std::vector<std::string> keys;
  for (const Event& e : events) {
    for (std::string& k : AggregateKeys(e)) keys.push_back(std::move(k));
  }
  return keys;
}

bool Conflicts(const std::vector<std::string>& keys, const std::unordered_set<std::string>& taken,
               bool group_empty) {
  if (group_empty) return false;
  if (taken.count("*")) return true;
  for (const std::string& k : keys) {
    if (k == "*" || taken.count(k)) return true;
  }
  return false;
}

}  // namespace

RegistryHost::RegistryHost(std::unique_ptr<service::Registry> registry, std::string db_path,
                           boost::asio::any_io_executor io, std::chrono::microseconds spin)
    : registry_(std::move(registry)), db_path_(std::move(db_path)), io_(std::move(io)), spin_(spin) {
  head_ = registry_->head();
  committed_head_ = head_.position;
}

RegistryHost::~RegistryHost() { Stop(); }

Status RegistryHost::Start() {
  REGISTRY_ASSIGN_OR_RETURN(reader_store_, store::EventStore::Open(db_path_, store::StoreOptions::ReadOnly()));
  reader_context_ = std::make_unique<ReaderContext>(ReaderContext{
      *reader_store_,
      [this](std::int64_t position) -> Result<const Projection*> {
        if (!known_at_ || known_at_->position() > position) {
          known_at_ = std::make_unique<Projection>(registry_->catalog(), registry_->projection().options(),
                                                   registry_->fact_source());
        }
        Status s = service::ReplayInto(*reader_store_, *known_at_, position);
        if (!s.ok()) {
          known_at_.reset();
          return s;
        }
        return known_at_.get();
      },
      [this](std::int64_t at) { return reader_store_->PositionAt(at); }});
  writer_ = std::thread([this] { WriterLoop(); });
  reader_ = std::thread([this] { ReaderLoop(); });
  return Status::Ok();
}

void RegistryHost::Stop() {
  {
    std::lock_guard lock(write_mutex_);
    stopping_ = true;
  }
  write_ready_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(read_mutex_);
    reader_stop_ = true;
  }
  read_ready_.notify_all();
  if (reader_.joinable()) reader_.join();
}

std::size_t RegistryHost::queue_depth() const {
  std::lock_guard lock(write_mutex_);
  return writes_.size();
}

void RegistryHost::SubmitWrite(std::vector<Command> commands, service::WriteOptions options,
                               WriteDone done) {
  bool queued = false;
  {
    std::lock_guard lock(write_mutex_);
    if (!stopping_) {
      writes_.push_back({std::move(commands), std::move(options), std::move(done), {}, {}});
      queued_.fetch_add(1, std::memory_order_relaxed);
      queued = true;
    }
  }
  if (queued) {
    // Woken after the lock is released, so the writer does not wake only to wait for it.
    write_ready_.notify_one();
    return;
  }
  boost::asio::post(io_, [done = std::move(done)] {
    done(Unavailable("registryd is shutting down; retry against the next instance", "shutting_down"));
  });
}

void RegistryHost::SubmitExclusive(ExclusiveJob job, ExclusiveDone done) {
  {
    std::lock_guard lock(write_mutex_);
    if (!stopping_) {
      writes_.push_back({{}, {}, {}, std::move(job), std::move(done)});
      queued_.fetch_add(1, std::memory_order_relaxed);
      write_ready_.notify_one();
      return;
    }
  }
  boost::asio::post(io_, [done = std::move(done)] {
    std::vector<Result<service::WriteResult>> refused;
    refused.emplace_back(Unavailable("registryd is shutting down", "shutting_down"));
    done(std::move(refused));
  });
}

void RegistryHost::SubmitRead(std::function<void(ReaderContext&)> job) {
  {
    std::lock_guard lock(read_mutex_);
    if (!reader_stop_) {
      reads_.push_back(std::move(job));
      read_ready_.notify_one();
      return;
    }
  }
  job(*reader_context_);  // the reader thread has stopped (shutting down): answer here
}

void RegistryHost::WriterLoop() {
  std::deque<PendingWrite> deferred;
  while (true) {
    std::vector<PendingWrite> taken;
    // After a group, the next write is often a client's round trip away: look for it a
    // little before sleeping on the condition variable (spin.h).
    if (deferred.empty()) {
      SpinUntil([&] { return queued_.load(std::memory_order_relaxed) > 0 || stopping_.load(); }, spin_);
    }
    {
      std::unique_lock lock(write_mutex_);
      write_ready_.wait(lock, [&] { return !writes_.empty() || !deferred.empty() || stopping_; });
      // Deferred writes go first, in their order, then the newly queued ones.
      while (!deferred.empty() && taken.size() < kMaxGroup) {
        taken.push_back(std::move(deferred.front()));
        deferred.pop_front();
      }
      while (!writes_.empty() && taken.size() < kMaxGroup) {
        taken.push_back(std::move(writes_.front()));
        writes_.pop_front();
        queued_.fetch_sub(1, std::memory_order_relaxed);
      }
      if (taken.empty() && stopping_) return;  // drained
    }
    CommitGroup(taken, deferred);
  }
}

template <typename Answer>
void RegistryHost::Publish(std::vector<Result<service::WriteResult>> results, Answer answer) {
  // Only the ring's worth of the newest events goes to the io thread (an import records
  // many more); the feed reads older ones from the log.
  std::size_t total = 0;
  for (const Result<service::WriteResult>& r : results) total += r.ok() ? r->recorded.size() : 0;
  std::size_t skip = total > kRingEvents ? total - kRingEvents : 0;
  std::vector<store::RecordedEvent> events;
  events.reserve(total - skip);
  for (Result<service::WriteResult>& r : results) {
    if (!r.ok()) continue;
    const std::size_t skipped = std::min(skip, r->recorded.size());
    skip -= skipped;
    std::move(r->recorded.begin() + static_cast<std::ptrdiff_t>(skipped), r->recorded.end(),
              std::back_inserter(events));
    r->recorded.clear();
    writes_committed_.fetch_add(1);
  }
  const store::Head head = registry_->head();
  committed_head_ = head.position;
  // One hand-off for the whole group: each post from this thread may have to wake the io
  // thread's reactor (a system call), and a group commit answers up to kMaxGroup writes.
  boost::asio::post(io_, [this, events = std::move(events), head, results = std::move(results),
                          answer = std::move(answer)]() mutable {
    Published(std::move(events), head);
    answer(results);
  });
}

void RegistryHost::CommitGroup(std::vector<PendingWrite>& taken, std::deque<PendingWrite>& deferred) {
  // An exclusive job ends the group: what precedes it commits first, it runs alone, and
  // what follows waits for the next round.
  auto job = std::find_if(taken.begin(), taken.end(), [](const PendingWrite& w) { return bool(w.exclusive); });
  if (job != taken.end()) {
    if (job == taken.begin()) {
      Publish(job->exclusive(*registry_),
              [done = std::move(job->exclusive_done)](std::vector<Result<service::WriteResult>>& r) {
                done(std::move(r));
              });
      for (auto it = std::next(job); it != taken.end(); ++it) deferred.push_back(std::move(*it));
      return;
    }
    for (auto it = job; it != taken.end(); ++it) deferred.push_back(std::move(*it));
    taken.erase(job, taken.end());
  }
  std::vector<PendingWrite> members;
  std::vector<service::PreparedWrite> prepared;
  std::unordered_set<std::string> keys;
  for (PendingWrite& w : taken) {
    Result<service::PreparedWrite> p = registry_->Prepare(w.commands, w.options);
    if (!p.ok()) {
      boost::asio::post(io_, [done = std::move(w.done), s = p.status()] { done(s); });
      continue;
    }
    // A write that shares an aggregate with one already in the group is decided again
    // after this group commits, against a projection that includes it.
    std::vector<std::string> write_keys = KeysOf(p->events);
    if (Conflicts(write_keys, keys, prepared.empty())) {
      deferred.push_back(std::move(w));
      continue;
    }
    keys.insert(std::make_move_iterator(write_keys.begin()), std::make_move_iterator(write_keys.end()));
    prepared.push_back(std::move(p).value());
    members.push_back(std::move(w));
  }
  if (prepared.empty()) return;

  std::vector<WriteDone> dones;
  dones.reserve(members.size());
  for (PendingWrite& w : members) dones.push_back(std::move(w.done));
  Publish(registry_->Commit(std::move(prepared)),
          [dones = std::move(dones)](std::vector<Result<service::WriteResult>>& r) {
            for (std::size_t i = 0; i < dones.size(); ++i) dones[i](std::move(r[i]));
          });
}

void RegistryHost::Published(std::vector<store::RecordedEvent> events, store::Head head) {
  // The ring holds consecutive positions: after a gap (Publish kept only the newest), it
  // starts again.
  if (!events.empty() && !ring_.empty() && events.front().position != ring_.back().event.position + 1) {
    ring_.clear();
  }
  for (store::RecordedEvent& e : events) ring_.push_back({std::move(e), {}});
  while (ring_.size() > kRingEvents) ring_.pop_front();
  if (head.position == head_.position) return;
  head_ = head;
  for (auto& wake : wakers_) wake();
}

FeedLine FeedLineOf(const service::LoggedEvent& event) {
  return {event.record.position, api::DumpJson(api::ToJson(event)) + "\n"};
}

bool RegistryHost::FromRing(std::int64_t from, std::size_t max, std::vector<FeedLine>& out) {
  if (ring_.empty() || from < ring_.front().event.position) return false;
  const auto offset = static_cast<std::size_t>(from - ring_.front().event.position);
  for (std::size_t i = offset; i < ring_.size() && out.size() < max; ++i) {
    RingEntry& entry = ring_[i];
    if (entry.line.empty()) {
      const store::RecordedEvent& e = entry.event;
      auto event = store::DecodeEvent(e.type, e.schema_version, e.payload);
      if (!event.ok()) return false;  // cannot happen (we encoded it); the log has it
      entry.line = FeedLineOf(service::LoggedEvent{e, std::move(event).value()}).json;
    }
    out.push_back({entry.event.position, entry.line});
  }
  return true;
}

void RegistryHost::ReaderLoop() {
  while (true) {
    std::function<void(ReaderContext&)> job;
    {
      std::unique_lock lock(read_mutex_);
      read_ready_.wait(lock, [&] { return !reads_.empty() || reader_stop_; });
      if (reads_.empty()) return;
      job = std::move(reads_.front());
      reads_.pop_front();
    }
    job(*reader_context_);
  }
}

}  // namespace registry::daemon
