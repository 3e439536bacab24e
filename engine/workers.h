// Fork-join on a few threads, for the engine's whole-population passes (a relink's scoring, a full
// rule pass). The passes share only read-only state, so each worker writes its own slot of an
// output the caller joins afterwards.
#ifndef CROSSFORCE_ENGINE_WORKERS_H_
#define CROSSFORCE_ENGINE_WORKERS_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <iterator>
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

// Calls work(worker, k) for every k in [0, n) on `workers` threads, handing the ks out in runs of
// `chunk` as each thread finishes its last: the cost of one k varies (a record's candidates), so a
// fixed split would leave one thread idle while the other works on.
inline void ForEachOnWorkers(size_t workers, size_t n, size_t chunk,
                             absl::FunctionRef<void(size_t worker, size_t k)> work) {
  chunk = std::max<size_t>(chunk, 1);
  std::atomic<size_t> next{0};
  RunOnWorkers(workers, [&](size_t worker) {
    for (size_t begin = next.fetch_add(chunk); begin < n; begin = next.fetch_add(chunk)) {
      for (size_t k = begin; k < std::min(n, begin + chunk); ++k) work(worker, k);
    }
  });
}

// The elements of all `parts` (at least one), sorted, leaving the parts empty: each part is
// sorted on a thread of its own, then they are merged in turn. For the relink's pairs and block
// entries, which its workers collect in a part each: sorting the tens of millions of them joined
// on one thread left the other cores idle for seconds.
// `less` orders the elements (it is called on every worker at once).
template <typename T, typename Less = std::less<T>>
std::vector<T> SortOnWorkers(std::vector<std::vector<T>>& parts, Less less = Less()) {
  RunOnWorkers(parts.size(),
               [&](size_t part) { std::sort(parts[part].begin(), parts[part].end(), less); });
  std::vector<T> sorted = std::move(parts[0]);
  for (size_t part = 1; part < parts.size(); ++part) {
    const auto middle = static_cast<std::ptrdiff_t>(sorted.size());
    sorted.insert(sorted.end(), std::make_move_iterator(parts[part].begin()),
                  std::make_move_iterator(parts[part].end()));
    // Freed now, not when `parts` is: `= {}` would be the initializer-list assignment, which
    // keeps the buffer.
    parts[part] = std::vector<T>();
    std::inplace_merge(sorted.begin(), sorted.begin() + middle, sorted.end(), less);
  }
  return sorted;
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_WORKERS_H_
