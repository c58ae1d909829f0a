// RFC 3339 timestamps with Go's RFC3339Nano formatting. Civil-date arithmetic is done here (no
// timegm/localtime), so results do not depend on TZ and cover years 0000-9999.
#include <sealstate/timestamp.h>

#include <time.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "text/go_quote.h"

namespace sealstate {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kMaxFractionDigits = 9;

// A proleptic Gregorian date.
struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t quotient = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --quotient;
  return quotient;
}

// Days since 1970-01-01 (Howard Hinnant's days_from_civil algorithm).
std::int64_t DaysFromCivil(const CivilDate& date) {
  const std::int64_t year = date.month <= 2 ? date.year - 1 : date.year;
  const std::int64_t era = FloorDiv(year, 400);
  const std::int64_t year_of_era = year - era * 400;                                    // [0, 399]
  const std::int64_t shifted_month = date.month > 2 ? date.month - 3 : date.month + 9;  // March = 0
  const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + date.day - 1;        // [0, 365]
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

// The inverse of DaysFromCivil.
CivilDate CivilFromDays(std::int64_t days) {
  days += 719'468;
  const std::int64_t era = FloorDiv(days, 146'097);
  const std::int64_t day_of_era = days - era * 146'097;  // [0, 146096]
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;  // [0, 399]
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  CivilDate date;
  date.day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  date.month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

bool IsLeapYear(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Reads the fixed layout of an RFC 3339 timestamp left to right; the first problem is kept.
class Rfc3339Parser {
 public:
  explicit Rfc3339Parser(std::string_view text) : text_(text) {}

  Result<Timestamp> Parse() {
    CivilDate date;
    int hour = 0, minute = 0, second = 0, nanos = 0, offset_seconds = 0;
    if (!ReadDate(date) || !Expect('T', "expected 'T' between the date and the time") ||
        !ReadTime(hour, minute, second) || !ReadFraction(nanos) || !ReadOffset(offset_seconds) || !ExpectEnd()) {
      return Failure();
    }
    Timestamp result;
    result.unix_seconds = DaysFromCivil(date) * kSecondsPerDay + hour * 3'600 + minute * 60 + second - offset_seconds;
    result.nanos = nanos;
    result.offset_seconds = offset_seconds;
    return result;
  }

 private:
  bool ReadDate(CivilDate& date) {
    int year = 0;
    if (!ReadNumber(4, 0, 9999, year, "expected a 4-digit year", "year out of range") ||
        !Expect('-', "expected '-' after the year") ||
        !ReadNumber(2, 1, 12, date.month, "expected a 2-digit month", "month out of range") ||
        !Expect('-', "expected '-' after the month")) {
      return false;
    }
    date.year = year;
    return ReadNumber(2, 1, DaysInMonth(year, date.month), date.day, "expected a 2-digit day", "day out of range");
  }

  bool ReadTime(int& hour, int& minute, int& second) {
    return ReadNumber(2, 0, 23, hour, "expected a 2-digit hour", "hour out of range") &&
           Expect(':', "expected ':' after the hour") &&
           ReadNumber(2, 0, 59, minute, "expected 2-digit minutes", "minute out of range") &&
           Expect(':', "expected ':' after the minutes") &&
           ReadNumber(2, 0, 59, second, "expected 2-digit seconds", "second out of range");
  }

  // An optional '.' followed by 1-9 digits, scaled to nanoseconds.
  bool ReadFraction(int& nanos) {
    if (pos_ >= text_.size() || text_[pos_] != '.') return true;
    ++pos_;
    int digits = 0;
    nanos = 0;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      if (++digits > kMaxFractionDigits) return Fail("fraction of a second has more than 9 digits");
      nanos = nanos * 10 + (text_[pos_++] - '0');
    }
    if (digits == 0) return Fail("expected digits after '.'");
    for (int scale = digits; scale < kMaxFractionDigits; ++scale) nanos *= 10;
    return true;
  }

  // "Z", or "+hh:mm" / "-hh:mm".
  bool ReadOffset(int& offset_seconds) {
    if (pos_ < text_.size() && text_[pos_] == 'Z') {
      ++pos_;
      offset_seconds = 0;
      return true;
    }
    if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) {
      return Fail("expected 'Z' or a +hh:mm/-hh:mm offset");
    }
    const int sign = text_[pos_++] == '-' ? -1 : 1;
    int hours = 0, minutes = 0;
    if (!ReadNumber(2, 0, 23, hours, "expected a 2-digit offset hour", "offset hour out of range") ||
        !Expect(':', "expected ':' in the offset") ||
        !ReadNumber(2, 0, 59, minutes, "expected 2-digit offset minutes", "offset minute out of range")) {
      return false;
    }
    offset_seconds = sign * (hours * 3'600 + minutes * 60);
    return true;
  }

  // Exactly `width` digits with a value in [min, max].
  bool ReadNumber(int width, int min, int max, int& value, const char* malformed, const char* out_of_range) {
    if (text_.size() - pos_ < static_cast<std::size_t>(width)) return Fail(malformed);
    int parsed = 0;
    for (int i = 0; i < width; ++i) {
      const char c = text_[pos_ + static_cast<std::size_t>(i)];
      if (!IsDigit(c)) return Fail(malformed);
      parsed = parsed * 10 + (c - '0');
    }
    if (parsed < min || parsed > max) return Fail(out_of_range);
    pos_ += static_cast<std::size_t>(width);
    value = parsed;
    return true;
  }

  bool Expect(char wanted, const char* problem) {
    if (pos_ >= text_.size() || text_[pos_] != wanted) return Fail(problem);
    ++pos_;
    return true;
  }

  bool ExpectEnd() { return pos_ == text_.size() || Fail("unexpected text after the time zone"); }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool Fail(const char* problem) {
    problem_ = problem;
    return false;
  }

  Status Failure() const {
    return Status::InvalidArgument("timestamp " + internal::GoQuote(text_) + " is not RFC 3339: " + problem_);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const char* problem_ = "";
};

void AppendPadded(std::string& out, std::int64_t value, int width) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%0*lld", width, static_cast<long long>(value));
  out += digits;
}

// ".d..." with trailing zeros removed; nothing when nanos is 0.
void AppendTrimmedFraction(std::string& out, std::int32_t nanos) {
  if (nanos == 0) return;
  char digits[16];
  std::snprintf(digits, sizeof digits, ".%09d", static_cast<int>(nanos));
  std::string_view fraction(digits);
  while (fraction.back() == '0') fraction.remove_suffix(1);
  out += fraction;
}

void AppendOffset(std::string& out, std::int32_t offset_seconds) {
  if (offset_seconds == 0) {
    out += 'Z';
    return;
  }
  out += offset_seconds < 0 ? '-' : '+';
  const std::int32_t magnitude = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  AppendPadded(out, magnitude / 3'600, 2);
  out += ':';
  AppendPadded(out, magnitude % 3'600 / 60, 2);
}

}  // namespace

Timestamp NowUtc() {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  Timestamp result;
  result.unix_seconds = static_cast<std::int64_t>(now.tv_sec);
  result.nanos = static_cast<std::int32_t>(now.tv_nsec);
  result.offset_seconds = 0;
  return result;
}

Result<Timestamp> ParseRfc3339(std::string_view text) { return Rfc3339Parser(text).Parse(); }

std::string FormatRfc3339Nano(const Timestamp& t) {
  const std::int64_t local_seconds = t.unix_seconds + t.offset_seconds;
  const std::int64_t days = FloorDiv(local_seconds, kSecondsPerDay);
  const std::int64_t second_of_day = local_seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  std::string out;
  out.reserve(35);
  AppendPadded(out, date.year, 4);
  out += '-';
  AppendPadded(out, date.month, 2);
  out += '-';
  AppendPadded(out, date.day, 2);
  out += 'T';
  AppendPadded(out, second_of_day / 3'600, 2);
  out += ':';
  AppendPadded(out, second_of_day % 3'600 / 60, 2);
  out += ':';
  AppendPadded(out, second_of_day % 60, 2);
  AppendTrimmedFraction(out, t.nanos);
  AppendOffset(out, t.offset_seconds);
  return out;
}

int CompareInstants(const Timestamp& a, const Timestamp& b) {
  if (a.unix_seconds != b.unix_seconds) return a.unix_seconds < b.unix_seconds ? -1 : 1;
  if (a.nanos != b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

}  // namespace sealstate
