// Timestamps as unobin writes them: RFC 3339 with nanoseconds, trailing fractional zeros trimmed
// (Go's time.RFC3339Nano), e.g. "2026-04-30T12:00:00Z" or "2026-04-30T12:00:00.5+02:00".
//
// Used for a snapshot's generated-at and for revision names. Thread-safe (pure functions).
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate {

// An instant plus the UTC offset it was written with (kept so re-encoding is byte-identical).
struct Timestamp {
  std::int64_t unix_seconds = -62135596800;  // 0001-01-01T00:00:00Z, Go's zero time
  std::int32_t nanos = 0;                    // 0 .. 999'999'999
  std::int32_t offset_seconds = 0;           // east of UTC; 0 is written as "Z"

  // Same instant and same offset.
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// The current time in UTC (offset 0), with nanosecond resolution where the clock has it.
SEALSTATE_EXPORT Timestamp NowUtc();

// Parses RFC 3339: "YYYY-MM-DDTHH:MM:SS", an optional fraction of 1-9 digits after '.', then
// "Z" or "+hh:mm"/"-hh:mm". Fields are range-checked (month 1-12, day within the month, leap
// years, hour < 24, minute < 60, second < 60, offset hour < 24). Years 0000-9999.
// Errors: kInvalidArgument naming the input and what is wrong with it.
SEALSTATE_EXPORT Result<Timestamp> ParseRfc3339(std::string_view text);

// Formats as Go's RFC3339Nano: fraction trimmed of trailing zeros (none when zero), "Z" for
// offset 0, else "+hh:mm"/"-hh:mm". REQUIRES: the local date's year is within 0000-9999.
SEALSTATE_EXPORT std::string FormatRfc3339Nano(const Timestamp& t);

// Orders by instant only (the offset is ignored): negative if a < b, 0 if equal, positive if a > b.
SEALSTATE_EXPORT int CompareInstants(const Timestamp& a, const Timestamp& b);

}  // namespace sealstate
