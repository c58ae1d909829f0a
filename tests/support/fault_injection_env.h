// Env wrappers for tests, after LevelDB's EnvWrapper and SpecialEnv / FaultInjectionTestEnv.
//
// EnvWrapper forwards every call to a target Env. FaultInjectionEnv counts and records every
// call and can make any of them fail (the SQLite ioerr sweep: fail call k once, or every call
// from k on), make writes short, and freeze the clock.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/timestamp.h>

#include "io/env.h"

namespace sealstate::testing {

using internal::Dir;
using internal::Env;
using internal::LockWait;

// Forwards every method to `target`, which must outlive the wrapper. Subclasses override what
// they want to change.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}

  Env* target() const { return target_; }

  Result<int> Open(const std::string& path, int flags, mode_t mode) override;
  Result<int> OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) override;
  Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) override;
  Result<std::size_t> Read(int fd, char* buffer, std::size_t capacity, const std::string& what) override;
  Status Fsync(int fd, const std::string& what) override;
  Status StartWriteback(int fd, const std::string& what) override;
  Status Truncate(int fd, off_t length, const std::string& what) override;
  Result<off_t> SeekEnd(int fd, const std::string& what) override;
  Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                             const std::string& what) override;
  Status Close(int fd, const std::string& what) override;
  // Closes at once, through this->Close (so subclasses count, fail or track it as a Close; the
  // result is ignored, as PosixEnv's closer thread ignores it): deterministic, single-threaded.
  void CloseLater(int fd, const std::string& what) override;
  // Nothing to wait for: CloseLater closed at once.
  void WaitForLaterCloses() override;
  Result<struct stat> Stat(int fd, const std::string& what) override;
  Result<struct stat> StatAt(const Dir& dir, std::string_view name) override;
  Status Chmod(int fd, mode_t mode, const std::string& what) override;
  Status MkdirAt(const Dir& dir, std::string_view name, mode_t mode) override;
  Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) override;
  Status LinkAt(const Dir& dir, std::string_view from, std::string_view to) override;
  Status UnlinkAt(const Dir& dir, std::string_view name) override;
  Result<std::vector<std::string>> ListDir(const Dir& dir) override;
  Result<bool> OfdLock(int fd, LockWait wait, const std::string& what) override;
  Result<bool> OfdLockHeldElsewhere(int fd, const std::string& what) override;
  Result<int> WatchDir(const Dir& dir) override;
  Result<bool> WaitReadable(int fd, std::chrono::milliseconds timeout, const std::string& what) override;
  Timestamp Now() override;

 private:
  Env* target_;
};

// The Env operations, one per method (Now() is not an operation: it is never counted or failed).
enum class Op {
  kOpen,
  kOpenAt,
  kWrite,
  kRead,
  kReadAt,
  kFsync,
  kStartWriteback,
  kTruncate,
  kSeekEnd,
  kClose,
  kStat,
  kStatAt,
  kChmod,
  kMkdirAt,
  kRenameAt,
  kLinkAt,
  kUnlinkAt,
  kListDir,
  kOfdLock,
  kOfdLockHeldElsewhere,
};

// The method name of `op` ("OpenAt", "Fsync", ...), for messages.
std::string_view OpName(Op op);

// One recorded call.
struct TraceEntry {
  Op op;
  std::uint64_t index = 0;  // the global call index (0-based)
  std::string path;         // the file or directory concerned; for RenameAt/LinkAt the source
  std::string target;       // RenameAt/LinkAt: the destination; else empty
  std::int64_t arg = 0;     // Open/OpenAt: the flags; RenameAt: 1 if no_replace; Write: bytes offered
  bool failed = false;      // an injected failure
};

// Counts, records and fails calls. Every method call except Now() gets the next global index,
// starting at 0, and every one of them is failable: FailCall(k, ...) fails the call with index
// k, whatever its operation. A failed call does not reach the target, except Close, which
// closes the fd first (so no fd leaks) and then reports the injected error. Injected errno
// ENOENT and EEXIST become kNotFound and kAlreadyExists, as PosixEnv reports them; others
// Status::IoError(op, path, errno); RenameAt with no_replace can also be made kUnsupported.
//
// Thread-safe: counters, trace and settings are guarded by a mutex (the target is called
// outside it).
class FaultInjectionEnv : public EnvWrapper {
 public:
  // `target` defaults to Env::Default().
  explicit FaultInjectionEnv(Env* target = Env::Default()) : EnvWrapper(target) {}

