// CopyStack: a stack from one backend to another, byte for byte. See copy.h.
#include <sealstate/copy.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <sealstate/backend_registry.h>
#include <sealstate/timestamp.h>

#include "journal/stamped_event.h"
#include "lock/process_identity.h"
#include "store/envelope_pipe.h"
#include "text/go_quote.h"

namespace sealstate {
namespace {

constexpr std::string_view kPrefix = "copy: ";
constexpr std::string_view kCopiedFrom = "copied-from";
constexpr std::string_view kEmptyAdvice = "; copy into an empty stack instead (another stack name or backend)";

// The current revision, or "" when there is none. A damaged pointer is the error it is.
Result<std::string> CurrentOrEmpty(Backend& backend) {
  Result<std::string> current = backend.CurrentRev();
  if (!current.ok() && current.status().code() == Code::kNoCurrent) return std::string();
  return current;
}

// Lock housekeeping events: the copy's own lock acquisitions may add them on either side
// (breaking the stale lock of an interrupted run), so they do not count as history.
bool IsHousekeeping(const JournalEvent& event) { return event.event == "lock-break" || event.event == "force-unlock"; }

std::vector<JournalEvent> History(std::vector<JournalEvent> events) {
  std::erase_if(events, IsHousekeeping);
  return events;
}

// Two events are the same history when everything but the seq (renumbered by the import) and
// the journal's authentication (current, mac-key, mac: recomputed by the import, or not kept by
// a backend that does not authenticate its journal) is.
bool SameEvent(JournalEvent a, JournalEvent b) {
  for (JournalEvent* e : {&a, &b}) {
    e->seq = 0;
    e->current.reset();
    e->mac_key.clear();
    e->mac.clear();
  }
  return a == b;
}

// Both stack locks, taken in the order of the names; released in reverse.
struct HeldLocks {
  std::unique_ptr<Lock> from;
  std::unique_ptr<Lock> to;

  Status Release() {
    Status to_released = to ? to->Unlock() : Status::OK();
    Status from_released = from ? from->Unlock() : Status::OK();
    return to_released.ok() ? from_released : to_released;
  }
};

class StackCopy {
 public:
  StackCopy(Backend& from, Backend& to, const CopyOptions& options)
      : from_(from),
        to_(to),
        options_(options),
        from_name_(RedactSpec(options.from_name)),
        to_name_(RedactSpec(options.to_name)) {}

  Result<CopyReport> Run() {
    SEALSTATE_RETURN_IF_ERROR(CheckSameStack());
    SEALSTATE_ASSIGN_OR_RETURN(HeldLocks locks, TakeLocks());
    Result<CopyReport> report = CopyLocked(locks.to->id());
    Status released = locks.Release();
    if (!report.ok()) return report;
    if (!released.ok()) {
      return Status::Incomplete(
          std::string(kPrefix) + "the stack was copied and verified, but releasing a lock failed: ", released);
    }
    return report;
  }

 private:
  Status CheckSameStack() const {
    if (from_.factory() != to_.factory() || from_.stack() != to_.stack()) {
      return Status::InvalidArgument(std::string(kPrefix) + "the source is factory " +
                                     internal::GoQuote(from_.factory()) + ", stack " +
                                     internal::GoQuote(from_.stack()) + " but the target is factory " +
                                     internal::GoQuote(to_.factory()) + ", stack " + internal::GoQuote(to_.stack()) +
                                     ": a stack is copied under its own names (its envelopes are bound to them)");
    }
    if (!from_name_.empty() && from_name_ == to_name_) {
      return Status::InvalidArgument(std::string(kPrefix) + "the source and the target are the same stack (" +
                                     from_name_ + "); name another backend with --to");
    }
    return Status::OK();
  }

