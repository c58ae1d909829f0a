// Env: the one interface every filesystem and process-identity call of the store goes through.
//
// LevelDB's Env is the model. PosixEnv (Env::Default()) makes the system calls; the reliability
// suite wraps an Env to fail any call, make writes short, or simulate power loss by dropping
// data that was never synced. So callers never call open/write/fsync/rename/... directly, and
// each Env method is one system call (loops such as write-all live above the Env, so a fault
// can land between their steps).
//
// Files are addressed relative to an open directory (Dir), never by a path string below the
// store root, so a symlink or rename elsewhere cannot redirect a write. A stack file that
// already exists is opened through OpenStackFile (io/stack_file.h), which refuses FIFOs and
// extra hard links, not with OpenAt directly. Errors are
// Status::IoError naming the full path (dir.path + "/" + name) and carrying errno.
//
// Thread safety: PosixEnv is stateless (but for its closer thread, see CloseLater) and safe to
// share. Wrappers document their own rules.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate::internal {

// An open directory: its fd and the path used in messages. Owned by whoever opened it; close it
// with Env::Close(dir.fd).
struct Dir {
  int fd = -1;
  std::string path;
  // dir.path + "/" + name, for messages.
  std::string Join(std::string_view name) const;
};

// Whether OfdLock waits for a conflicting lock to go away.
enum class LockWait { kNoWait, kWait };

// An fsync started by Env::StartFsync. The file is durable only once Wait() returned OK.
// Destroying it without Wait() waits for an fsync already running (so its fd may be closed
// afterwards) and reports nothing: the caller abandons the file.
class PendingFsync {
 public:
  virtual ~PendingFsync() = default;
  // Waits for the fsync and returns its result, as Env::Fsync would. Call at most once.
  virtual Status Wait() = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX implementation. Never null; never destroyed.
  static Env* Default();

  // open(2) of an absolute or cwd-relative path (used only for the store root).
  virtual Result<int> Open(const std::string& path, int flags, mode_t mode) = 0;
  // openat(2). Errors name dir.Join(name).
  virtual Result<int> OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) = 0;
  // One write(2); may be short. `what` names the file in messages.
  virtual Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) = 0;
  // One read(2); 0 at end of file.
  virtual Result<std::size_t> Read(int fd, char* buffer, std::size_t capacity, const std::string& what) = 0;
  // fsync(2). After a failure the file's contents are unknown: never retry on the same file.
  virtual Status Fsync(int fd, const std::string& what) = 0;
  // Starts fsync(2) of `fd` so that the caller can go on meanwhile (with other files' fsyncs: a
  // disk overlaps fsyncs of different files); the result is PendingFsync::Wait()'s. The fd must
  // stay open, and unwritten, until Wait() returns or the PendingFsync is destroyed. Never null.
  // The default runs Fsync(fd, what) inside Wait(), on the calling thread: wrappers (fault
  // injection, simulated power loss) then see one Fsync in a deterministic place, and until
  // Wait() the file's unsynced bytes may be lost, which covers every order a concurrent fsync
  // could finish in. PosixEnv runs the fsync on a thread of its own (FsyncOnThread).
  virtual std::unique_ptr<PendingFsync> StartFsync(int fd, const std::string& what);
  // sync_file_range(2) with SYNC_FILE_RANGE_WRITE over the whole file: starts writing its dirty
  // pages back without waiting. Makes nothing durable (only Fsync does); it lets a later Fsync of
  // a large file find most of it already written. OK where the filesystem cannot (EINVAL,
  // ENOSYS, ESPIPE), since it is only a head start.
  virtual Status StartWriteback(int fd, const std::string& what) = 0;
  // ftruncate(2).
  virtual Status Truncate(int fd, off_t length, const std::string& what) = 0;
  // lseek(2) to the end; returns the new offset (the file size).
  virtual Result<off_t> SeekEnd(int fd, const std::string& what) = 0;
  // pread(2): one read at `offset`.
  virtual Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                                     const std::string& what) = 0;
  // close(2), its result checked (a deferred write error can surface here).
  virtual Status Close(int fd, const std::string& what) = 0;
  // close(2) of an fd nothing was written through (so its result is ignored: it cannot report
  // lost data), maybe later and on another thread, so the caller does not wait for what a last
  // close does: freeing the blocks of a file whose name was renamed over or unlinked, which with
  // a `discard` mount waits for the disk. Takes ownership of `fd`. PosixEnv hands it to a closer
  // thread (io/later_closer.h; at most LaterCloser::kMaxPending wait, beyond that the call
  // waits for room); the test wrappers close it at once, through their Close.
  virtual void CloseLater(int fd, const std::string& what) = 0;
  // Returns once every fd given to CloseLater before the call (by any thread) is closed; then
  // PosixEnv has no closer thread left running.
  virtual void WaitForLaterCloses() = 0;
  // fstat(2).
  virtual Result<struct stat> Stat(int fd, const std::string& what) = 0;
  // fstatat(2) with AT_SYMLINK_NOFOLLOW. kNotFound (not kIoError) when the name does not exist.
  virtual Result<struct stat> StatAt(const Dir& dir, std::string_view name) = 0;
  // fchmod(2).
  virtual Status Chmod(int fd, mode_t mode, const std::string& what) = 0;
  // mkdirat(2). kAlreadyExists when the name exists.
  virtual Status MkdirAt(const Dir& dir, std::string_view name, mode_t mode) = 0;
  // renameat2(2) with RENAME_NOREPLACE when `no_replace`: kAlreadyExists if `to` exists;
  // kUnsupported if the filesystem cannot do it (the caller falls back to LinkAt + UnlinkAt).
  virtual Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) = 0;
  // linkat(2), no symlink following. kAlreadyExists if `to` exists.
  virtual Status LinkAt(const Dir& dir, std::string_view from, std::string_view to) = 0;
  // unlinkat(2). kNotFound when the name does not exist.
  virtual Status UnlinkAt(const Dir& dir, std::string_view name) = 0;
  // The names in a directory, without "." and "..", in no particular order. No stat per entry.
  virtual Result<std::vector<std::string>> ListDir(const Dir& dir) = 0;
  // fcntl(F_OFD_SETLK / F_OFD_SETLKW) write lock on the whole file. Returns false when another
  // open file description holds a conflicting lock (only with kNoWait).
  virtual Result<bool> OfdLock(int fd, LockWait wait, const std::string& what) = 0;
  // fcntl(F_OFD_GETLK): true when another open file description holds a lock on the file.
  virtual Result<bool> OfdLockHeldElsewhere(int fd, const std::string& what) = 0;

  // inotify_init1(IN_NONBLOCK | IN_CLOEXEC) plus inotify_add_watch on `dir` (through
  // /proc/self/fd, so the open directory is watched, not whatever its path names now) for
  // entries created, moved in, modified or closed after writing. Returns the inotify fd: wait on
  // it with WaitReadable, drain it with Read (which fails with EAGAIN once it is empty), close it
  // with Close. Two system calls: a fault lands before or after both.
  virtual Result<int> WatchDir(const Dir& dir) = 0;
  // poll(2) for POLLIN on `fd` for at most `timeout` (negative: forever). True when readable;
  // false when the timeout passed. EINTR counts as "not yet readable".
  virtual Result<bool> WaitReadable(int fd, std::chrono::milliseconds timeout, const std::string& what) = 0;

  // The current time (UTC). Tests freeze it.
  virtual Timestamp Now() = 0;
};

}  // namespace sealstate::internal
