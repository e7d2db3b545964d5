#pragma once
// The core thread's loop: pop events from the input ring, apply them in order,
// publish a snapshot every `publish_every` events and whenever the ring runs
// dry, and spend idle time on the budgeted audit. Returns when `stop` is set
// and the ring is empty.
#include <atomic>
#include <cstdint>

#include "core/engine/health_core.hpp"

namespace liqd {

struct CoreLoopOptions {
  uint32_t publish_every = 256;
  uint32_t audit_budget = 64;  // accounts per idle turn; 0 disables the audit
};

inline void run_core_loop(HealthCore& core, SpscRing<Event>& in, CoreSnapshot& snap,
                          const std::atomic<bool>& stop, const CoreLoopOptions& opt = {}) {
  Event e;
  uint32_t since_publish = 0;
  for (;;) {
    if (in.try_pop(e)) {
      core.apply(e);
      if (++since_publish >= opt.publish_every) {
        core.publish(snap);
        since_publish = 0;
      }
      continue;
    }
    if (since_publish > 0) {
      core.publish(snap);
      since_publish = 0;
    }
    core.flush_dispatch();
    if (stop.load(std::memory_order_acquire) && in.size_approx() == 0) break;
    if (opt.audit_budget > 0) core.audit_step(opt.audit_budget);
  }
  core.publish(snap);
}

}  // namespace liqd
