#include "support/fault_injection_env.h"

#include <cerrno>
#include <cstring>

namespace sealstate::testing {
namespace {

// The verb PosixEnv uses in its messages for `op`.
std::string_view Verb(Op op) {
  switch (op) {
    case Op::kOpen:
    case Op::kOpenAt: return "open";
    case Op::kWrite: return "write";
    case Op::kRead:
    case Op::kReadAt: return "read";
    case Op::kFsync: return "fsync";
    case Op::kStartWriteback: return "start writeback of";
    case Op::kTruncate: return "truncate";
    case Op::kSeekEnd: return "seek";
    case Op::kClose: return "close";
    case Op::kStat:
    case Op::kStatAt: return "stat";
    case Op::kChmod: return "chmod";
    case Op::kMkdirAt: return "mkdir";
    case Op::kRenameAt: return "rename";
    case Op::kLinkAt: return "link";
    case Op::kUnlinkAt: return "remove";
    case Op::kListDir: return "list";
    case Op::kOfdLock: return "lock";
    case Op::kOfdLockHeldElsewhere: return "query lock on";
  }
  return "call";
}

// The status PosixEnv would return for `err` (ENOENT and EEXIST have their own codes).
Status InjectedError(Op op, const std::string& path, int err) {
  const std::string message = std::string(Verb(op)) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(message);
  if (err == EEXIST) return Status::AlreadyExists(message);
  return Status::IoError(Verb(op), path, err);
}

}  // namespace

// ---- EnvWrapper: plain forwarding ----

Result<int> EnvWrapper::Open(const std::string& path, int flags, mode_t mode) {
  return target_->Open(path, flags, mode);
}
Result<int> EnvWrapper::OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) {
  return target_->OpenAt(dir, name, flags, mode);
}
Result<std::size_t> EnvWrapper::Write(int fd, std::string_view data, const std::string& what) {
  return target_->Write(fd, data, what);
}
Result<std::size_t> EnvWrapper::Read(int fd, char* buffer, std::size_t capacity, const std::string& what) {
  return target_->Read(fd, buffer, capacity, what);
}
Status EnvWrapper::Fsync(int fd, const std::string& what) { return target_->Fsync(fd, what); }
Status EnvWrapper::StartWriteback(int fd, const std::string& what) { return target_->StartWriteback(fd, what); }
Status EnvWrapper::Truncate(int fd, off_t length, const std::string& what) {
  return target_->Truncate(fd, length, what);
}
Result<off_t> EnvWrapper::SeekEnd(int fd, const std::string& what) { return target_->SeekEnd(fd, what); }
Result<std::size_t> EnvWrapper::ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                                       const std::string& what) {
  return target_->ReadAt(fd, buffer, capacity, offset, what);
}
Status EnvWrapper::Close(int fd, const std::string& what) { return target_->Close(fd, what); }
void EnvWrapper::CloseLater(int fd, const std::string& what) { (void)Close(fd, what); }
void EnvWrapper::WaitForLaterCloses() {}
Result<struct stat> EnvWrapper::Stat(int fd, const std::string& what) { return target_->Stat(fd, what); }
Result<struct stat> EnvWrapper::StatAt(const Dir& dir, std::string_view name) { return target_->StatAt(dir, name); }
Status EnvWrapper::Chmod(int fd, mode_t mode, const std::string& what) { return target_->Chmod(fd, mode, what); }
Status EnvWrapper::MkdirAt(const Dir& dir, std::string_view name, mode_t mode) {
  return target_->MkdirAt(dir, name, mode);
}
Status EnvWrapper::RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) {
  return target_->RenameAt(dir, from, to, no_replace);
}
Status EnvWrapper::LinkAt(const Dir& dir, std::string_view from, std::string_view to) {
  return target_->LinkAt(dir, from, to);
}
Status EnvWrapper::UnlinkAt(const Dir& dir, std::string_view name) { return target_->UnlinkAt(dir, name); }
Result<std::vector<std::string>> EnvWrapper::ListDir(const Dir& dir) { return target_->ListDir(dir); }
Result<int> EnvWrapper::WatchDir(const Dir& dir) { return target_->WatchDir(dir); }
Result<bool> EnvWrapper::WaitReadable(int fd, std::chrono::milliseconds timeout, const std::string& what) {
  return target_->WaitReadable(fd, timeout, what);
}
Result<bool> EnvWrapper::OfdLock(int fd, LockWait wait, const std::string& what) {
  return target_->OfdLock(fd, wait, what);
}
Result<bool> EnvWrapper::OfdLockHeldElsewhere(int fd, const std::string& what) {
  return target_->OfdLockHeldElsewhere(fd, what);
}
Timestamp EnvWrapper::Now() { return target_->Now(); }

