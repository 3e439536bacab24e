// Software prefetch of a range of memory, for the linker's loops over records, filters and
// buckets scattered through gigabytes.
#ifndef CROSSFORCE_ENGINE_LINKAGE_PREFETCH_H_
#define CROSSFORCE_ENGINE_LINKAGE_PREFETCH_H_

#include <cstddef>
#include <cstdint>

namespace crossforce {

// Starts fetching every cache line of [begin, begin + bytes). Always inlined, as every caller
// that only prefetches must be: GCC drops calls to a function that only prefetches, finding it
// has no side effects.
[[gnu::always_inline]] inline void PrefetchLines(const void* begin, size_t bytes) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(begin);
  for (uintptr_t line = start & ~uintptr_t{63}; line < start + bytes; line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_PREFETCH_H_
