// Dice similarity of Bloom filters: 2 |A and B| / (|A| + |B|). Thread-safe (pure).
#ifndef CROSSFORCE_ENGINE_LINKAGE_DICE_H_
#define CROSSFORCE_ENGINE_LINKAGE_DICE_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace crossforce {

// Bits set in `bytes`.
int PopCount(const uint8_t* bytes, size_t size);

// Dice coefficient of two filters of equal length; 0 when either is empty or all zero, or when the
// lengths differ.
double Dice(absl::string_view a, absl::string_view b);
// The same for filters whose bits set are already counted (`ones_a`, `ones_b`): a third of the
// work, for the comparisons that score every candidate pair.
double Dice(absl::string_view a, int ones_a, absl::string_view b, int ones_b);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_DICE_H_