// ---- FaultInjectionEnv: settings and counters ----

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kOpen: return "Open";
    case Op::kOpenAt: return "OpenAt";
    case Op::kWrite: return "Write";
    case Op::kRead: return "Read";
    case Op::kReadAt: return "ReadAt";
    case Op::kFsync: return "Fsync";
    case Op::kStartWriteback: return "StartWriteback";
    case Op::kTruncate: return "Truncate";
    case Op::kSeekEnd: return "SeekEnd";
    case Op::kClose: return "Close";
    case Op::kStat: return "Stat";
    case Op::kStatAt: return "StatAt";
    case Op::kChmod: return "Chmod";
    case Op::kMkdirAt: return "MkdirAt";
    case Op::kRenameAt: return "RenameAt";
    case Op::kLinkAt: return "LinkAt";
    case Op::kUnlinkAt: return "UnlinkAt";
    case Op::kListDir: return "ListDir";
    case Op::kOfdLock: return "OfdLock";
    case Op::kOfdLockHeldElsewhere: return "OfdLockHeldElsewhere";
  }
  return "?";
}

void FaultInjectionEnv::FailCall(std::uint64_t k, int err, bool persistent) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_at_ = k;
  fail_errno_ = err;
  fail_persistent_ = persistent;
}

void FaultInjectionEnv::FailFromNow(int err) { FailCall(calls(), err, /*persistent=*/true); }

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  fail_at_.reset();
  short_write_then_fail_at_.reset();
  fail_next_write_ = false;
  unsupported_no_replace_ = false;
}

void FaultInjectionEnv::ShortWrites(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  short_writes_ = on;
}

void FaultInjectionEnv::ShortWriteThenFail(std::uint64_t k) {
  std::lock_guard<std::mutex> lock(mu_);
  short_write_then_fail_at_ = k;
}

void FaultInjectionEnv::UnsupportedNoReplace(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  unsupported_no_replace_ = on;
}

void FaultInjectionEnv::FreezeClock(Timestamp t) {
  std::lock_guard<std::mutex> lock(mu_);
  frozen_clock_ = t;
}

std::uint64_t FaultInjectionEnv::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::uint64_t FaultInjectionEnv::count(Op op) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = counts_.find(op);
  return it == counts_.end() ? 0 : it->second;
}

std::uint64_t FaultInjectionEnv::injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

std::vector<TraceEntry> FaultInjectionEnv::trace() const {
  std::lock_guard<std::mutex> lock(mu_);
  return trace_;
}

void FaultInjectionEnv::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_ = 0;
  injected_ = 0;
  counts_.clear();
  trace_.clear();
}

bool FaultInjectionEnv::ShouldFail(std::uint64_t index) const {
  if (!fail_at_) return false;
  return index == *fail_at_ || (fail_persistent_ && index > *fail_at_);
}

Status FaultInjectionEnv::Enter(Op op, std::string path, std::string target, std::int64_t arg) {
  std::lock_guard<std::mutex> lock(mu_);
  TraceEntry& entry = trace_.emplace_back(TraceEntry{op, calls_++, std::move(path), std::move(target), arg, false});
  ++counts_[op];
  if (!ShouldFail(entry.index)) return Status::OK();
  entry.failed = true;
  ++injected_;
  return InjectedError(op, entry.path, fail_errno_);
}

FaultInjectionEnv::WritePlan FaultInjectionEnv::PlanWrite(std::string_view data, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  TraceEntry& entry =
      trace_.emplace_back(TraceEntry{Op::kWrite, calls_++, what, {}, static_cast<std::int64_t>(data.size()), false});
  const std::uint64_t write_index = counts_[Op::kWrite]++;
  WritePlan plan;
  if (ShouldFail(entry.index) || fail_next_write_) {
    const int err = ShouldFail(entry.index) ? fail_errno_ : ENOSPC;
    fail_next_write_ = false;
    entry.failed = true;
    ++injected_;
    plan.failure = InjectedError(Op::kWrite, what, err);
    return plan;
  }
  const bool short_then_fail = short_write_then_fail_at_ == write_index;
  plan.allowed = data.size();
  if ((short_writes_ || short_then_fail) && data.size() > 1) plan.allowed = data.size() / 2;
  fail_next_write_ = short_then_fail;
  return plan;
}

