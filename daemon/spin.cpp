#include "daemon/spin.h"

#include <sched.h>

namespace registry::daemon {

void SpinTurn() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
  sched_yield();
}

void RunSpinning(boost::asio::io_context& io, std::chrono::microseconds spin) {
  if (spin.count() <= 0) {
    io.run();
    return;
  }
  while (!io.stopped()) {
    if (io.poll() > 0) continue;
    // Nothing ready: poll a little longer (an answer from the writer is usually on its
    // way), then sleep in the reactor until the next handler.
    if (SpinUntil([&] { return io.stopped() || io.poll() > 0; }, spin)) continue;
    io.run_one();
  }
}

}  // namespace registry::daemon
