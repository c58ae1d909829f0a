// Wall-clock timing for the benchmark. CLOCK_MONOTONIC is system-wide, so stamps taken in two
// processes (the lock hand-off) can be subtracted.
#pragma once

#include <time.h>

#include <cstdint>

namespace sealstate::bench {

// CLOCK_MONOTONIC in nanoseconds.
inline std::int64_t NowNs() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Runs `fn` once and returns its wall time in milliseconds.
template <typename Fn>
double TimeMs(Fn&& fn) {
  const std::int64_t start = NowNs();
  fn();
  return static_cast<double>(NowNs() - start) / 1e6;
}

}  // namespace sealstate::bench
