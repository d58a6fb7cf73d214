// Waiting by spinning before sleeping, for the io and writer threads' hand-offs.
//
// On the virtual machines registryd is measured on, waking a sleeping thread costs tens
// of microseconds (a condition variable's round trip between two threads measured 75-88
// us), more than the work of a one-event append. A thread that expects work back soon
// (the writer, a group after the last; the io thread, the writer's answer) checks for it
// for a short budget first, yielding the CPU on every turn so that a client or the other
// thread on the same core still runs. A budget of zero sleeps at once.
#ifndef COUNCIL_REGISTRY_DAEMON_SPIN_H_
#define COUNCIL_REGISTRY_DAEMON_SPIN_H_

#include <utility>  // before Asio (g++ 12 with Boost 1.74 coroutines)

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace registry::daemon {

// One turn of a spin: a pause, then the CPU to whatever else is ready to run.
void SpinTurn();

// Calls `ready` until it returns true or `budget` has passed; returns its last answer.
template <typename Ready>
bool SpinUntil(Ready&& ready, std::chrono::microseconds budget) {
  if (ready()) return true;
  if (budget.count() <= 0) return false;
  const auto until = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < until) {
    SpinTurn();
    if (ready()) return true;
  }
  return false;
}

// Runs `io` until it stops, as io_context::run() does, except that after the last ready
// handler it keeps polling for `spin` before it blocks in the reactor.
void RunSpinning(boost::asio::io_context& io, std::chrono::microseconds spin);

}  // namespace registry::daemon

#endif  // COUNCIL_REGISTRY_DAEMON_SPIN_H_
