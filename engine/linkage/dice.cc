#include "engine/linkage/dice.h"

#include <cstring>

namespace crossforce {

int PopCount(const uint8_t* bytes, size_t size) {
  int n = 0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    n += __builtin_popcountll(word);
  }
  for (; i < size; ++i) n += __builtin_popcount(bytes[i]);
  return n;
}

double Dice(absl::string_view a, absl::string_view b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  const auto* pa = reinterpret_cast<const uint8_t*>(a.data());
  const auto* pb = reinterpret_cast<const uint8_t*>(b.data());
  int both = 0, ca = 0, cb = 0;
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    uint64_t wa, wb;
    std::memcpy(&wa, pa + i, 8);
    std::memcpy(&wb, pb + i, 8);
    both += __builtin_popcountll(wa & wb);
    ca += __builtin_popcountll(wa);
    cb += __builtin_popcountll(wb);
  }
  for (; i < a.size(); ++i) {
    both += __builtin_popcount(pa[i] & pb[i]);
    ca += __builtin_popcount(pa[i]);
    cb += __builtin_popcount(pb[i]);
  }
  if (ca + cb == 0) return 0.0;
  return 2.0 * both / (ca + cb);
}

}  // namespace crossforce
