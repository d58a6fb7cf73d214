// Clock tells the current UTC time in microseconds since the Unix epoch. The store
// stamps each event's recorded-at from a Clock so that tests can inject time and
// as-known-at answers are deterministic.
//
// Thread-safety: SystemClock is safe from any thread; FakeClock is not.
#ifndef COUNCIL_REGISTRY_BASE_CLOCK_H_
#define COUNCIL_REGISTRY_BASE_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace registry {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMicros() = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that returns the time it was set to, advancing by `step` on every read.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_micros, std::int64_t step_micros = 0)
      : now_(start_micros), step_(step_micros) {}
  std::int64_t NowMicros() override {
    std::int64_t t = now_;
    now_ += step_;
    return t;
  }
  void Set(std::int64_t micros) { now_ = micros; }

 private:
  std::int64_t now_;
  std::int64_t step_;
};

}  // namespace registry

#endif  // COUNCIL_REGISTRY_BASE_CLOCK_H_
