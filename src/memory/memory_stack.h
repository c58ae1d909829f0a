// One stack of a memory store: its revisions, current pointer, lock and journal. Shared by
// every Backend opened on the stack and every Lock taken on it, so a Lock may outlive its
// Backend, and a store forgotten (ForgetMemoryStore) lives on for those still holding it.
//
// Every member is guarded by `mutex`. The lock's waiters sleep on a condition variable that
// every release notifies, so a waiter wakes as soon as the lock is free; a waiter that can be
// cancelled also wakes every kMemoryCancelPoll to ask.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "journal/journal_mac.h"

namespace sealstate::internal {

// How often a waiter polls LockOptions::cancelled.
inline constexpr std::chrono::milliseconds kMemoryCancelPoll{5};

// The prefix of the memory store's messages.
inline constexpr std::string_view kMemoryPrefix = "memory store: ";

class MemoryStack {
 public:
  std::mutex mutex;

  // Sealed snapshots by revision. The bytes are shared, so a reader opens them outside the mutex.
  std::map<std::string, std::shared_ptr<const std::string>> revisions;
  // Revision names picked by writes still sealing: taken, but not yet revisions.
  std::set<std::string> reserved;
  // The revision current names; empty: no current.
  std::string current;

  // Takes the lock for `holder` (whose lock_id is fresh), waiting as `options` say (timeout,
  // cancellation; nothing is ever stale). Errors: kLocked naming the holder ("memory store:
  // locked by USER@HOST pid PID since TIME (lock id ID)"), also when the timeout passed;
  // kCancelled. Takes `mutex` itself: the caller must not hold it.
  Status AcquireLock(const LockOptions& options, LockHolder holder);
  // Releases the lock if `lock_id` still holds it. OK too if nobody holds it (broken). Errors:
  // kLocked if another holder has it now. Takes `mutex`.
  Status ReleaseLock(const std::string& lock_id);
  // Breaks the lock: the holder removed, or nullopt when there was none. Errors: kLocked when
  // `expected_id` is non-empty and not the holder's (nothing broken). REQUIRES: `mutex` held.
  Result<std::optional<LockHolder>> BreakLockLocked(std::string_view expected_id);
  // The current holder, if any. REQUIRES: `mutex` held.
  const std::optional<LockHolder>& holder_locked() const { return holder_; }
  // OK when `lock_id` is empty (not fenced) or still holds the lock; else kLocked saying
  // `not_done`. REQUIRES: `mutex` held.
  Status CheckFenceLocked(std::string_view lock_id, std::string_view not_done) const;

  // Appends `event` with the next seq (1, 2, 3, ...) and, if unset, the time now, authenticated
  // with `mac_key` (SealJournalEvent; nullptr: unauthenticated). Errors: kInvalidArgument for a
  // line the journal could not hold (CheckJournalLineLength). REQUIRES: `mutex` held.
  Status JournalLocked(const JournalMacKey* mac_key, JournalEvent event);
  // Backend::CompactJournal: drops the events with seq < first_kept_seq and appends `mark` as a
  // "journal-compacted" event (its detail set here) with JournalLocked. REQUIRES: `mutex` held.
  Result<JournalCompaction> CompactJournalLocked(const JournalMacKey* mac_key, std::uint64_t first_kept_seq,
                                                 JournalEvent mark);
  // Events with seq > since_seq. REQUIRES: `mutex` held.
  std::vector<JournalEvent> JournalSinceLocked(std::uint64_t since_seq) const;
  // The end of the journal back to the line before the newest whose mac_key names one of `keys`
  // (see JournalFile::ReadBackTo). REQUIRES: `mutex` held.
  std::vector<JournalEvent> JournalBackToLocked(const JournalMacKeys& keys) const;
  // Waits until the journal holds an event with seq > after_seq, woken by JournalLocked (see
  // Backend::WaitForJournal: true, or false when the timeout passed; kCancelled). Takes `mutex`.
  Result<bool> WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout, const CancelCheck& cancelled);

  // Journal consumers' checkpoints by consumer name (Backend::Checkpoint).
  std::map<std::string, std::uint64_t, std::less<>> checkpoints;

 private:
  std::condition_variable lock_released_;
  std::condition_variable journal_appended_;
  std::optional<LockHolder> holder_;
  std::vector<JournalEvent> journal_;
};

}  // namespace sealstate::internal
