// A calendar day without time zone, and the few operations on it the engine needs (validity,
// ordering, day arithmetic, ISO text). Value type; thread-compatible.
#ifndef CROSSFORCE_ENGINE_DATE_H_
#define CROSSFORCE_ENGINE_DATE_H_

#include <compare>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crossforce {

struct Date {
  int year = 0;  // 0 means "not known" for the whole date
  int month = 0;
  int day = 0;

  bool known() const { return year != 0 || month != 0 || day != 0; }
  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;
};

// True when the date exists in the proleptic Gregorian calendar.
bool IsValidDate(const Date& date);

// Days since 1970-01-01 of a valid date.
int64_t DaysSinceEpoch(const Date& date);

// The date `days` days after 1970-01-01.
Date DateFromDaysSinceEpoch(int64_t days);

// Today's date in UTC.
Date TodayUtc();

// "YYYY-MM-DD"; "" for an unknown date.
std::string FormatIsoDate(const Date& date);

// Parses "YYYY-MM-DD". InvalidArgument names what is wrong.
absl::StatusOr<Date> ParseIsoDate(absl::string_view text);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_DATE_H_
