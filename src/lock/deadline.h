// When a lock waiter gives up: LockOptions::timeout turned into a point on the steady clock.
#pragma once

#include <chrono>

namespace sealstate::internal {

// When waiting ends; none for a negative timeout (wait forever). A timeout beyond what the clock
// can represent from now saturates at the clock's end (adding it would overflow).
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout);
  // Time left (zero once passed), capped at `cap`.
  std::chrono::milliseconds Remaining(std::chrono::milliseconds cap) const;
  bool Passed() const;

 private:
  bool forever_;
  std::chrono::steady_clock::time_point end_;
};

}  // namespace sealstate::internal
