// Bulk Dice screening of 1024-bit record filters: which pairs of two blocks have Dice similarity at
// least a threshold. The threshold test is exact integer arithmetic (2 * |A and B| * den >=
// num * (|A| + |B|)), never a division per pair. The inner loop is chosen at run time: AVX-512
// with VPOPCNTDQ, else AVX2 (nibble-table popcount), else portable 64-bit popcount. Blocks are
// tiled so a block of candidates stays in L1 while a block of queries runs over it.
// Thread-safe (pure).
#ifndef CROSSFORCE_ENGINE_LINKAGE_DICE_KERNEL_H_
#define CROSSFORCE_ENGINE_LINKAGE_DICE_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace crossforce {

inline constexpr size_t kFilterWords = 16;  // 1024 bits
// The first quarter of a record filter, which the linker holds in RAM for its screen: a filter's
// bits are hashes' positions, so any quarter of them is a uniform sample of its bits (Linker).
inline constexpr size_t kScreenFilterWords = kFilterWords / 4;

// Dice >= numerator / denominator.
struct DiceThreshold {
  uint32_t numerator = 4;
  uint32_t denominator = 5;
};

enum class DiceKernel { kPortable, kAvx2, kAvx512 };

// The fastest kernel this CPU supports.
DiceKernel BestDiceKernel();
const char* DiceKernelName(DiceKernel kernel);

// Filters are stored contiguously, kFilterWords words each; popcounts[i] is filter i's bit count.
struct FilterBlock {
  const uint64_t* words = nullptr;
  const uint32_t* popcounts = nullptr;
  size_t size = 0;
};

// Appends every (i, j) with Dice(a[i], b[j]) >= threshold; returns the number of pairs compared.
size_t DiceAllPairs(const FilterBlock& a, const FilterBlock& b, DiceThreshold threshold,
                    std::vector<std::pair<uint32_t, uint32_t>>* matches,
                    DiceKernel kernel = BestDiceKernel());

// |a and b| of two whole filters with the given kernel (for tests; the linker screens on quarters).
uint32_t AndPopCount(const uint64_t* a, const uint64_t* b, DiceKernel kernel);
// |a and b| over the first kScreenFilterWords words of each.
uint32_t ScreenAndPopCount(const uint64_t* a, const uint64_t* b, DiceKernel kernel);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_DICE_KERNEL_H_