  Result<HeldLocks> TakeLocks() {
    LockOptions lock = options_.lock;
    lock.operation = "copy";
    HeldLocks locks;
    const bool from_first = from_name_ <= to_name_;
    Backend& first = from_first ? from_ : to_;
    Backend& second = from_first ? to_ : from_;
    SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> first_lock, first.AcquireLock(lock));
    Result<std::unique_ptr<Lock>> second_lock = second.AcquireLock(lock);
    if (!second_lock.ok()) {
      (void)first_lock->Unlock();  // the refusal is the error that matters
      return second_lock.status().WithPrefix(std::string(kPrefix) + (from_first ? "the target: " : "the source: "));
    }
    (from_first ? locks.from : locks.to) = std::move(first_lock);
    (from_first ? locks.to : locks.from) = std::move(*second_lock);
    return locks;
  }

  Result<CopyReport> CopyLocked(const std::string& lock_id) {
    SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> revs, WithPrefix(from_.List(), "list the source"));
    SEALSTATE_ASSIGN_OR_RETURN(source_current_, WithPrefix(CurrentOrEmpty(from_), "the source's current"));
    SEALSTATE_ASSIGN_OR_RETURN(source_journal_, WithPrefix(from_.Journal(0), "the source's journal"));
    SEALSTATE_ASSIGN_OR_RETURN(const bool journal_done, CheckTarget(revs));
    CopyReport report;
    report.revisions = revs.size();
    SEALSTATE_RETURN_IF_ERROR(CopyRevisions(revs, lock_id, report));
    if (!journal_done) SEALSTATE_RETURN_IF_ERROR(CopyJournal(lock_id, report));
    SEALSTATE_RETURN_IF_ERROR(CopyCurrent(lock_id));
    SEALSTATE_RETURN_IF_ERROR(VerifyTarget());
    report.current = source_current_;
    return report;
  }

