#include "cli/duration.h"

#include <cstdint>
#include <optional>

namespace sealstate::cli {
namespace {

constexpr std::int64_t kMaxMillis = MaxDuration().count();

// Milliseconds per unit, or nullopt for an unknown unit.
std::optional<std::int64_t> UnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return std::nullopt;
}

Status InvalidDuration(std::string_view text) {
  return Status::InvalidArgument("invalid duration \"" + std::string(text) + "\": use e.g. 250ms, 30s, 5m or 1h");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// a * b + c, or kMaxMillis if that is more. REQUIRES: all three non-negative, b > 0.
std::int64_t SaturatingMultiplyAdd(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (a > (kMaxMillis - c) / b) return kMaxMillis;
  return a * b + c;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return InvalidDuration(text);
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t digits_start = i;
    for (; i < text.size() && IsDigit(text[i]); ++i) number = SaturatingMultiplyAdd(number, 10, text[i] - '0');
    const std::size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i])) ++i;
    const auto unit = UnitMillis(text.substr(unit_start, i - unit_start));
    if (digits_start == unit_start || !unit) return InvalidDuration(text);
    total = SaturatingMultiplyAdd(number, *unit, total);
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  const std::int64_t seconds = ms / 1000;
  const std::int64_t h = seconds / 3600;
  const std::int64_t m = (seconds / 60) % 60;
  const std::int64_t s = seconds % 60;
  if (h > 0) return std::to_string(h) + "h" + std::to_string(m) + "m" + std::to_string(s) + "s";
  if (m > 0) return std::to_string(m) + "m" + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

}  // namespace sealstate::cli
