// The stream of flag alerts (new and escalated flags) that watchers follow. Each alert gets a
// sequence number; a watcher asks for alerts after the last number it saw and waits for more.
// Holds the most recent `capacity` alerts: a watcher that falls further behind misses the oldest
// (and learns how many). Thread-safe.
#ifndef CROSSFORCE_ENGINE_PATTERNS_ALERT_FEED_H_
#define CROSSFORCE_ENGINE_PATTERNS_ALERT_FEED_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/patterns/flag.h"

namespace crossforce {

struct Alert {
  uint64_t sequence = 0;
  Flag flag;
};

class AlertFeed {
 public:
  explicit AlertFeed(size_t capacity) : capacity_(capacity) {}

  // Numbers and keeps copies of `flags` (only the newest `capacity` when there are more).
  void Publish(const std::vector<const Flag*>& flags);
  // The sequence number of the latest alert (0: none yet).
  uint64_t latest();

  struct Batch {
    std::vector<Alert> alerts;
    uint64_t missed = 0;  // alerts after `after` that were dropped before this call
  };
  // Alerts numbered above `after`; waits up to `timeout` when there are none, and returns an
  // empty batch on timeout or once the feed is closed.
  Batch WaitAfter(uint64_t after, absl::Duration timeout);

  // Wakes every waiter; later waits return at once.
  void Close();

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<Alert> alerts_ ABSL_GUARDED_BY(mu_);
  uint64_t latest_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_ALERT_FEED_H_