  // Refuses a target with a history of its own; returns whether an earlier run imported the
  // journal already.
  Result<bool> CheckTarget(const std::vector<std::string>& revs) {
    SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> target_revs, WithPrefix(to_.List(), "list the target"));
    const std::set<std::string> source_revs(revs.begin(), revs.end());
    for (const std::string& rev : target_revs) {
      if (!source_revs.contains(rev)) {
        return Status::AlreadyExists(std::string(kPrefix) + "the target already has revision " + rev +
                                     ", which the source does not: it has a history of its own" +
                                     std::string(kEmptyAdvice));
      }
    }
    SEALSTATE_ASSIGN_OR_RETURN(const std::string target_current,
                               WithPrefix(CurrentOrEmpty(to_), "the target's current"));
    SEALSTATE_ASSIGN_OR_RETURN(std::vector<JournalEvent> target_journal,
                               WithPrefix(to_.Journal(0), "the target's journal"));
    const std::vector<JournalEvent> history = History(std::move(target_journal));
    if (history.empty() && target_current.empty()) return false;
    if (IsEarlierCopy(history) && (target_current.empty() || target_current == source_current_)) return true;
    return Status::AlreadyExists(std::string(kPrefix) + "the target's journal has " + std::to_string(history.size()) +
                                 " events that are not an earlier copy of this source (current: " +
                                 (target_current.empty() ? std::string("none") : target_current) +
                                 "): it has a history of its own" + std::string(kEmptyAdvice));
  }

  // Whether `history` is the source's history followed by the "copied-from" event of an earlier
  // run naming the source's current, and at most the set-current of that run.
  bool IsEarlierCopy(const std::vector<JournalEvent>& history) const {
    const std::vector<JournalEvent> source = History(source_journal_);
    if (history.size() < source.size() + 1 || history.size() > source.size() + 2) return false;
    for (std::size_t i = 0; i < source.size(); ++i) {
      if (!SameEvent(history[i], source[i])) return false;
    }
    const JournalEvent& copied = history[source.size()];
    if (copied.event != kCopiedFrom || copied.rev != source_current_) return false;
    if (history.size() == source.size() + 1) return true;
    const JournalEvent& last = history.back();
    return last.event == "set-current" && last.rev == source_current_;
  }

  Status CopyRevisions(const std::vector<std::string>& revs, const std::string& lock_id, CopyReport& report) {
    SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> present, WithPrefix(to_.List(), "list the target"));
    const std::set<std::string> in_target(present.begin(), present.end());
    for (std::size_t i = 0; i < revs.size(); ++i) {
      Status piped = internal::PipeEnvelope(from_, to_, revs[i], lock_id);
      if (piped.code() == Code::kAlreadyExists) {
        return piped.WithPrefix(std::string(kPrefix) + "revision " + revs[i] +
                                " differs between the source and the target, so the target has a history of its own" +
                                std::string(kEmptyAdvice) + ": ");
      }
      if (!piped.ok()) return piped.WithPrefix(std::string(kPrefix) + "revision " + revs[i] + ": ");
      (in_target.contains(revs[i]) ? report.skipped : report.copied) += 1;
      if (options_.progress) options_.progress(i + 1, revs.size());
    }
    return Status::OK();
  }

  Status CopyJournal(const std::string& lock_id, CopyReport& report) {
    std::vector<JournalEvent> events = source_journal_;
    JournalEvent copied = internal::StampedEvent(
        internal::ProcessProbe::Default()->Self(), std::string(kCopiedFrom), source_current_, lock_id,
        "copied from " + (from_name_.empty() ? std::string("another backend") : from_name_) + " (factory " +
            internal::GoQuote(from_.factory()) + ", stack " + internal::GoQuote(from_.stack()) + "); its current was " +
            (source_current_.empty() ? std::string("none") : source_current_));
    copied.time = NowUtc();
    events.push_back(std::move(copied));
    SEALSTATE_RETURN_IF_ERROR(to_.ImportJournal(events, lock_id).WithPrefix(std::string(kPrefix) + "the journal: "));
    report.journal_events = events.size();
    return Status::OK();
  }

  Status CopyCurrent(const std::string& lock_id) {
    if (source_current_.empty()) return Status::OK();
    SEALSTATE_ASSIGN_OR_RETURN(const std::string target_current,
                               WithPrefix(CurrentOrEmpty(to_), "the target's current"));
    if (target_current == source_current_) return Status::OK();
    const SetCurrentOptions options{.expected_current = target_current, .lock_id = lock_id};
    return to_.SetCurrent(source_current_, options).WithPrefix(std::string(kPrefix) + "the target's current: ");
  }

  Status VerifyTarget() {
    SEALSTATE_ASSIGN_OR_RETURN(VerifyReport verified, WithPrefix(VerifyStack(to_), "verify the target"));
    if (!verified.problems.empty()) {
      const VerifyProblem& first = verified.problems.front();
      return Status::Integrity(std::string(kPrefix) + "the target failed verification with " +
                               std::to_string(verified.problems.size()) + " problems, the first: " + first.rev + ": " +
                               first.status.message() + " (run sealstate verify on the target)");
    }
    SEALSTATE_ASSIGN_OR_RETURN(const std::string target_current,
                               WithPrefix(CurrentOrEmpty(to_), "the target's current"));
    if (target_current != source_current_) {
      return Status::Integrity(std::string(kPrefix) + "after the copy the target's current is " +
                               (target_current.empty() ? std::string("none") : target_current) + ", not " +
                               source_current_ + " (did someone move it?)");
    }
    return Status::OK();
  }

  template <typename T>
  static Result<T> WithPrefix(Result<T> result, std::string_view what) {
    if (result.ok()) return result;
    return result.status().WithPrefix(std::string(kPrefix) + std::string(what) + ": ");
  }

  Backend& from_;
  Backend& to_;
  const CopyOptions& options_;
  const std::string from_name_;
  const std::string to_name_;
  std::string source_current_;
  std::vector<JournalEvent> source_journal_;
};

}  // namespace

Result<CopyReport> CopyStack(Backend& from, Backend& to, const CopyOptions& options) {
  return StackCopy(from, to, options).Run();
}

}  // namespace sealstate
