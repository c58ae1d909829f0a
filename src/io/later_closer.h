// LaterCloser: closes fds of files that were only read on a thread of its own, so the caller
// does not wait for what a last close does. The last close of a file whose name was renamed
// over or unlinked frees its blocks, and with a `discard` mount that waits for the disk (about
// 3 ms for 1 MiB on the bench's disk, inside the call that drops the last reference). PosixEnv's
// Env::CloseLater and Env::WaitForLaterCloses are this class.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace sealstate::internal {

// Thread-safe. The closer thread is started at the first Add (TryStartThread) and runs for the
// rest of the process: the object must never be destroyed once an fd was added (PosixEnv keeps
// one for the whole process). While the system refuses the thread, Add closes at once.
class LaterCloser {
 public:
  // At most this many fds wait to be closed (queued or being closed); Add waits for room beyond.
  static constexpr std::size_t kMaxPending = 256;

  // Takes ownership of `fd` and closes it on the closer thread soon; close's result is ignored
  // (the fd must be one nothing was written through, so its close cannot lose data).
  void Add(int fd);
  // Returns once every fd added before the call is closed.
  void WaitUntilIdle();

 private:
  // The closer thread: closes whatever is queued, forever.
  void Run();

  std::mutex mutex_;
  std::condition_variable work_;      // the queue got an fd
  std::condition_variable progress_;  // fds were closed
  std::deque<int> queued_;
  std::size_t closing_ = 0;  // taken off the queue, not yet closed
  bool started_ = false;
};

}  // namespace sealstate::internal
