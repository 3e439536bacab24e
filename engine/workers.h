// Fork-join on a few threads, for the engine's whole-population passes (a relink's scoring, a full
// rule pass). The passes share only read-only state, so each worker writes its own slot of an
// output the caller joins afterwards.
#ifndef CROSSFORCE_ENGINE_WORKERS_H_
#define CROSSFORCE_ENGINE_WORKERS_H_

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace crossforce {

// `requested` threads, or one per core when it is 0 or negative.
inline size_t WorkerCount(int requested) {
  if (requested > 0) return static_cast<size_t>(requested);
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs work(0) .. work(workers - 1) at once, work(0) on the calling thread, and returns when all
// have.
inline void RunOnWorkers(size_t workers, absl::FunctionRef<void(size_t worker)> work) {
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back([&work, w] { work(w); });
  work(0);
  for (std::thread& t : pool) t.join();
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_WORKERS_H_
