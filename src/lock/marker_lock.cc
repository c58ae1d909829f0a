// The stack lock on the local filesystem: the marker file `lock`, its holder record and its OFD
// lock.
//
// Why the marker is published with link(2) and not created with O_CREAT|O_EXCL:
// The record is first written to a private temp file, which is OFD-locked and fsynced; then
// linkat(temp, "lock") publishes it. link(2) fails with EEXIST exactly where O_CREAT|O_EXCL
// would, so unobin (which creates "lock" with O_CREAT|O_EXCL) and sealstate still exclude each
// other. But the marker appears already complete and already OFD-locked: there is no window in
// which a breaker could see an empty marker (and call it unreadable or stale), or take its OFD
// lock before the creator does, and a crash can never leave an empty marker behind. No directory
// fsync is needed: after a power loss the holder is dead anyway, and the marker is either absent
// or complete.
//
// Breaking a stale marker: the breaker opens it, takes its OFD lock (only one open file
// description can; a live holder already has it), re-reads and re-classifies it through that
// fd, and unlinks the name only if it still refers to the same inode. A breaker that loses the
// race finds the OFD lock taken, the name gone, or a new inode, and simply retries acquisition.
#include "lock/marker_lock.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "io/durable_file.h"
#include "io/read_at_most.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "lock/deadline.h"
#include "lock/holder_text.h"
#include "lock/lock_record.h"
#include "lock/lock_verdict.h"
#include "lock/lock_wait.h"

namespace sealstate::internal {
namespace {

// O_NONBLOCK so that a FIFO planted at "lock" cannot block the open; O_NOFOLLOW refuses a
// symlink (ELOOP) so nothing is read or written through one.
constexpr int kReadMarkerFlags = O_RDONLY | kStackFileFlags;
constexpr int kBreakMarkerFlags = O_RDWR | kStackFileFlags;
constexpr int kTempMarkerFlags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
constexpr mode_t kMarkerMode = 0600;

// Rounds in a row that may retry at once (the marker vanished, or we broke a stale one) before
// the next round counts as contention: bounds the loop when the lock changes hands very fast.
constexpr int kMaxRoundsWithoutWait = 8;

// Opens the marker; an invalid UniqueFd when there is none.
Result<UniqueFd> OpenMarker(Env& env, const Dir& dir, int flags) {
  Result<int> fd = env.OpenAt(dir, kLockFileName, flags, 0);
  if (fd.status().code() == Code::kNotFound) return UniqueFd(env, -1, dir.Join(kLockFileName));
  if (!fd.ok()) return fd.status();
  return UniqueFd(env, *fd, dir.Join(kLockFileName));
}

// The marker's bytes, at most kMaxLockRecordBytes + 1 (enough for the parser to see it is too
// big). kIntegrity when it is not a regular file or is hard-linked (CheckStackFile; the marker's
// own temp name is the one link allowed, while it is published): such a record is unreadable.
Result<std::string> ReadMarkerBytes(Env& env, const Dir& dir, const UniqueFd& marker) {
  SEALSTATE_RETURN_IF_ERROR(CheckStackFile(env, dir, kLockFileName, marker.get()));
  std::string content(kMaxLockRecordBytes + 1, '\0');
  const auto read_at = [&](char* into, std::size_t room, std::size_t offset) {
    return env.ReadAt(marker.get(), into, room, static_cast<off_t>(offset), marker.what());
  };
  SEALSTATE_ASSIGN_OR_RETURN(const std::size_t size, ReadAtMost(content.data(), content.size(), read_at));
  content.resize(size);
  return content;
}

// The marker's record, or why it is unreadable (kIntegrity). I/O failures go to the returned
// Status instead.
Status ReadRecord(Env& env, const Dir& dir, const UniqueFd& marker, std::optional<Result<MarkerHolder>>& record) {
  Result<std::string> bytes = ReadMarkerBytes(env, dir, marker);
  if (!bytes.ok() && bytes.status().code() != Code::kIntegrity) return bytes.status();
  record.emplace(bytes.ok() ? ParseLockRecord(*bytes) : Result<MarkerHolder>(bytes.status()));
  return Status::OK();
}

MarkerInfo Classify(ProcessProbe& probe, const std::optional<Result<MarkerHolder>>& record, bool ofd_held_elsewhere) {
  return ClassifyLock(record, ofd_held_elsewhere, probe.Self(),
                      [&probe](std::int64_t pid) { return probe.StartTimeOf(pid); });
}

bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// What the name "lock" refers to now, compared with an open marker.
enum class MarkerName { kGone, kSameFile, kOtherFile };

Result<MarkerName> CompareMarkerName(Env& env, const Dir& dir, const UniqueFd& marker) {
  SEALSTATE_ASSIGN_OR_RETURN(const struct stat opened, env.Stat(marker.get(), marker.what()));
  Result<struct stat> named = env.StatAt(dir, kLockFileName);
  if (named.status().code() == Code::kNotFound) return MarkerName::kGone;
  if (!named.ok()) return named.status();
  return SameFile(opened, *named) ? MarkerName::kSameFile : MarkerName::kOtherFile;
}

Status LockedError(const MarkerInfo& info) {
  if (info.holder && info.holder->bare_pid) {
    return Status::Locked("locked by pid " + std::to_string(info.holder->pid) +
                          " (bare pid marker: unobin's; run force-unlock if that process is gone)");
  }
  if (info.holder) {
    std::string message = "locked by " + DescribeHolder(ToLockHolder(*info.holder));
    if (info.state == LockState::kStale) message += "; the holder is gone (" + info.reason + ")";
    return Status::Locked(message);
  }
  if (info.state == LockState::kFree) return Status::Locked("locked (the marker kept changing hands; try again)");
  return Status::Locked("locked (holder record unreadable)");
}

// The marker being created: a temp file holding the complete record, OFD-locked, until it is
// linked as "lock". The destructor closes the fd (unless taken) and removes the temp name
// (unless published), so every exit path cleans up.
class PendingMarker {
 public:
  PendingMarker(Env& env, const Dir& dir)
      : env_(env), dir_(dir), name_(TempNameFor(kLockFileName)), fd_(env, -1, path()) {}
  PendingMarker(const PendingMarker&) = delete;
  PendingMarker& operator=(const PendingMarker&) = delete;
  ~PendingMarker() {
    fd_.Reset();                                         // cleanup after an error that is reported
    if (temp_exists_) (void)env_.UnlinkAt(dir_, name_);  // same
  }

