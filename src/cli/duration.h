// Durations on the command line (--lock-timeout, lock --timeout) and in messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate::cli {

// The longest duration ParseDuration returns (about 146 million years): longer ones saturate to it.
constexpr std::chrono::milliseconds MaxDuration() {
  return std::chrono::milliseconds(std::numeric_limits<std::int64_t>::max() / 2);
}

// Parses a non-negative duration written as one or more <digits><unit> groups, unit one of ms, s,
// m, h ("250ms", "30s", "5m", "1h", "1h2m3s"), or the plain number "0". A duration longer than
// MaxDuration() (however many digits) is MaxDuration(), in effect forever. Errors:
// kInvalidArgument naming the text ("invalid duration "5x": use e.g. 250ms, 30s, 5m or 1h").
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats like Go's time.Duration, truncated to what operators need: below one second
// "250ms" (or "0s" for zero), else "12s", "4m5s", "1h2m3s" (sub-second part dropped).
// REQUIRES: d >= 0.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace sealstate::cli
