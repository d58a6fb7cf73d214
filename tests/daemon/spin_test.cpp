#include "daemon/spin.h"

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <thread>

namespace registry::daemon {
namespace {

using std::chrono::microseconds;
using std::chrono::steady_clock;

TEST_CASE("SpinUntil: returns at once when ready, false after the budget when never ready") {
  int calls = 0;
  CHECK(SpinUntil([&] { return ++calls > 0; }, microseconds(1'000'000)));
  CHECK(calls == 1);

  calls = 0;
  CHECK_FALSE(SpinUntil([&] { return ++calls < 0; }, microseconds(0)));
  CHECK(calls == 1);  // a zero budget asks once and does not spin

  const auto start = steady_clock::now();
  CHECK_FALSE(SpinUntil([] { return false; }, microseconds(2'000)));
  CHECK(steady_clock::now() - start >= microseconds(2'000));  // it did wait the budget out
}

TEST_CASE("SpinUntil: sees what another thread makes ready") {
  std::atomic<bool> flag{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    flag = true;
  });
  CHECK(SpinUntil([&] { return flag.load(); }, microseconds(10'000'000)));
  setter.join();
}

void RunsPostedWork(microseconds spin) {
  boost::asio::io_context io(1);
  auto guard = boost::asio::make_work_guard(io);
  std::atomic<int> ran{0};
  // Handlers posted from another thread, some while the loop spins and some after it has
  // gone to sleep in the reactor; the last one releases the guard, and the loop returns.
  std::thread poster([&] {
    for (int i = 0; i < 20; ++i) {
      boost::asio::post(io, [&] { ++ran; });
      std::this_thread::sleep_for(microseconds(i % 2 == 0 ? 50 : 3'000));
    }
    boost::asio::post(io, [&] { guard.reset(); });
  });
  RunSpinning(io, spin);
  poster.join();
  CHECK(ran == 20);
  CHECK(io.stopped());
}

TEST_CASE("RunSpinning: runs every posted handler and returns when the work runs out") {
  SUBCASE("spinning") { RunsPostedWork(microseconds(400)); }
  SUBCASE("sleeping at once (budget 0)") { RunsPostedWork(microseconds(0)); }
}

TEST_CASE("RunSpinning: returns when the context is stopped from a handler") {
  boost::asio::io_context io(1);
  auto guard = boost::asio::make_work_guard(io);
  boost::asio::post(io, [&] { io.stop(); });
  RunSpinning(io, microseconds(400));
  CHECK(io.stopped());
}

}  // namespace
}  // namespace registry::daemon
