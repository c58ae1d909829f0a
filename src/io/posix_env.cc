// PosixEnv: Env over the Linux system calls. Each method is one call, EINTR retried where the
// call is restartable.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "io/env.h"
#include "io/later_closer.h"
#include "io/pending_fsync.h"

namespace sealstate::internal {
namespace {

Status ErrnoStatus(std::string_view op, const std::string& path, int err) {
  if (err == ENOENT) return Status::NotFound(std::string(op) + " " + path + ": " + std::strerror(err));
  if (err == EEXIST) return Status::AlreadyExists(std::string(op) + " " + path + ": " + std::strerror(err));
  return Status::IoError(op, path, err);
}

struct flock WholeFileWriteLock() {
  struct flock lock;
  std::memset(&lock, 0, sizeof lock);
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  lock.l_pid = 0;  // required by OFD locks
  return lock;
}

// The process's closer for Env::CloseLater, never destroyed (PosixEnv is used during static
// teardown); its thread runs only while fds wait, and WaitForLaterCloses joins it.
LaterCloser& Closer() {
  static LaterCloser* const closer = new LaterCloser;
  return *closer;
}

class PosixEnv final : public Env {
 public:
  Result<int> Open(const std::string& path, int flags, mode_t mode) override {
    int fd;
    do fd = ::open(path.c_str(), flags, mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return fd;
  }

  Result<int> OpenAt(const Dir& dir, std::string_view name, int flags, mode_t mode) override {
    const std::string n(name);
    int fd;
    do fd = ::openat(dir.fd, n.c_str(), flags, mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoStatus("open", dir.Join(name), errno);
    return fd;
  }

  Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) override {
    ssize_t n;
    do n = ::write(fd, data.data(), data.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return Status::IoError("write", what, errno);
    return static_cast<std::size_t>(n);
  }

  Result<std::size_t> Read(int fd, char* buffer, std::size_t capacity, const std::string& what) override {
    ssize_t n;
    do n = ::read(fd, buffer, capacity);
    while (n < 0 && errno == EINTR);
    if (n < 0) return Status::IoError("read", what, errno);
    return static_cast<std::size_t>(n);
  }

  Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                             const std::string& what) override {
    ssize_t n;
    do n = ::pread(fd, buffer, capacity, offset);
    while (n < 0 && errno == EINTR);
    if (n < 0) return Status::IoError("read", what, errno);
    return static_cast<std::size_t>(n);
  }

  Status Fsync(int fd, const std::string& what) override {
    // Not retried on EINTR: after a failed fsync the data's fate is unknown (fsyncgate).
    if (::fsync(fd) != 0) return Status::IoError("fsync", what, errno);
    return Status::OK();
  }

  std::unique_ptr<PendingFsync> StartFsync(int fd, const std::string& what) override {
    return FsyncOnThread(*this, fd, what);
  }

  Status StartWriteback(int fd, const std::string& what) override {
    if (::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0) return Status::OK();
    if (errno == EINVAL || errno == ENOSYS || errno == ESPIPE) return Status::OK();
    return Status::IoError("start writeback of", what, errno);
  }

  Status Truncate(int fd, off_t length, const std::string& what) override {
    if (::ftruncate(fd, length) != 0) return Status::IoError("truncate", what, errno);
    return Status::OK();
  }

  Result<off_t> SeekEnd(int fd, const std::string& what) override {
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) return Status::IoError("seek", what, errno);
    return end;
  }

  Status Close(int fd, const std::string& what) override {
    // Never retried: on Linux the fd is released even when close reports EINTR.
    if (::close(fd) != 0) return Status::IoError("close", what, errno);
    return Status::OK();
  }

  void CloseLater(int fd, const std::string& /*what*/) override { Closer().Add(fd); }

  void WaitForLaterCloses() override { Closer().WaitUntilIdle(); }

  Result<struct stat> Stat(int fd, const std::string& what) override {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::IoError("stat", what, errno);
    return st;
  }

