#include "engine/linkage/screen_facts.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace crossforce {
namespace {

ScreenFacts WithBirthYears(const std::vector<std::string>& years) {
  std::vector<LinkToken> tokens;
  for (const std::string& year : years)
    tokens.push_back(MakeLinkToken(TokenKind::kBirthYear, year));
  return ScreenFacts::Of(256, false, tokens.data(), tokens.data() + tokens.size());
}

// The three facts share two bytes without disturbing each other, at the ends of their ranges.
TEST(ScreenFactsTest, HoldsTheBitCountTheCommonNameFlagAndTheBirthYearApart) {
  const LinkToken year = MakeLinkToken(TokenKind::kBirthYear, "by-1984");
  const ScreenFacts another_year = WithBirthYears({"by-1990"});
  ASSERT_TRUE(another_year.BirthYearsDiffer(WithBirthYears({"by-1984"})));
  for (const std::optional<int> bits :
       {std::optional<int>(), std::optional<int>(0), std::optional<int>(1), std::optional<int>(256),
        std::optional<int>(ScreenFacts::kMaxFilterBits)}) {
    for (const bool common : {false, true}) {
      for (const bool with_year : {false, true}) {
        const ScreenFacts facts = ScreenFacts::Of(bits, common, &year, &year + (with_year ? 1 : 0));
        EXPECT_EQ(facts.has_record_filter(), bits.has_value());
        if (bits.has_value()) {
          EXPECT_EQ(facts.record_filter_bits(), *bits);
        }
        EXPECT_EQ(facts.common_given_name(), common);
        EXPECT_FALSE(facts.BirthYearsDiffer(facts)) << "a year never differs from itself";
        EXPECT_EQ(facts.BirthYearsDiffer(another_year), with_year)
            << "the year is held beside " << (bits ? *bits : -1) << " bits, common " << common;
      }
    }
  }
  const ScreenFacts none;
  EXPECT_FALSE(none.has_record_filter());
  EXPECT_FALSE(none.common_given_name());
}

// Years differ only when each record carries exactly one: a record without a year, or with
// several (aliases' dates of birth), differs from no one.
TEST(ScreenFactsTest, BirthYearsDifferOnlyWhenEachRecordCarriesOne) {
  const ScreenFacts y1984 = WithBirthYears({"by-1984"});
  const ScreenFacts y1990 = WithBirthYears({"by-1990"});
  ASSERT_NE(MakeLinkToken(TokenKind::kBirthYear, "by-1984").fingerprint() % 63,
            MakeLinkToken(TokenKind::kBirthYear, "by-1990").fingerprint() % 63)
      << "the two years' fingerprints share a residue: pick other years";
  EXPECT_TRUE(y1984.BirthYearsDiffer(y1990));
  EXPECT_TRUE(y1990.BirthYearsDiffer(y1984));
  EXPECT_FALSE(y1984.BirthYearsDiffer(WithBirthYears({"by-1984"})));
  const ScreenFacts unknown = WithBirthYears({});
  const ScreenFacts both = WithBirthYears({"by-1984", "by-1990"});
  for (const ScreenFacts& other : {y1984, y1990, unknown, both}) {
    EXPECT_FALSE(unknown.BirthYearsDiffer(other));
    EXPECT_FALSE(other.BirthYearsDiffer(unknown));
    EXPECT_FALSE(both.BirthYearsDiffer(other));
    EXPECT_FALSE(other.BirthYearsDiffer(both));
  }
}

// Over many years, two different ones are told apart about 62 times in 63: the fingerprint
// spreads them, and a collision only lets a pair through.
TEST(ScreenFactsTest, DifferentYearsAreAlmostAlwaysToldApart) {
  std::vector<ScreenFacts> years;
  for (int year = 1900; year < 2030; ++year) {
    years.push_back(WithBirthYears({absl::StrCat("by-", year)}));
  }
  int pairs = 0, told_apart = 0;
  for (size_t a = 0; a < years.size(); ++a) {
    for (size_t b = a + 1; b < years.size(); ++b) {
      ++pairs;
      told_apart += years[a].BirthYearsDiffer(years[b]) ? 1 : 0;
    }
  }
  EXPECT_GT(told_apart, pairs * 0.97) << told_apart << " of " << pairs;
}

}  // namespace
}  // namespace crossforce
