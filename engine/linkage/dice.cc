#include "engine/linkage/dice.h"

#include <cstring>

namespace crossforce {
namespace {

// The counting loops, compiled twice: with the POPCNT instruction (every x86-64 CPU since 2008)
// and without (a portable bit-twiddling call), chosen once at run time.
#define CROSSFORCE_DICE_COUNTS(NAME, ATTRIBUTES)                                              \
  ATTRIBUTES void NAME(const uint8_t* pa, const uint8_t* pb, size_t size, int* both, int* ca, \
                       int* cb) {                                                             \
    int n_both = 0, n_a = 0, n_b = 0;                                                         \
    size_t i = 0;                                                                             \
    for (; i + 8 <= size; i += 8) {                                                           \
      uint64_t wa, wb;                                                                        \
      std::memcpy(&wa, pa + i, 8);                                                            \
      std::memcpy(&wb, pb + i, 8);                                                            \
      n_both += __builtin_popcountll(wa & wb);                                                \
      n_a += __builtin_popcountll(wa);                                                        \
      n_b += __builtin_popcountll(wb);                                                        \
    }                                                                                         \
    for (; i < size; ++i) {                                                                   \
      n_both += __builtin_popcount(pa[i] & pb[i]);                                            \
      n_a += __builtin_popcount(pa[i]);                                                       \
      n_b += __builtin_popcount(pb[i]);                                                       \
    }                                                                                         \
    *both = n_both;                                                                           \
    *ca = n_a;                                                                                \
    *cb = n_b;                                                                                \
  }

// Bits set in both: for filters whose own counts are already known.
#define CROSSFORCE_COMMON_BITS(NAME, ATTRIBUTES)                           \
  ATTRIBUTES int NAME(const uint8_t* pa, const uint8_t* pb, size_t size) { \
    int n_both = 0;                                                        \
    size_t i = 0;                                                          \
    for (; i + 8 <= size; i += 8) {                                        \
      uint64_t wa, wb;                                                     \
      std::memcpy(&wa, pa + i, 8);                                         \
      std::memcpy(&wb, pb + i, 8);                                         \
      n_both += __builtin_popcountll(wa & wb);                             \
    }                                                                      \
    for (; i < size; ++i) n_both += __builtin_popcount(pa[i] & pb[i]);     \
    return n_both;                                                         \
  }

#if defined(__x86_64__)
CROSSFORCE_DICE_COUNTS(CountsPopcnt, __attribute__((target("popcnt"))))
CROSSFORCE_COMMON_BITS(CommonBitsPopcnt, __attribute__((target("popcnt"))))
#endif
CROSSFORCE_DICE_COUNTS(CountsPortable, )
CROSSFORCE_COMMON_BITS(CommonBitsPortable, )
#undef CROSSFORCE_DICE_COUNTS
#undef CROSSFORCE_COMMON_BITS

using CountsFn = void (*)(const uint8_t*, const uint8_t*, size_t, int*, int*, int*);

CountsFn ChooseCounts() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("popcnt")) return &CountsPopcnt;
#endif
  return &CountsPortable;
}

using CommonBitsFn = int (*)(const uint8_t*, const uint8_t*, size_t);

CommonBitsFn ChooseCommonBits() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("popcnt")) return &CommonBitsPopcnt;
#endif
  return &CommonBitsPortable;
}

}  // namespace

int PopCount(const uint8_t* bytes, size_t size) {
  static const CountsFn counts = ChooseCounts();
  int both, n, unused;
  counts(bytes, bytes, size, &both, &n, &unused);
  return n;
}

double Dice(absl::string_view a, absl::string_view b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  static const CountsFn counts = ChooseCounts();
  int both, ca, cb;
  counts(reinterpret_cast<const uint8_t*>(a.data()), reinterpret_cast<const uint8_t*>(b.data()),
         a.size(), &both, &ca, &cb);
  if (ca + cb == 0) return 0.0;
  return 2.0 * both / (ca + cb);
}

double Dice(absl::string_view a, int ones_a, absl::string_view b, int ones_b) {
  if (a.empty() || a.size() != b.size() || ones_a + ones_b == 0) return 0.0;
  static const CommonBitsFn common_bits = ChooseCommonBits();
  const int both = common_bits(reinterpret_cast<const uint8_t*>(a.data()),
                               reinterpret_cast<const uint8_t*>(b.data()), a.size());
  return 2.0 * both / (ones_a + ones_b);
}

}  // namespace crossforce