  Result<struct stat> StatAt(const Dir& dir, std::string_view name) override {
    struct stat st;
    if (::fstatat(dir.fd, std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("stat", dir.Join(name), errno);
    }
    return st;
  }

  Status Chmod(int fd, mode_t mode, const std::string& what) override {
    if (::fchmod(fd, mode) != 0) return Status::IoError("chmod", what, errno);
    return Status::OK();
  }

  Status MkdirAt(const Dir& dir, std::string_view name, mode_t mode) override {
    if (::mkdirat(dir.fd, std::string(name).c_str(), mode) != 0) return ErrnoStatus("mkdir", dir.Join(name), errno);
    return Status::OK();
  }

  Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) override {
    const unsigned flags = no_replace ? RENAME_NOREPLACE : 0;
    if (::syscall(SYS_renameat2, dir.fd, std::string(from).c_str(), dir.fd, std::string(to).c_str(), flags) != 0) {
      const int err = errno;
      if (no_replace && (err == EINVAL || err == ENOSYS)) {
        return Status::Unsupported("rename " + dir.Join(to) + ": the filesystem cannot rename without replacing");
      }
      return ErrnoStatus("rename", dir.Join(from) + " to " + dir.Join(to), err);
    }
    return Status::OK();
  }

  Status LinkAt(const Dir& dir, std::string_view from, std::string_view to) override {
    if (::linkat(dir.fd, std::string(from).c_str(), dir.fd, std::string(to).c_str(), 0) != 0) {
      return ErrnoStatus("link", dir.Join(from) + " to " + dir.Join(to), errno);
    }
    return Status::OK();
  }

  Status UnlinkAt(const Dir& dir, std::string_view name) override {
    if (::unlinkat(dir.fd, std::string(name).c_str(), 0) != 0) return ErrnoStatus("remove", dir.Join(name), errno);
    return Status::OK();
  }

  Result<std::vector<std::string>> ListDir(const Dir& dir) override {
    // A fresh description of the same directory, so the caller's fd offset is untouched.
    const int fd = ::openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("list", dir.path, errno);
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("list", dir.path, err);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(stream)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    const int err = errno;
    ::closedir(stream);
    if (err != 0) return Status::IoError("list", dir.path, err);
    return names;
  }

  Result<bool> OfdLock(int fd, LockWait wait, const std::string& what) override {
    struct flock lock = WholeFileWriteLock();
    const int cmd = wait == LockWait::kWait ? F_OFD_SETLKW : F_OFD_SETLK;
    int rc;
    do rc = ::fcntl(fd, cmd, &lock);
    while (rc != 0 && errno == EINTR && wait == LockWait::kWait);
    if (rc == 0) return true;
    if (errno == EAGAIN || errno == EACCES) return false;
    return Status::IoError("lock", what, errno);
  }

  Result<bool> OfdLockHeldElsewhere(int fd, const std::string& what) override {
    struct flock lock = WholeFileWriteLock();
    if (::fcntl(fd, F_OFD_GETLK, &lock) != 0) return Status::IoError("query lock on", what, errno);
    return lock.l_type != F_UNLCK;
  }

  Result<int> WatchDir(const Dir& dir) override {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return Status::IoError("watch", dir.path, errno);
    const std::string self = "/proc/self/fd/" + std::to_string(dir.fd);
    if (::inotify_add_watch(fd, self.c_str(), IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE) < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("watch", dir.path, err);
    }
    return fd;
  }

  Result<bool> WaitReadable(int fd, std::chrono::milliseconds timeout, const std::string& what) override {
    struct pollfd wanted = {.fd = fd, .events = POLLIN, .revents = 0};
    const long long capped = std::min<long long>(timeout.count(), std::numeric_limits<int>::max());
    const int ready = ::poll(&wanted, 1, timeout.count() < 0 ? -1 : static_cast<int>(capped));
    if (ready < 0 && errno == EINTR) return false;
    if (ready < 0) return Status::IoError("wait for", what, errno);
    return ready > 0;
  }

  Timestamp Now() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    Timestamp t;
    t.unix_seconds = ts.tv_sec;
    t.nanos = static_cast<std::int32_t>(ts.tv_nsec);
    return t;
  }
};

}  // namespace

std::string Dir::Join(std::string_view name) const {
  std::string out = path;
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

Env* Env::Default() {
  static PosixEnv env;  // stateless but for the closer (never destroyed), so safe to use during static teardown
  return &env;
}

}  // namespace sealstate::internal
