#include "engine/helper_thread.h"

#include <chrono>

#include "absl/cleanup/cleanup.h"

namespace crossforce {
namespace {

// Tells the core that this thread spins, so that a sibling hyperthread runs on meanwhile.
inline void SpinPause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

HelperThread::HelperThread() : thread_([this] { Loop(); }) {}

HelperThread::~HelperThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  posted_.notify_one();
  thread_.join();
}

void HelperThread::Share(absl::FunctionRef<void(size_t worker)> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_ = &work;
    state_.store(kPosted, std::memory_order_release);
  }
  posted_.notify_one();
  // However work(0) ends (it may throw), `work` must outlive the helper's use of it.
  const absl::Cleanup withdraw_or_wait = [this] {
    int expected = kPosted;
    if (state_.compare_exchange_strong(expected, kIdle, std::memory_order_acq_rel)) return;
    // The helper took it, and is on its last run of items, so the wait is short, unless the
    // helper has lost its core (to another thread, or to the hypervisor). Then spinning on
    // would keep for itself the core the scheduler could move the helper to: after kSpin, the
    // caller sleeps until the helper is done.
    constexpr auto kSpin = std::chrono::microseconds(20);
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    for (int k = 1; state_.load(std::memory_order_acquire) != kIdle; ++k) {
      SpinPause();
      if (k % 64 == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(mu_);
        finished_.wait(lock, [this] { return state_.load(std::memory_order_acquire) == kIdle; });
        return;
      }
    }
  };
  work(0);
}

void HelperThread::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    posted_.wait(lock,
                 [this] { return stop_ || state_.load(std::memory_order_acquire) == kPosted; });
    if (stop_) return;
    int expected = kPosted;
    // Fails when the caller withdrew the work between the wake and here.
    if (!state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel)) continue;
    const absl::FunctionRef<void(size_t)>* work = work_;
    lock.unlock();
    joined_.fetch_add(1, std::memory_order_relaxed);
    (*work)(1);
    lock.lock();
    // Under the lock, so that a caller about to sleep on finished_ sees it or is woken.
    state_.store(kIdle, std::memory_order_release);
    finished_.notify_one();
  }
}

}  // namespace crossforce
