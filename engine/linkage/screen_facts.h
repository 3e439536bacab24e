// What the linker's screen reads of a person besides the quarter of its record filter, in two
// bytes: the quarter's bit count, whether its given name is common, and a fingerprint of its
// birth year token.
//
// The screen reads these for every member of every band and screened block a record meets (at
// ten million records, thousands of members for a record with a common name), so they sit in one
// array by index, beside the filters' quarters, and are packed: the bit count needs 9 bits and
// the flag one, and held apart (a 2-byte count and a 1-byte flag) they left 7 bits each unused.
// The birth year fingerprint takes the 6 bits left.

#ifndef CROSSFORCE_ENGINE_LINKAGE_SCREEN_FACTS_H_
#define CROSSFORCE_ENGINE_LINKAGE_SCREEN_FACTS_H_

#include <cstdint>
#include <optional>

#include "engine/linkage/person_record.h"

namespace crossforce {

class ScreenFacts {
 public:
  // The most bits a record filter's quarter may have set (the quarter of a 1024-bit filter has
  // 256 bits).
  static constexpr int kMaxFilterBits = (1 << 9) - 2;

  // No record filter, a given name that is not common, no birth year.
  ScreenFacts() = default;

  // `filter_bits`: the bits set in the person's record filter's quarter, at most kMaxFilterBits
  // (nullopt: the person has no 1024-bit record filter). `birth_years`: its tokens of kind
  // TokenKind::kBirthYear, [begin, end).
  static ScreenFacts Of(std::optional<int> filter_bits, bool common_given_name,
                        const LinkToken* birth_years_begin, const LinkToken* birth_years_end);

  bool has_record_filter() const { return (word_ & kFilterBitsMask) != kNoFilter; }
  // The bits set in the record filter's quarter; only with has_record_filter().
  int record_filter_bits() const { return word_ & kFilterBitsMask; }
  bool common_given_name() const { return (word_ & kCommonGivenNameBit) != 0; }

  // Whether each of the two persons carries one birth year and the years differ. A person with
  // none, or with several (aliases' dates of birth), differs from no one. Two different years
  // share a fingerprint with chance 1 in 63 and are then taken as the same, so a collision can
  // only let a pair through the screen, never stop one.
  bool BirthYearsDiffer(ScreenFacts other) const {
    const unsigned mine = word_ >> kBirthYearShift, theirs = other.word_ >> kBirthYearShift;
    return mine != 0 && theirs != 0 && mine != theirs;
  }

 private:
  static constexpr uint16_t kFilterBitsMask = (1 << 9) - 1;
  static constexpr uint16_t kNoFilter = kFilterBitsMask;
  static constexpr uint16_t kCommonGivenNameBit = 1 << 9;
  static constexpr int kBirthYearShift = 10;  // the top 6 bits; 0: no single birth year

  uint16_t word_ = kNoFilter;
};

static_assert(sizeof(ScreenFacts) == 2);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_SCREEN_FACTS_H_
