#include "io/later_closer.h"

#include <unistd.h>

#include <utility>
#include <vector>

#include "pipeline/worker_thread.h"

namespace sealstate::internal {

void LaterCloser::Add(int fd) {
  std::unique_lock<std::mutex> lock(mutex_);
  progress_.wait(lock, [this] { return queued_.size() + closing_ < kMaxPending; });
  if (!running_) {
    if (thread_.joinable()) thread_.join();  // it has ended: running_ is cleared as its last step
    std::optional<std::thread> thread = TryStartThread([this] { Run(); });
    if (!thread) {  // tried again at the next Add
      lock.unlock();
      (void)::close(fd);  // only read: nothing to lose
      return;
    }
    thread_ = std::move(*thread);
    running_ = true;
  }
  queued_.push_back(fd);
}

void LaterCloser::WaitUntilIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  progress_.wait(lock, [this] { return !running_; });
  if (thread_.joinable()) thread_.join();
}

void LaterCloser::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!queued_.empty()) {
    std::vector<int> batch(queued_.begin(), queued_.end());
    queued_.clear();
    closing_ = batch.size();
    lock.unlock();
    for (const int fd : batch) (void)::close(fd);  // only read: nothing to lose
    lock.lock();
    closing_ = 0;
    progress_.notify_all();
  }
  running_ = false;
  progress_.notify_all();
}

}  // namespace sealstate::internal