// ---- FaultInjectionEnv: the operations ----

Result<int> FaultInjectionEnv::Open(const std::string& path, int flags, mode_t mode) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kOpen, path, {}, flags));
  return EnvWrapper::Open(path, flags, mode);
}

Result<int> FaultInjectionEnv::OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kOpenAt, dir.Join(name), {}, flags));
  return EnvWrapper::OpenAt(dir, name, flags, mode);
}

Result<std::size_t> FaultInjectionEnv::Write(int fd, std::string_view data, const std::string& what) {
  const WritePlan plan = PlanWrite(data, what);
  if (!plan.failure.ok()) return plan.failure;
  return EnvWrapper::Write(fd, data.substr(0, plan.allowed), what);
}

Result<std::size_t> FaultInjectionEnv::Read(int fd, char* buffer, std::size_t capacity, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kRead, what));
  return EnvWrapper::Read(fd, buffer, capacity, what);
}

Status FaultInjectionEnv::Fsync(int fd, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kFsync, what));
  return EnvWrapper::Fsync(fd, what);
}

Status FaultInjectionEnv::StartWriteback(int fd, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kStartWriteback, what));
  return EnvWrapper::StartWriteback(fd, what);
}

Status FaultInjectionEnv::Truncate(int fd, off_t length, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kTruncate, what, {}, length));
  return EnvWrapper::Truncate(fd, length, what);
}

Result<off_t> FaultInjectionEnv::SeekEnd(int fd, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kSeekEnd, what));
  return EnvWrapper::SeekEnd(fd, what);
}

Result<std::size_t> FaultInjectionEnv::ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                                              const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kReadAt, what, {}, offset));
  return EnvWrapper::ReadAt(fd, buffer, capacity, offset, what);
}

Status FaultInjectionEnv::Close(int fd, const std::string& what) {
  const Status injected = Enter(Op::kClose, what);
  const Status closed = EnvWrapper::Close(fd, what);  // always: an injected failure must not leak the fd
  return injected.ok() ? closed : injected;
}

Result<struct stat> FaultInjectionEnv::Stat(int fd, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kStat, what));
  return EnvWrapper::Stat(fd, what);
}

Result<struct stat> FaultInjectionEnv::StatAt(const Dir& dir, std::string_view name) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kStatAt, dir.Join(name)));
  return EnvWrapper::StatAt(dir, name);
}

Status FaultInjectionEnv::Chmod(int fd, mode_t mode, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kChmod, what, {}, mode));
  return EnvWrapper::Chmod(fd, mode, what);
}

Status FaultInjectionEnv::MkdirAt(const Dir& dir, std::string_view name, mode_t mode) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kMkdirAt, dir.Join(name), {}, mode));
  return EnvWrapper::MkdirAt(dir, name, mode);
}

Status FaultInjectionEnv::RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kRenameAt, dir.Join(from), dir.Join(to), no_replace ? 1 : 0));
  bool unsupported = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    unsupported = no_replace && unsupported_no_replace_;
  }
  if (unsupported) {
    return Status::Unsupported("rename " + dir.Join(to) + ": RENAME_NOREPLACE unsupported (injected)");
  }
  return EnvWrapper::RenameAt(dir, from, to, no_replace);
}

Status FaultInjectionEnv::LinkAt(const Dir& dir, std::string_view from, std::string_view to) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kLinkAt, dir.Join(from), dir.Join(to)));
  return EnvWrapper::LinkAt(dir, from, to);
}

Status FaultInjectionEnv::UnlinkAt(const Dir& dir, std::string_view name) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kUnlinkAt, dir.Join(name)));
  return EnvWrapper::UnlinkAt(dir, name);
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const Dir& dir) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kListDir, dir.path));
  return EnvWrapper::ListDir(dir);
}

Result<bool> FaultInjectionEnv::OfdLock(int fd, LockWait wait, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kOfdLock, what, {}, wait == LockWait::kWait ? 1 : 0));
  return EnvWrapper::OfdLock(fd, wait, what);
}

Result<bool> FaultInjectionEnv::OfdLockHeldElsewhere(int fd, const std::string& what) {
  SEALSTATE_RETURN_IF_ERROR(Enter(Op::kOfdLockHeldElsewhere, what));
  return EnvWrapper::OfdLockHeldElsewhere(fd, what);
}

Timestamp FaultInjectionEnv::Now() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (frozen_clock_) return *frozen_clock_;
  }
  return EnvWrapper::Now();
}

}  // namespace sealstate::testing
