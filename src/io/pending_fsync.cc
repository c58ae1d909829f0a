#include "io/pending_fsync.h"

#include <optional>
#include <thread>
#include <utility>

#include "pipeline/worker_thread.h"

namespace sealstate::internal {
namespace {

class Deferred final : public PendingFsync {
 public:
  Deferred(Env& env, int fd, std::string what) : env_(env), fd_(fd), what_(std::move(what)) {}
  Status Wait() override { return env_.Fsync(fd_, what_); }

 private:
  Env& env_;
  int fd_;
  std::string what_;
};

// The fsync's result is written by the worker before it finishes, and read after join().
class OnThread final : public PendingFsync {
 public:
  OnThread() = default;
  OnThread(const OnThread&) = delete;
  OnThread& operator=(const OnThread&) = delete;
  ~OnThread() override {
    if (worker_.joinable()) worker_.join();
  }

  // Starts env.Fsync(fd, what) on a new thread; false (nothing started) when refused.
  bool Start(Env& env, int fd, const std::string& what) {
    std::optional<std::thread> worker = TryStartThread([this, &env, fd, what] { result_ = env.Fsync(fd, what); });
    if (!worker) return false;
    worker_ = std::move(*worker);
    return true;
  }

  Status Wait() override {
    if (worker_.joinable()) worker_.join();
    return std::move(result_);
  }

 private:
  std::thread worker_;
  Status result_;
};

}  // namespace

std::unique_ptr<PendingFsync> DeferredFsync(Env& env, int fd, std::string what) {
  return std::make_unique<Deferred>(env, fd, std::move(what));
}

std::unique_ptr<PendingFsync> FsyncOnThread(Env& env, int fd, std::string what) {
  auto pending = std::make_unique<OnThread>();
  if (pending->Start(env, fd, what)) return pending;
  return DeferredFsync(env, fd, std::move(what));
}

std::unique_ptr<PendingFsync> Env::StartFsync(int fd, const std::string& what) {
  return DeferredFsync(*this, fd, what);
}

}  // namespace sealstate::internal
