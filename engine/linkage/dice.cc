#include "engine/linkage/dice.h"

#include <cstring>

namespace crossforce {
namespace {

// Bits set in both of two byte strings, compiled twice: with the POPCNT instruction (every
// x86-64 CPU since 2008) and without (a portable bit-twiddling call), chosen once at run time.
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
CROSSFORCE_COMMON_BITS(CommonBitsPopcnt, __attribute__((target("popcnt"))))
#endif
CROSSFORCE_COMMON_BITS(CommonBitsPortable, )
#undef CROSSFORCE_COMMON_BITS

using CommonBitsFn = int (*)(const uint8_t*, const uint8_t*, size_t);

CommonBitsFn ChooseCommonBits() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("popcnt")) return &CommonBitsPopcnt;
#endif
  return &CommonBitsPortable;
}

int CommonBits(const uint8_t* a, const uint8_t* b, size_t size) {
  static const CommonBitsFn common_bits = ChooseCommonBits();
  return common_bits(a, b, size);
}

}  // namespace

int PopCount(const uint8_t* bytes, size_t size) { return CommonBits(bytes, bytes, size); }

double Dice(absl::string_view a, absl::string_view b) {
  const auto* pa = reinterpret_cast<const uint8_t*>(a.data());
  const auto* pb = reinterpret_cast<const uint8_t*>(b.data());
  return Dice(a, CommonBits(pa, pa, a.size()), b, CommonBits(pb, pb, b.size()));
}

double Dice(absl::string_view a, int ones_a, absl::string_view b, int ones_b) {
  if (a.empty() || a.size() != b.size() || ones_a + ones_b == 0) return 0.0;
  const int both = CommonBits(reinterpret_cast<const uint8_t*>(a.data()),
                              reinterpret_cast<const uint8_t*>(b.data()), a.size());
  return 2.0 * both / (ones_a + ones_b);
}

}  // namespace crossforce
