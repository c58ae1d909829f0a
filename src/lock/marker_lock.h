// The stack lock protocol on the local filesystem (see lock.h for the user-facing contract).
//
// Acquire: write the complete holder record into a private temp file (0600), take an OFD write
// lock on it, fsync it, then publish it with linkat(temp, "lock") (EEXIST where O_CREAT|O_EXCL
// would fail, so unobin is excluded) and remove the temp name. The fd stays open while held.
// See marker_lock.cc for why link and not O_CREAT|O_EXCL.
// Verdict (lock_verdict.h): no marker = free; OFD lock held by another description = held; then
// the record decides (bare pid, other host, unreadable = unknown; other boot, dead or reused pid
// = stale; alive with the same start time = held, conservatively).
// Breaking a stale lock: open the marker, take its OFD lock (only one breaker can), re-check it
// is stale and that the name still refers to the same inode, unlink it. Exactly one of several
// concurrent breakers succeeds.
// Waiting: inotify on the stack directory for the marker's removal, plus a short periodic
// re-check, so a waiter wakes within milliseconds of the release and never polls at 500 ms.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "io/env.h"
#include "lock/lock_record.h"
#include "lock/lock_verdict.h"
#include "lock/lock_wait.h"
#include "lock/process_identity.h"
#include "store/stack_layout.h"

namespace sealstate::internal {

// A lock we hold: the marker's open fd and our record.
struct HeldMarker {
  int fd = -1;
  MarkerHolder holder;
};

// What Acquire did on the way, for the journal.
struct AcquireOutcome {
  HeldMarker held;
  std::optional<MarkerHolder> broken_stale;  // the dead holder whose marker was removed
};

class MarkerLock {
 public:
  // `env`, `probe` and `stack_dir` must outlive this object.
  MarkerLock(Env& env, ProcessProbe& probe, const Dir& stack_dir, std::string sealstate_version);

  // Called right after this object broke a stale marker, whatever happens next (another locker
  // may still win the race): the store journals the break here. An error fails the Acquire.
  using BreakObserver = std::function<Status(const MarkerHolder& broken)>;
  void SetBreakObserver(BreakObserver observer) { on_break_ = std::move(observer); }

  // Waits per `options` (timeout, cancellation, break_stale). Errors: kLocked with the message
  // "locked by USER@HOST pid PID (lock id ID, operation OP, since TIME)" (or "locked by pid PID
  // (bare pid marker: unobin's;
  // run force-unlock if that process is gone)" / "locked (holder record unreadable)"); kCancelled
  // ("waiting for the lock was cancelled"); kIoError (also for a symlink planted at "lock").
  // A stale holder broken on the way is in broken_stale. The temp file is removed on every path.
  Result<AcquireOutcome> Acquire(const LockOptions& options);

  // Removes the marker if the name still refers to our marker file (same inode as held.fd), then
  // closes the fd (dropping the OFD lock) on every path; held.fd is -1 afterwards, so a second
  // call is a no-op. A marker already removed (force-unlock) is OK. Errors: kLocked if another
  // holder's marker is there (it is left alone); kIoError.
  Status Release(HeldMarker& held);

  // True if the marker still carries `lock_id` (fencing check before publishing).
  Result<bool> StillHeld(const std::string& lock_id);

  // The verdict and holder record; never modifies anything.
  Result<MarkerInfo> Inspect();

  // Removes the marker if `expected_id` is empty or matches. Returns the removed holder record
  // (nullopt if there was no marker; a MarkerHolder with every field empty if the record was
  // unreadable). Errors: kLocked on an id mismatch, or when a bare-pid or unreadable marker is
  // there and an id was expected (nothing removed).
  Result<std::optional<MarkerHolder>> ForceRemove(std::string_view expected_id);

 private:
  // The watch for one Acquire's waits: the shared one if free (`shared` then holds its mutex
  // until Acquire returns), else a new one owned through `own`.
  DirectoryWatch* TakeWatch(std::unique_lock<std::mutex>& shared, std::unique_ptr<DirectoryWatch>& own);

  Env& env_;
  ProcessProbe& probe_;
  const Dir& dir_;
  std::string version_;
  BreakObserver on_break_;
  // The directory watch waiters reuse (created on the first wait, closed with this object):
  // closing one costs a kernel grace period, which must not delay every contended Acquire.
  // One waiter at a time uses it; a concurrent waiter makes its own.
  std::mutex watch_mutex_;
  std::unique_ptr<DirectoryWatch> watch_;
};

}  // namespace sealstate::internal
