#include "json/json_number.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>

namespace sealstate::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether a number too large or too small for a double (from_chars said out of range) is below 1
// in magnitude, i.e. underflowed. Decides by the decimal position of its first non-zero digit
// plus its exponent; the exponent saturates, so any length of exponent digits is safe.
bool MagnitudeBelowOne(std::string_view number) {
  std::size_t i = number.front() == '-' ? 1 : 0;
  std::int64_t leading_position = 0;  // x = 0.d1d2... * 10^(leading_position + exponent)
  bool seen_nonzero = false;
  for (; i < number.size() && IsDigit(number[i]); ++i) {
    if (number[i] != '0') seen_nonzero = true;
    if (seen_nonzero) ++leading_position;
  }
  if (i < number.size() && number[i] == '.') {
    for (++i; i < number.size() && IsDigit(number[i]); ++i) {
      if (number[i] != '0') seen_nonzero = true;
      if (!seen_nonzero) --leading_position;
    }
  }
  std::int64_t exponent = 0;
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    const bool negative = i < number.size() && number[i] == '-';
    if (i < number.size() && (number[i] == '-' || number[i] == '+')) ++i;
    constexpr std::int64_t kSaturated = std::int64_t{1} << 40;
    for (; i < number.size() && IsDigit(number[i]); ++i) {
      if (exponent < kSaturated) exponent = exponent * 10 + (number[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return leading_position + exponent <= 0;
}

Result<Json> DoubleFromText(std::string_view number) {
  double value = 0;
  const std::from_chars_result result = std::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ec == std::errc()) return Json(value);
  if (result.ec == std::errc::result_out_of_range && MagnitudeBelowOne(number)) {
    return Json(number.front() == '-' ? -0.0 : 0.0);
  }
  constexpr std::size_t kShown = 40;
  const std::string shown =
      number.size() <= kShown ? std::string(number) : std::string(number.substr(0, kShown)) + "...";
  return Status::Integrity("number " + shown + " is too large for a double");
}

bool IsIntegerLiteral(std::string_view number) { return number.find_first_of(".eE") == std::string_view::npos; }

}  // namespace

Result<Json> JsonNumberFromText(std::string_view number) {
  if (number.empty()) return Status::Integrity("empty number");
  const char* const end = number.data() + number.size();
  if (IsIntegerLiteral(number)) {
    if (number.front() == '-') {
      std::int64_t value = 0;
      if (std::from_chars(number.data(), end, value).ec == std::errc()) {
        return value == 0 ? Json(-0.0) : Json(value);
      }
    } else {
      std::uint64_t value = 0;
      if (std::from_chars(number.data(), end, value).ec == std::errc()) return Json(value);
    }
  }
  return DoubleFromText(number);
}

}  // namespace sealstate::internal
