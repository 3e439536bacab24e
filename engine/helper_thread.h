// A second thread that joins in one caller's work when it can, for work too short to be worth
// starting a thread for: an incremental link's screening and scoring, at ten million records a
// few hundred microseconds for a common name. Waking a sleeping thread takes 30-70 us on these
// VMs (300 us at the 99th percentile), so the caller never waits for the helper to wake: it works
// from the start, and withdraws the work if it finishes before the helper has begun. Once the
// helper has begun, the caller waits for it to finish, spinning briefly, then asleep.
//
// The work must share its items through state of its own (an atomic counter handing out runs of
// items), so that it is complete whichever threads run it, and however late the helper starts.
//
// Thread-compatible: one caller at a time.
#ifndef CROSSFORCE_ENGINE_HELPER_THREAD_H_
#define CROSSFORCE_ENGINE_HELPER_THREAD_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "absl/functional/function_ref.h"

namespace crossforce {

class HelperThread {
 public:
  // Starts the thread, which sleeps until work is shared.
  HelperThread();
  // Stops the thread and waits for it.
  ~HelperThread();
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs work(0) on the calling thread and, when the helper wakes before that returns, work(1)
  // on the helper at the same time; returns once neither runs. Returns at once after work(0)
  // when the helper had not begun, having withdrawn the work (work(1) is then never called).
  void Share(absl::FunctionRef<void(size_t worker)> work);

  // How many Share calls the helper joined in (for tests and benchmarks).
  size_t joined() const { return joined_.load(std::memory_order_relaxed); }

 private:
  enum State : int {
    kIdle,     // no work, or the work was withdrawn
    kPosted,   // work posted, the helper not yet on it
    kRunning,  // the helper runs it
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable posted_;
  std::condition_variable finished_;  // the helper has left the work: state_ is kIdle
  std::atomic<int> state_{kIdle};
  const absl::FunctionRef<void(size_t)>* work_ = nullptr;  // guarded by mu_; set while posted
  bool stop_ = false;                                      // guarded by mu_
  std::atomic<size_t> joined_{0};
  std::thread thread_;  // last: starts once the members above are made
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_HELPER_THREAD_H_