  // Creates the temp file (mode exactly 0600), locks it, writes `record` and fsyncs it.
  Status Create(std::string_view record) {
    SEALSTATE_ASSIGN_OR_RETURN(const int fd, env_.OpenAt(dir_, name_, kTempMarkerFlags, kMarkerMode));
    fd_ = UniqueFd(env_, fd, path());
    temp_exists_ = true;
    SEALSTATE_RETURN_IF_ERROR(env_.Chmod(fd_.get(), kMarkerMode, path()));  // whatever the umask
    SEALSTATE_ASSIGN_OR_RETURN(const bool locked, env_.OfdLock(fd_.get(), LockWait::kNoWait, path()));
    if (!locked) return Status::Internal("lock " + path() + ": a new private file is locked by someone else");
    FdSink sink(env_, fd_.get(), path());
    SEALSTATE_RETURN_IF_ERROR(sink.Append(record));
    SEALSTATE_RETURN_IF_ERROR(sink.Flush());
    return env_.Fsync(fd_.get(), path());
  }

  // Links the temp file as "lock" and removes the temp name. False when "lock" exists (the temp
  // file stays for the next attempt). If the temp name cannot be removed, the fresh marker is
  // removed again (best effort) and the error returned.
  Result<bool> Publish() {
    Status linked = env_.LinkAt(dir_, name_, kLockFileName);
    if (linked.code() == Code::kAlreadyExists) return false;
    SEALSTATE_RETURN_IF_ERROR(linked);
    Status unlinked = env_.UnlinkAt(dir_, name_);
    if (!unlinked.ok()) {
      (void)env_.UnlinkAt(dir_, kLockFileName);  // the unlink error is reported
      return unlinked;
    }
    temp_exists_ = false;
    return true;
  }

  // The fd of the published marker; the caller now owns it.
  int TakeFd() { return fd_.Release(); }

 private:
  std::string path() const { return dir_.Join(name_); }

