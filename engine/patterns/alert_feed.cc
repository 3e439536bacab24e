#include "engine/patterns/alert_feed.h"

namespace crossforce {

void AlertFeed::Publish(const std::vector<const Flag*>& flags) {
  if (flags.empty()) return;
  absl::MutexLock lock(&mu_);
  const size_t skipped = flags.size() > capacity_ ? flags.size() - capacity_ : 0;
  latest_ += skipped;
  for (size_t i = skipped; i < flags.size(); ++i) alerts_.push_back({++latest_, *flags[i]});
  while (alerts_.size() > capacity_) alerts_.pop_front();
}

uint64_t AlertFeed::latest() {
  absl::MutexLock lock(&mu_);
  return latest_;
}

AlertFeed::Batch AlertFeed::WaitAfter(uint64_t after, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  struct Arg {
    AlertFeed* feed;
    uint64_t after;
  } arg{this, after};
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                             return a->feed->closed_ || a->feed->latest_ > a->after;
                           },
                           &arg),
                       timeout);
  Batch batch;
  if (closed_) return batch;
  const uint64_t oldest = alerts_.empty() ? latest_ + 1 : alerts_.front().sequence;
  if (oldest > after + 1) batch.missed = oldest - after - 1;
  for (const Alert& a : alerts_) {
    if (a.sequence > after) batch.alerts.push_back(a);
  }
  return batch;
}

void AlertFeed::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

}  // namespace crossforce
