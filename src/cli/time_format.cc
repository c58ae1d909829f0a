#include "cli/time_format.h"

namespace sealstate::cli {

std::string FormatUtc(const Timestamp& t) {
  Timestamp utc = t;
  utc.offset_seconds = 0;
  return FormatRfc3339Nano(utc);
}

std::chrono::milliseconds ElapsedSince(const Timestamp& since) {
  const Timestamp now = NowUtc();
  const std::int64_t ms = (now.unix_seconds - since.unix_seconds) * 1000 + (now.nanos - since.nanos) / 1000000;
  return std::chrono::milliseconds(ms > 0 ? ms : 0);
}

}  // namespace sealstate::cli
