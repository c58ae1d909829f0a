// Waking a lock waiter when the stack directory changes.
//
// An inotify watch on the stack directory reports the marker's removal (IN_DELETE, IN_MOVED_FROM)
// and other changes (IN_ATTRIB, IN_CLOSE_WRITE); the waiter re-checks the lock on every wake-up.
// Set the watch up BEFORE re-checking the lock, so a release between the check and the wait is
// not lost. A holder that dies without removing its marker produces no event (only its OFD lock
// drops), so callers also wake on a short period (kLockRecheckInterval).
//
// Without inotify (inotify_init1 or inotify_add_watch fails: no more watches, an exotic
// filesystem), Wait just sleeps, at most kLockPollFallback: plain polling at 5 ms.
//
// Closing an inotify instance waits for an SRCU grace period in the kernel (measured: ~15 ms on
// a VM), so a waiter should not destroy its watch on the way out of every wait: MarkerLock keeps
// one for its lifetime and Drain()s it before reusing it.
//
// Not thread-safe: one waiter per object.
#pragma once

#include <chrono>

#include "io/env.h"
#include "io/unique_fd.h"

namespace sealstate::internal {

// How often a waiter re-checks the lock even without an event.
inline constexpr std::chrono::milliseconds kLockRecheckInterval{10};
// The sleep per Wait when inotify is unavailable.
inline constexpr std::chrono::milliseconds kLockPollFallback{5};

class DirectoryWatch {
 public:
  // Watches the directory open as `dir` (through /proc/self/fd, so a renamed directory is still
  // the one watched; falling back to dir.path). Never fails: see the fallback above.
  explicit DirectoryWatch(const Dir& dir);
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // Returns when an event arrives or `limit` has passed (with inotify), or after
  // min(limit, kLockPollFallback) (without). Drains pending events. A non-positive limit returns
  // at once.
  void Wait(std::chrono::milliseconds limit);

  // Discards pending events: call before re-checking the lock, when reusing a watch.
  void Drain();

  // True when inotify is in use.
  bool watching() const { return fd_.valid(); }

 private:
  UniqueFd fd_;  // the inotify instance; invalid without inotify
};

}  // namespace sealstate::internal