  // Fails the call with global index `k` with errno `err` (REQUIRES: err != 0); with
  // `persistent`, also every later call. Replaces an earlier FailCall.
  void FailCall(std::uint64_t k, int err, bool persistent);
  // Fails every call from now on (FailCall(calls(), err, true)).
  void FailFromNow(int err);
  // Removes FailCall / ShortWriteThenFail / UnsupportedNoReplace settings (not ShortWrites).
  void ClearFaults();
  // When on, each Write passes at most half of its data (at least 1 byte) to the target.
  void ShortWrites(bool on);
  // The Write with per-Write index `k` (0-based, counted as count(Op::kWrite)) writes only half
  // its data (at least 1 byte); the next Write then fails with ENOSPC.
  void ShortWriteThenFail(std::uint64_t k);
  // When on, RenameAt with no_replace fails with kUnsupported without reaching the target (a
  // filesystem without RENAME_NOREPLACE), so callers take their link + unlink fallback.
  void UnsupportedNoReplace(bool on);
  // Now() returns `t` from now on.
  void FreezeClock(Timestamp t);

  // Calls so far (all operations).
  std::uint64_t calls() const;
  // Calls of one operation so far.
  std::uint64_t count(Op op) const;
  // Failures injected so far.
  std::uint64_t injected() const;
  // Every call so far, in order.
  std::vector<TraceEntry> trace() const;
  // Forgets counts, trace and injected failures (not the settings).
  void ResetCounters();

  Result<int> Open(const std::string& path, int flags, mode_t mode) override;
  Result<int> OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) override;
  Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) override;
  Result<std::size_t> Read(int fd, char* buffer, std::size_t capacity, const std::string& what) override;
  Status Fsync(int fd, const std::string& what) override;
  Status StartWriteback(int fd, const std::string& what) override;
  Status Truncate(int fd, off_t length, const std::string& what) override;
  Result<off_t> SeekEnd(int fd, const std::string& what) override;
  Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                             const std::string& what) override;
  Status Close(int fd, const std::string& what) override;
  Result<struct stat> Stat(int fd, const std::string& what) override;
  Result<struct stat> StatAt(const Dir& dir, std::string_view name) override;
  Status Chmod(int fd, mode_t mode, const std::string& what) override;
  Status MkdirAt(const Dir& dir, std::string_view name, mode_t mode) override;
  Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) override;
  Status LinkAt(const Dir& dir, std::string_view from, std::string_view to) override;
  Status UnlinkAt(const Dir& dir, std::string_view name) override;
  Result<std::vector<std::string>> ListDir(const Dir& dir) override;
  Result<bool> OfdLock(int fd, LockWait wait, const std::string& what) override;
  Result<bool> OfdLockHeldElsewhere(int fd, const std::string& what) override;
  Timestamp Now() override;

 private:
  // What a Write should do, decided under the lock.
  struct WritePlan {
    Status failure;           // non-OK: fail without writing
    std::size_t allowed = 0;  // bytes to pass to the target
  };

  // Records the call; returns the injected failure for it, or OK.
  Status Enter(Op op, std::string path, std::string target = {}, std::int64_t arg = 0);
  WritePlan PlanWrite(std::string_view data, const std::string& what);
  bool ShouldFail(std::uint64_t index) const;

  mutable std::mutex mu_;
  std::uint64_t calls_ = 0;
  std::uint64_t injected_ = 0;
  std::map<Op, std::uint64_t> counts_;
  std::vector<TraceEntry> trace_;
  std::optional<std::uint64_t> fail_at_;
  int fail_errno_ = 0;
  bool fail_persistent_ = false;
  bool short_writes_ = false;
  std::optional<std::uint64_t> short_write_then_fail_at_;
  bool fail_next_write_ = false;
  bool unsupported_no_replace_ = false;
  std::optional<Timestamp> frozen_clock_;
};

}  // namespace sealstate::testing
