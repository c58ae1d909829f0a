// Times as the CLI prints them: UTC, RFC 3339 with nanoseconds trimmed.
#pragma once

#include <chrono>
#include <string>

#include <sealstate/timestamp.h>

namespace sealstate::cli {

// `t` converted to UTC and formatted with FormatRfc3339Nano ("2026-04-30T12:00:00.5Z").
std::string FormatUtc(const Timestamp& t);

// How long ago `since` was, at millisecond resolution; zero if it lies in the future.
std::chrono::milliseconds ElapsedSince(const Timestamp& since);

}  // namespace sealstate::cli
