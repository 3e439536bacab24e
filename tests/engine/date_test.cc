#include "engine/date.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;

TEST(DateTest, ValidityFollowsTheCalendar) {
  EXPECT_TRUE(IsValidDate({2024, 2, 29}));
  EXPECT_FALSE(IsValidDate({2023, 2, 29}));
  EXPECT_FALSE(IsValidDate({2024, 4, 31}));
  EXPECT_FALSE(IsValidDate({2024, 13, 1}));
  EXPECT_FALSE(IsValidDate({2024, 0, 1}));
  EXPECT_FALSE(IsValidDate({0, 0, 0}));
}

TEST(DateTest, EpochDaysRoundTrip) {
  EXPECT_EQ(DaysSinceEpoch({1970, 1, 1}), 0);
  EXPECT_EQ(DaysSinceEpoch({1970, 1, 2}), 1);
  EXPECT_EQ(DaysSinceEpoch({1969, 12, 31}), -1);
  for (int64_t d = -40000; d < 80000; d += 997) {
    EXPECT_EQ(DaysSinceEpoch(DateFromDaysSinceEpoch(d)), d);
  }
}

TEST(DateTest, IsoTextRoundTrips) {
  EXPECT_EQ(FormatIsoDate({2024, 3, 9}), "2024-03-09");
  EXPECT_EQ(FormatIsoDate({}), "");
  absl::StatusOr<Date> parsed = ParseIsoDate("1985-11-30");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, (Date{1985, 11, 30}));
  EXPECT_FALSE(ParseIsoDate("1985-02-30").ok());
  EXPECT_FALSE(ParseIsoDate("30/11/1985").ok());
  EXPECT_FALSE(ParseIsoDate("").ok());
}

TEST(DateTest, TodayIsAPlausibleDate) {
  const Date today = TodayUtc();
  EXPECT_TRUE(IsValidDate(today));
  EXPECT_GE(today.year, 2024);
}

}  // namespace
}  // namespace crossforce
