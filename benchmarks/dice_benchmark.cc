// The Dice kernel over 1024-bit record filters: all pairs of two blocks screened against a
// threshold of 0.8, one core. Items processed are comparisons, so items/s is comparisons/s.
//
//   build/bin/dice_benchmark --benchmark_filter=BM_Dice
#include <random>

#include "benchmark/benchmark.h"
#include "engine/linkage/dice.h"
#include "engine/linkage/dice_kernel.h"

namespace crossforce {
namespace {

struct Filters {
  std::vector<uint64_t> words;
  std::vector<uint32_t> popcounts;
  FilterBlock block() const { return {words.data(), popcounts.data(), popcounts.size()}; }
};

// Filters with about a third of the bits set, as the client's record filters have.
Filters Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Filters f;
  f.words.resize(n * kFilterWords);
  for (uint64_t& w : f.words) w = rng() & rng();  // ~25% ones
  for (size_t i = 0; i < n; ++i) {
    f.popcounts.push_back(
        PopCount(reinterpret_cast<const uint8_t*>(f.words.data() + i * kFilterWords), 128));
  }
  return f;
}

void RunAllPairs(benchmark::State& state, DiceKernel kernel) {
  const size_t n = state.range(0);
  const Filters a = Random(n, 1), b = Random(n, 2);
  std::vector<std::pair<uint32_t, uint32_t>> matches;
  for (auto _ : state) {
    matches.clear();
    benchmark::DoNotOptimize(DiceAllPairs(a.block(), b.block(), {4, 5}, &matches, kernel));
  }
  state.SetItemsProcessed(state.iterations() * n * n);
  state.SetLabel(DiceKernelName(kernel));
}

void BM_Dice_AllPairs_Best(benchmark::State& state) { RunAllPairs(state, BestDiceKernel()); }
void BM_Dice_AllPairs_Avx2(benchmark::State& state) { RunAllPairs(state, DiceKernel::kAvx2); }
void BM_Dice_AllPairs_Portable(benchmark::State& state) {
  RunAllPairs(state, DiceKernel::kPortable);
}

BENCHMARK(BM_Dice_AllPairs_Best)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dice_AllPairs_Avx2)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dice_AllPairs_Portable)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crossforce

BENCHMARK_MAIN();