  Env& env_;
  const Dir& dir_;
  std::string name_;
  UniqueFd fd_;
  bool temp_exists_ = false;
};

// Removes the marker if it is provably stale. Holds the marker's OFD lock while checking and
// unlinking, so of several concurrent breakers at most one removes it. Returns the removed
// holder, or nullopt when it was not ours to break (held, already gone, replaced, not stale).
Result<std::optional<MarkerHolder>> BreakStale(Env& env, ProcessProbe& probe, const Dir& dir) {
  SEALSTATE_ASSIGN_OR_RETURN(UniqueFd marker, OpenMarker(env, dir, kBreakMarkerFlags));
  if (!marker.valid()) return std::optional<MarkerHolder>();
  SEALSTATE_ASSIGN_OR_RETURN(const bool locked, env.OfdLock(marker.get(), LockWait::kNoWait, marker.what()));
  if (!locked) return std::optional<MarkerHolder>();  // a live holder, or another breaker
  std::optional<Result<MarkerHolder>> record;
  SEALSTATE_RETURN_IF_ERROR(ReadRecord(env, dir, marker, record));
  const MarkerInfo info = Classify(probe, record, /*ofd_held_elsewhere=*/false);
  if (info.state != LockState::kStale || !info.holder) return std::optional<MarkerHolder>();
  SEALSTATE_ASSIGN_OR_RETURN(const MarkerName name, CompareMarkerName(env, dir, marker));
  if (name != MarkerName::kSameFile) return std::optional<MarkerHolder>();
  Status removed = env.UnlinkAt(dir, kLockFileName);
  if (removed.code() == Code::kNotFound) return std::optional<MarkerHolder>();
  SEALSTATE_RETURN_IF_ERROR(removed);
  return info.holder;
}

// Our record for a new marker, with a fresh lock id.
MarkerHolder NewHolder(const ProcessIdentity& self, Timestamp now, const std::string& operation,
                       const std::string& version) {
  MarkerHolder holder;
  holder.lock_id = NewLockId();
  holder.pid = self.pid;
  holder.host = self.host;
  holder.user = self.user;
  holder.boot_id = self.boot_id;
  holder.start_time = self.start_time;
  holder.created = now;
  holder.operation = operation;
  holder.version = version;
  return holder;
}

}  // namespace

MarkerLock::MarkerLock(Env& env, ProcessProbe& probe, const Dir& stack_dir, std::string sealstate_version)
    : env_(env), probe_(probe), dir_(stack_dir), version_(std::move(sealstate_version)) {}

Result<AcquireOutcome> MarkerLock::Acquire(const LockOptions& options) {
  MarkerHolder holder = NewHolder(probe_.Self(), env_.Now(), options.operation, version_);
  const std::string record = EncodeLockRecord(holder);
  // A marker other processes could not parse would be "unknown" to them, never stale: refuse it.
  if (record.size() > kMaxLockRecordBytes) {
    return Status::InvalidArgument(
        "lock operation is too long: the lock marker would be " + std::to_string(record.size()) + " bytes, more than " +
        std::to_string(kMaxLockRecordBytes) + "; use a shorter operation (LockOptions.operation)");
  }
  PendingMarker pending(env_, dir_);
  SEALSTATE_RETURN_IF_ERROR(pending.Create(record));

  AcquireOutcome outcome;
  const Deadline deadline(options.timeout);
  std::unique_lock<std::mutex> shared_watch(watch_mutex_, std::defer_lock);
  std::unique_ptr<DirectoryWatch> own_watch;
  DirectoryWatch* watch = nullptr;
  int rounds_without_wait = 0;
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const bool published, pending.Publish());
    if (published) {
      outcome.held.fd = pending.TakeFd();
      outcome.held.holder = std::move(holder);
      return outcome;
    }
    SEALSTATE_ASSIGN_OR_RETURN(const MarkerInfo info, Inspect());
    bool retry_now = info.state == LockState::kFree;
    if (info.state == LockState::kStale && options.break_stale) {
      SEALSTATE_ASSIGN_OR_RETURN(std::optional<MarkerHolder> broken, BreakStale(env_, probe_, dir_));
      if (broken) {
        if (on_break_) SEALSTATE_RETURN_IF_ERROR(on_break_(*broken));
        outcome.broken_stale = std::move(broken);
        retry_now = true;
      }
    }
    if (retry_now && ++rounds_without_wait < kMaxRoundsWithoutWait) continue;
    rounds_without_wait = 0;

    if (options.timeout.count() == 0) return LockedError(info);
    if (options.cancelled && options.cancelled()) return Status::Cancelled("waiting for the lock was cancelled");
    if (watch == nullptr) {
      watch = TakeWatch(shared_watch, own_watch);  // before the next check, so a release from
      continue;                                    // now on is not missed
    }
    if (deadline.Passed()) return LockedError(info);
    watch->Wait(deadline.Remaining(kLockRecheckInterval));
  }
}

