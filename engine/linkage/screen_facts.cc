#include "engine/linkage/screen_facts.h"

#include <algorithm>

namespace crossforce {

ScreenFacts ScreenFacts::Of(std::optional<int> filter_bits, bool common_given_name,
                            const LinkToken* birth_years_begin, const LinkToken* birth_years_end) {
  ScreenFacts facts;
  facts.word_ = filter_bits.has_value()
                    ? static_cast<uint16_t>(std::clamp(*filter_bits, 0, kMaxFilterBits))
                    : kNoFilter;
  if (common_given_name) facts.word_ |= kCommonGivenNameBit;
  if (birth_years_end - birth_years_begin == 1) {
    // A token's fingerprint is a keyed hash, so its residues are uniform: 1 to 63.
    const uint16_t year = static_cast<uint16_t>(1 + birth_years_begin->fingerprint() % 63);
    facts.word_ |= static_cast<uint16_t>(year << kBirthYearShift);
  }
  return facts;
}

}  // namespace crossforce
