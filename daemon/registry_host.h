// RegistryHost runs the registry inside registryd. It owns three threads of work:
//   - the io thread (the caller's executor): answers reads from the in-memory projection
//     under its read lock, and keeps the live feed's ring of recent events;
//   - the writer thread: takes queued writes, decides each against the projection, and
//     group-commits the independent ones (disjoint aggregates) in one transaction and one
//     fsync, then folds them in; a write is acknowledged only after that;
//   - the reader thread: serves what needs the log itself (event pages, as-known-at
//     projections, verify) through its own read-only connection, so neither the io
//     thread nor the writer waits on it.
// Completions are posted to the io executor, the feed's before the acknowledgements.
//
// Thread-safety: Submit*, Read and the feed calls are for the io thread; Stop from any.
#ifndef COUNCIL_REGISTRY_DAEMON_REGISTRY_HOST_H_
#define COUNCIL_REGISTRY_DAEMON_REGISTRY_HOST_H_

#include <utility>  // before Asio (g++ 12 with Boost 1.74 coroutines)

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/service/registry.h"

namespace registry::daemon {

// What the reader thread works with.
struct ReaderContext {
  store::EventStore& store;
  // The projection as known after `position` (the present projection is not available
  // here; callers ask for past positions only).
  std::function<Result<const Projection*>(std::int64_t position)> known_at;
  std::function<Result<std::int64_t>(std::int64_t recorded_at_us)> position_at;
};

struct FeedLine {
  std::int64_t position;
  std::string json;  // one NDJSON line, with its trailing newline
};

// The feed's line for one event of the log.
FeedLine FeedLineOf(const service::LoggedEvent& event);

class RegistryHost {
 public:
  using WriteDone = std::function<void(Result<service::WriteResult>)>;
  // A job that needs the writer to itself (a restore, an import), and its completion: one
  // result per write it tried, in order.
  using ExclusiveJob = std::function<std::vector<Result<service::WriteResult>>(service::Registry&)>;
  using ExclusiveDone = std::function<void(std::vector<Result<service::WriteResult>>)>;

  // `db_path` is opened a second time, read-only, for the reader thread. After each group
  // the writer looks for the next write for up to `spin` before it sleeps (spin.h).
  RegistryHost(std::unique_ptr<service::Registry> registry, std::string db_path,
               boost::asio::any_io_executor io, std::chrono::microseconds spin = std::chrono::microseconds(0));
  ~RegistryHost();
  RegistryHost(const RegistryHost&) = delete;
  RegistryHost& operator=(const RegistryHost&) = delete;

  Status Start();
  // Refuses new writes (Unavailable), finishes and acknowledges the queued ones, then
  // stops both threads. Idempotent.
  void Stop();
  bool stopping() const { return stopping_.load(); }

  // Runs `answer` on the present projection under the read lock; never waits on disk.
  template <typename F>
  auto Read(F&& answer) const {
    auto lock = registry_->ReadLock();
    return answer(registry_->projection());
  }

  // Queues a write; `done` runs on the io executor once it is durable and visible.
  void SubmitWrite(std::vector<Command> commands, service::WriteOptions options, WriteDone done);
  // Queues an exclusive job; it runs between groups, and its events reach the feed as a
  // group's do.
  void SubmitExclusive(ExclusiveJob job, ExclusiveDone done);
  // Runs `job` on the reader thread. The job posts its own completion.
  void SubmitRead(std::function<void(ReaderContext&)> job);

  // The last committed event, as the io thread knows it (the feed ring is up to date).
  std::int64_t head() const { return head_.position; }
  const store::Head& head_event() const { return head_; }
  // The last committed position, from any thread.
  std::int64_t committed_head() const { return committed_head_.load(); }
  // Recent feed lines with position >= from, if the ring still holds `from`. A line is
  // made from its event the first time it is asked for, here on the io thread, so that
  // the writer never spends time on lines no one reads.
  bool FromRing(std::int64_t from, std::size_t max, std::vector<FeedLine>& out);
  // Calls `wake` (on the io thread) after each commit that moves the head.
  void OnCommit(std::function<void()> wake) { wakers_.push_back(std::move(wake)); }

  const std::shared_ptr<const StateCatalog>& catalog() const { return registry_->catalog(); }
  const boost::asio::any_io_executor& io_executor() const { return io_; }
  std::uint64_t writes_committed() const { return writes_committed_.load(); }
  std::size_t queue_depth() const;

 private:
  struct PendingWrite {
    std::vector<Command> commands;
    service::WriteOptions options;
    WriteDone done;
    ExclusiveJob exclusive;  // or a job
    ExclusiveDone exclusive_done;
  };
  void WriterLoop();
  void ReaderLoop();
  void CommitGroup(std::vector<PendingWrite>& taken, std::deque<PendingWrite>& deferred);
  // Hands a commit's results to the io thread: the feed's new events first, then
  // `answer(results)` to the writers.
  template <typename Answer>
  void Publish(std::vector<Result<service::WriteResult>> results, Answer answer);
  void Published(std::vector<store::RecordedEvent> events, store::Head head);  // io thread

  std::unique_ptr<service::Registry> registry_;
  std::string db_path_;
  boost::asio::any_io_executor io_;

  mutable std::mutex write_mutex_;
  std::condition_variable write_ready_;
  std::deque<PendingWrite> writes_;
  std::atomic<std::size_t> queued_{0};  // writes_.size(), read without the lock by the spin
  std::atomic<bool> stopping_{false};
  const std::chrono::microseconds spin_;
  std::thread writer_;
  std::atomic<std::uint64_t> writes_committed_{0};

  std::mutex read_mutex_;
  std::condition_variable read_ready_;
  std::deque<std::function<void(ReaderContext&)>> reads_;
  bool reader_stop_ = false;
  std::thread reader_;
  std::unique_ptr<store::EventStore> reader_store_;
  std::unique_ptr<ReaderContext> reader_context_;
  std::unique_ptr<Projection> known_at_;

  std::atomic<std::int64_t> committed_head_{0};
  // io thread only:
  store::Head head_;
  struct RingEntry {
    store::RecordedEvent event;
    std::string line;  // its feed line, once made
  };
  std::deque<RingEntry> ring_;
  std::vector<std::function<void()>> wakers_;
};

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_REGISTRY_HOST_H_
