#include "lock/deadline.h"

#include <algorithm>

namespace sealstate::internal {

Deadline::Deadline(std::chrono::milliseconds timeout) : forever_(timeout.count() < 0) {
  if (forever_) return;
  using Clock = std::chrono::steady_clock;
  const auto now = Clock::now();
  const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now);
  end_ = timeout < room ? now + timeout : Clock::time_point::max();
}

std::chrono::milliseconds Deadline::Remaining(std::chrono::milliseconds cap) const {
  if (forever_) return cap;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(0), cap);
}

bool Deadline::Passed() const { return !forever_ && std::chrono::steady_clock::now() >= end_; }

}  // namespace sealstate::internal
