#include "engine/date.h"

#include <chrono>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crossforce {
namespace {

std::chrono::year_month_day ToYmd(const Date& date) {
  return std::chrono::year_month_day{std::chrono::year{date.year},
                                     std::chrono::month{static_cast<unsigned>(date.month)},
                                     std::chrono::day{static_cast<unsigned>(date.day)}};
}

}  // namespace

bool IsValidDate(const Date& date) {
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  return ToYmd(date).ok();
}

int64_t DaysSinceEpoch(const Date& date) {
  return std::chrono::sys_days{ToYmd(date)}.time_since_epoch().count();
}

Date DateFromDaysSinceEpoch(int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

Date TodayUtc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return DateFromDaysSinceEpoch(now.time_since_epoch().count());
}

std::string FormatIsoDate(const Date& date) {
  if (!date.known()) return "";
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", date.year, date.month, date.day);
  return buffer;
}

absl::StatusOr<Date> ParseIsoDate(absl::string_view text) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("date '", text, "' ", why));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad("is not YYYY-MM-DD");
  Date date;
  if (!absl::SimpleAtoi(text.substr(0, 4), &date.year) ||
      !absl::SimpleAtoi(text.substr(5, 2), &date.month) ||
      !absl::SimpleAtoi(text.substr(8, 2), &date.day)) {
    return bad("is not YYYY-MM-DD");
  }
  if (!IsValidDate(date)) return bad("does not exist");
  return date;
}

}  // namespace crossforce
