#include "memory/memory_stack.h"

#include <algorithm>

#include <sealstate/timestamp.h>

#include "backend/backend_checks.h"
#include "journal/journal.h"
#include "journal/journal_compaction_mark.h"
#include "lock/deadline.h"
#include "lock/holder_text.h"

namespace sealstate::internal {
namespace {

Status LockedBy(const LockHolder& holder) {
  return Status::Locked(std::string(kMemoryPrefix) + "locked by " + DescribeHolder(holder));
}

}  // namespace

Status MemoryStack::AcquireLock(const LockOptions& options, LockHolder holder) {
  const Deadline deadline(options.timeout);
  std::unique_lock<std::mutex> guard(mutex);
  for (;;) {
    if (!holder_) {
      holder_ = std::move(holder);
      return Status::OK();
    }
    if (options.timeout.count() == 0) return LockedBy(*holder_);
    if (options.cancelled) {
      // Asked without the mutex: the callback may use the store.
      guard.unlock();
      const bool cancelled = options.cancelled();
      guard.lock();
      if (cancelled) return Status::Cancelled(std::string(kMemoryPrefix) + "waiting for the lock was cancelled");
      if (!holder_) continue;
    }
    if (deadline.Passed()) return LockedBy(*holder_);
    if (options.cancelled) {
      lock_released_.wait_for(guard, deadline.Remaining(kMemoryCancelPoll));
    } else {
      // A whole day at most per wait: the deadline is checked again after it, and a far deadline
      // must not overflow the condition variable's clock arithmetic.
      lock_released_.wait_for(guard, deadline.Remaining(std::chrono::hours(24)));
    }
  }
}

Status MemoryStack::ReleaseLock(const std::string& lock_id) {
  std::lock_guard<std::mutex> guard(mutex);
  if (!holder_) return Status::OK();  // broken, and nobody took it since
  if (holder_->lock_id != lock_id) {
    return Status::Locked(std::string(kMemoryPrefix) +
                          "the lock was broken meanwhile; it now belongs to another holder (" +
                          DescribeHolder(*holder_) + ")");
  }
  holder_.reset();
  lock_released_.notify_all();
  return Status::OK();
}

Result<std::optional<LockHolder>> MemoryStack::BreakLockLocked(std::string_view expected_id) {
  if (!holder_) return std::optional<LockHolder>();
  if (!expected_id.empty() && holder_->lock_id != expected_id) {
    return Status::Locked(std::string(kMemoryPrefix) + "the lock is held by " + DescribeHolder(*holder_) +
                          ", not by lock id " + std::string(expected_id) + "; nothing removed");
  }
  std::optional<LockHolder> broken = std::move(holder_);
  holder_.reset();
  lock_released_.notify_all();
  return broken;
}

Status MemoryStack::CheckFenceLocked(std::string_view lock_id, std::string_view not_done) const {
  if (lock_id.empty()) return Status::OK();
  if (holder_ && holder_->lock_id == lock_id) return Status::OK();
  return BrokenLockError(kMemoryPrefix, lock_id, not_done);
}

Status MemoryStack::JournalLocked(const JournalMacKey* mac_key, JournalEvent event) {
  if (event.time == Timestamp{}) event.time = NowUtc();
  SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  event.seq = journal_.empty() ? 1 : journal_.back().seq + 1;  // continues after a compaction
  const std::size_t size = journal_.size();
  SealJournalEvent(event, size >= 1 ? &journal_[size - 1] : nullptr, size >= 2 ? &journal_[size - 2] : nullptr,
                   mac_key);
  journal_.push_back(std::move(event));
  journal_appended_.notify_all();
  return Status::OK();
}

Result<bool> MemoryStack::WaitForJournal(std::uint64_t after_seq, std::chrono::milliseconds timeout,
                                         const CancelCheck& cancelled) {
  const Deadline deadline(timeout);
  std::unique_lock<std::mutex> guard(mutex);
  for (;;) {
    if (journal_.size() > after_seq) return true;
    if (cancelled) {
      // Asked without the mutex: the callback may use the store.
      guard.unlock();
      const bool stop = cancelled();
      guard.lock();
      if (stop) return Status::Cancelled(std::string(kMemoryPrefix) + "waiting for journal events was cancelled");
      if (journal_.size() > after_seq) return true;
    }
    if (deadline.Passed()) return false;
    // Bounded per wait, as in AcquireLock: to ask `cancelled` again, and to keep a far deadline
    // from overflowing the condition variable's clock arithmetic.
    journal_appended_.wait_for(guard, deadline.Remaining(cancelled ? kMemoryCancelPoll : std::chrono::hours(24)));
  }
}

std::vector<JournalEvent> MemoryStack::JournalSinceLocked(std::uint64_t since_seq) const {
  const auto first = std::partition_point(journal_.begin(), journal_.end(),
                                          [&](const JournalEvent& event) { return event.seq <= since_seq; });
  return std::vector<JournalEvent>(first, journal_.end());
}

Result<JournalCompaction> MemoryStack::CompactJournalLocked(const JournalMacKey* mac_key, std::uint64_t first_kept_seq,
                                                            JournalEvent mark) {
  if (journal_.empty() || first_kept_seq > journal_.back().seq) {
    return Status::InvalidArgument("journal: cannot keep only the events from seq " + std::to_string(first_kept_seq) +
                                   " on: the last event is seq " +
                                   std::to_string(journal_.empty() ? 0 : journal_.back().seq) +
                                   " (the newest event is always kept)");
  }
  const auto kept = std::partition_point(journal_.begin(), journal_.end(),
                                         [&](const JournalEvent& event) { return event.seq < first_kept_seq; });
  const auto dropped = static_cast<std::uint64_t>(kept - journal_.begin());
  if (dropped == 0) return JournalCompaction{.first_kept_seq = journal_.front().seq, .dropped = 0, .mark_seq = 0};
  mark.event = std::string(kJournalCompactedEvent);
  mark.detail =
      FormatCompactionDetail({.first_kept_seq = kept->seq, .dropped = dropped, .chain_from = std::prev(kept)->mac});
  const std::uint64_t kept_seq = kept->seq;
  SEALSTATE_RETURN_IF_ERROR(JournalLocked(mac_key, std::move(mark)));
  journal_.erase(journal_.begin(), journal_.begin() + static_cast<std::ptrdiff_t>(dropped));
  return JournalCompaction{.first_kept_seq = kept_seq, .dropped = dropped, .mark_seq = journal_.back().seq};
}

std::vector<JournalEvent> MemoryStack::JournalBackToLocked(const JournalMacKeys& keys) const {
  std::size_t from = journal_.size();
  while (from > 0 && JournalMacKeyNamed(keys, journal_[from - 1].mac_key) == nullptr) --from;
  from = from > 1 ? from - 2 : 0;  // the newest line with the key, and the one before it
  return std::vector<JournalEvent>(journal_.begin() + static_cast<std::ptrdiff_t>(from), journal_.end());
}

}  // namespace sealstate::internal
