// DirectoryWatch over inotify(7). The inotify fd is not a store file, so it bypasses the store's
// Env: only its close goes through Env::Default() (UniqueFd), which makes the same system call.
#include "lock/lock_wait.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>
#include <utility>

namespace sealstate::internal {
namespace {

// The inotify fd's name in (unchecked) close errors.
constexpr const char* kInotifyName = "inotify instance";
constexpr std::uint32_t kWatchedEvents = IN_DELETE | IN_MOVED_FROM | IN_ATTRIB | IN_CLOSE_WRITE;

bool AddWatch(int inotify_fd, const Dir& dir) {
  const std::string via_fd = "/proc/self/fd/" + std::to_string(dir.fd);
  if (dir.fd >= 0 && ::inotify_add_watch(inotify_fd, via_fd.c_str(), kWatchedEvents | IN_ONLYDIR) >= 0) return true;
  return !dir.path.empty() && ::inotify_add_watch(inotify_fd, dir.path.c_str(), kWatchedEvents | IN_ONLYDIR) >= 0;
}

}  // namespace

DirectoryWatch::DirectoryWatch(const Dir& dir) : fd_(*Env::Default(), -1, kInotifyName) {
  UniqueFd fd(*Env::Default(), ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC), kInotifyName);
  if (fd.valid() && AddWatch(fd.get(), dir)) fd_ = std::move(fd);
}

void DirectoryWatch::Wait(std::chrono::milliseconds limit) {
  if (limit.count() <= 0) return;
  if (!fd_.valid()) {
    std::this_thread::sleep_for(std::min(limit, kLockPollFallback));
    return;
  }
  struct pollfd p = {fd_.get(), POLLIN, 0};
  const int rc = ::poll(&p, 1, static_cast<int>(std::min<std::chrono::milliseconds::rep>(limit.count(), 1 << 30)));
  if (rc > 0) Drain();  // rc < 0 (EINTR): the caller re-checks, as after any wake-up
}

void DirectoryWatch::Drain() {
  alignas(struct inotify_event) char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    return;  // EAGAIN: drained (or an error: the next Wait polls again)
  }
}

}  // namespace sealstate::internal
