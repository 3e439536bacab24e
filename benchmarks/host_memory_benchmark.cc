// What the VM's host does to guest memory left idle: no code of ours can change it, but every
// latency figure of a large index on these machines includes it (linker_benchmark's first links
// after a relink). Found while looking for why the same few dozen links at 10M records took 2-60
// ms, with no page fault, context switch or stolen tick the guest could see.
//
// BM_HostMemory_FirstTouchAfterIdle/<seconds>: maps 1 GiB of anonymous memory in huge pages,
// writes and reads all of it, leaves it idle that many seconds, then reads one word of each 2 MiB
// region, timing each read, and then reads each region's next word the same way. Reports the
// first reads' p50 and p99, and the share of them over 20 us (first_touch_*), and the second
// reads' p50 (second_touch_p50_us). A region is what the guest's huge page spans; whatever the
// host does costs one slow read per region, and the rest of the region is then as fast as any
// memory.

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"

namespace {

constexpr size_t kBytes = size_t{1} << 30;
constexpr size_t kRegionBytes = size_t{2} << 20;
constexpr size_t kWordsPerRegion = kRegionBytes / sizeof(uint64_t);
constexpr size_t kWordsPerPage = 4096 / sizeof(uint64_t);

// Microseconds each region's word `offset` takes to read, in region order.
std::vector<double> TimeRegionReads(const volatile uint64_t* words, size_t offset) {
  std::vector<double> micros;
  micros.reserve(kBytes / kRegionBytes);
  for (size_t region = 0; region < kBytes / kRegionBytes; ++region) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(words[region * kWordsPerRegion + offset]);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  return micros;
}

void BM_HostMemory_FirstTouchAfterIdle(benchmark::State& state) {
  const auto idle = std::chrono::seconds(state.range(0));
  void* mapped = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    state.SkipWithError("mmap failed");
    return;
  }
  madvise(mapped, kBytes, MADV_HUGEPAGE);
  volatile uint64_t* words = static_cast<uint64_t*>(mapped);
  std::vector<double> first, second;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t w = 0; w < kBytes / sizeof(uint64_t); w += kWordsPerPage) words[w] = w;
    for (size_t w = 0; w < kBytes / sizeof(uint64_t); w += kWordsPerPage) {
      benchmark::DoNotOptimize(words[w]);
    }
    std::this_thread::sleep_for(idle);
    state.ResumeTiming();
    // Words in pages of their own, none touched since the writes above (the first word of each
    // page was), so that nothing but the host's handling of the region can make a read slow.
    first = TimeRegionReads(words, kWordsPerPage + 1);
    second = TimeRegionReads(words, 2 * kWordsPerPage + 1);
  }
  munmap(mapped, kBytes);
  state.counters["first_touch_p50_us"] = first[first.size() / 2];
  state.counters["first_touch_p99_us"] = first[first.size() * 99 / 100];
  state.counters["second_touch_p50_us"] = second[second.size() / 2];
  // A read of memory in RAM takes well under a microsecond; one the host must handle, tens.
  const auto slow = std::count_if(first.begin(), first.end(), [](double us) { return us > 20; });
  state.counters["first_touch_slow_share"] = static_cast<double>(slow) / first.size();
}
BENCHMARK(BM_HostMemory_FirstTouchAfterIdle)
    ->Arg(0)
    ->Arg(2)
    ->Arg(20)
    ->Arg(60)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
