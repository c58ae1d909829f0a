#include "io/later_closer.h"

#include <unistd.h>

#include <utility>
#include <vector>

#include "pipeline/worker_thread.h"

namespace sealstate::internal {

void LaterCloser::Add(int fd) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!started_) {
    std::optional<std::thread> thread = TryStartThread([this] { Run(); });
    if (!thread) {  // tried again at the next Add
      lock.unlock();
      (void)::close(fd);  // only read: nothing to lose
      return;
    }
    thread->detach();  // runs for the rest of the process
    started_ = true;
  }
  progress_.wait(lock, [this] { return queued_.size() + closing_ < kMaxPending; });
  queued_.push_back(fd);
  work_.notify_one();
}

void LaterCloser::WaitUntilIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  progress_.wait(lock, [this] { return queued_.empty() && closing_ == 0; });
}

void LaterCloser::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return !queued_.empty(); });
    std::vector<int> batch(queued_.begin(), queued_.end());
    queued_.clear();
    closing_ = batch.size();
    lock.unlock();
    for (const int fd : batch) (void)::close(fd);  // only read: nothing to lose
    lock.lock();
    closing_ = 0;
    progress_.notify_all();
  }
}

}  // namespace sealstate::internal