DirectoryWatch* MarkerLock::TakeWatch(std::unique_lock<std::mutex>& shared, std::unique_ptr<DirectoryWatch>& own) {
  if (shared.try_lock()) {
    if (!watch_) watch_ = std::make_unique<DirectoryWatch>(dir_);
    watch_->Drain();  // events from before this check are stale
    return watch_.get();
  }
  own = std::make_unique<DirectoryWatch>(dir_);  // another thread is waiting on the shared one
  return own.get();
}

Status MarkerLock::Release(HeldMarker& held) {
  if (held.fd < 0) return Status::OK();
  // Closed on every path (dropping the OFD lock); a close error is ignored, as the marker's
  // content no longer matters.
  const UniqueFd marker(env_, std::exchange(held.fd, -1), dir_.Join(kLockFileName));
  // Unlink first, close second: while the name exists, its OFD lock says "held".
  SEALSTATE_ASSIGN_OR_RETURN(const MarkerName name, CompareMarkerName(env_, dir_, marker));
  if (name == MarkerName::kGone) return Status::OK();  // removed meanwhile (force-unlock): nothing to do
  if (name == MarkerName::kOtherFile) {
    return Status::Locked("the lock was broken meanwhile; the marker now belongs to another holder");
  }
  Status removed = env_.UnlinkAt(dir_, kLockFileName);
  if (removed.code() == Code::kNotFound) return Status::OK();
  return removed;
}

Result<bool> MarkerLock::StillHeld(const std::string& lock_id) {
  if (lock_id.empty()) return false;
  SEALSTATE_ASSIGN_OR_RETURN(const UniqueFd marker, OpenMarker(env_, dir_, kReadMarkerFlags));
  if (!marker.valid()) return false;
  std::optional<Result<MarkerHolder>> record;
  SEALSTATE_RETURN_IF_ERROR(ReadRecord(env_, dir_, marker, record));
  return (*record).ok() && !(*record)->bare_pid && (*record)->lock_id == lock_id;
}

Result<MarkerInfo> MarkerLock::Inspect() {
  SEALSTATE_ASSIGN_OR_RETURN(const UniqueFd marker, OpenMarker(env_, dir_, kReadMarkerFlags));
  if (!marker.valid()) return Classify(probe_, std::nullopt, false);
  SEALSTATE_ASSIGN_OR_RETURN(const bool held_elsewhere, env_.OfdLockHeldElsewhere(marker.get(), marker.what()));
  std::optional<Result<MarkerHolder>> record;
  SEALSTATE_RETURN_IF_ERROR(ReadRecord(env_, dir_, marker, record));
  return Classify(probe_, record, held_elsewhere);
}

Result<std::optional<MarkerHolder>> MarkerLock::ForceRemove(std::string_view expected_id) {
  SEALSTATE_ASSIGN_OR_RETURN(const UniqueFd marker, OpenMarker(env_, dir_, kReadMarkerFlags));
  if (!marker.valid()) return std::optional<MarkerHolder>();
  std::optional<Result<MarkerHolder>> record;
  SEALSTATE_RETURN_IF_ERROR(ReadRecord(env_, dir_, marker, record));
  const MarkerHolder holder = (*record).ok() ? **record : MarkerHolder();
  if (!expected_id.empty() && (!(*record).ok() || holder.bare_pid || holder.lock_id != expected_id)) {
    const std::string found = (*record).ok() ? DescribeHolder(ToLockHolder(holder)) : "an unreadable holder record";
    return Status::Locked("the lock is held by " + found + ", not by lock id " + std::string(expected_id) +
                          "; nothing removed");
  }
  SEALSTATE_ASSIGN_OR_RETURN(const MarkerName name, CompareMarkerName(env_, dir_, marker));
  if (name == MarkerName::kGone) return std::optional<MarkerHolder>();
  if (name == MarkerName::kOtherFile) {
    return Status::Locked("the lock changed hands while it was being removed; nothing removed");
  }
  Status removed = env_.UnlinkAt(dir_, kLockFileName);
  if (removed.code() == Code::kNotFound) return std::optional<MarkerHolder>();
  SEALSTATE_RETURN_IF_ERROR(removed);
  return std::optional<MarkerHolder>(holder);
}

}  // namespace sealstate::internal
