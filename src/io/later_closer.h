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
#include <thread>

namespace sealstate::internal {

// Thread-safe. The closer thread is started by an Add that finds none running (TryStartThread)
// and ends once nothing is queued; WaitUntilIdle joins it, so after it no closer thread is left
// (nothing outlives the caller's operation, and nothing is running at the process's exit). The
// object must outlive its thread: PosixEnv keeps one for the whole process. While the system
// refuses the thread, Add closes at once.
class LaterCloser {
 public:
  // At most this many fds wait to be closed (queued or being closed); Add waits for room beyond.
  static constexpr std::size_t kMaxPending = 256;

  // Takes ownership of `fd` and closes it on the closer thread soon; close's result is ignored
  // (the fd must be one nothing was written through, so its close cannot lose data).
  void Add(int fd);
  // Returns once every fd added before the call is closed, and joins the closer thread if it
  // has ended meanwhile.
  void WaitUntilIdle();

 private:
  // The closer thread: closes whatever is queued until the queue is empty, then ends.
  void Run();

  std::mutex mutex_;
  std::condition_variable progress_;  // fds were closed, or the thread ended
  std::deque<int> queued_;
  std::size_t closing_ = 0;  // taken off the queue, not yet closed
  bool running_ = false;     // the closer thread has not ended (it may still need joining)
  std::thread thread_;       // the last closer thread started; joined by Add or WaitUntilIdle
};

}  // namespace sealstate::internal
