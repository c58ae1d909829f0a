// FsyncOverlapEnv: an Env over the real one that starts fsyncs on threads as PosixEnv does
// (FsyncOnThread) and tells whether two chosen fsyncs were in flight at the same time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "io/pending_fsync.h"
#include "support/fault_injection_env.h"

namespace sealstate::testing {

class FsyncOverlapEnv : public EnvWrapper {
 public:
  using PathMatch = std::function<bool(const std::string& what)>;

  // The fsyncs of the files `first` and `second` match (the first of each kind counts) each wait,
  // up to `patience`, until the other is in flight too, so that a sequential order shows as "not
  // overlapped" (after 2 x patience) rather than passing by luck.
  FsyncOverlapEnv(PathMatch first, PathMatch second, std::chrono::milliseconds patience)
      : EnvWrapper(Env::Default()), first_(std::move(first)), second_(std::move(second)), patience_(patience) {}

  std::unique_ptr<internal::PendingFsync> StartFsync(int fd, const std::string& what) override {
    return internal::FsyncOnThread(*this, fd, what);
  }

  Status Fsync(int fd, const std::string& what) override {
    Side* side = first_(what) ? &first_side_ : second_(what) ? &second_side_ : nullptr;
    if (side != nullptr) {
      Side& other = side == &first_side_ ? second_side_ : first_side_;
      std::unique_lock<std::mutex> lock(mu_);
      if (!side->seen) {
        side->seen = true;
        side->in_flight = true;
        side->thread = std::this_thread::get_id();
        changed_.notify_all();
        if (changed_.wait_for(lock, patience_, [&] { return other.in_flight || other.overlapped; })) {
          side->overlapped = true;
          changed_.notify_all();
        }
        side->in_flight = false;
      }
    }
    return EnvWrapper::Fsync(fd, what);
  }

  // Both fsyncs were in flight at once.
  bool overlapped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_side_.overlapped && second_side_.overlapped;
  }
  // The threads the two fsyncs ran on (default ids until they ran).
  std::thread::id first_thread() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_side_.thread;
  }
  std::thread::id second_thread() const {
    std::lock_guard<std::mutex> lock(mu_);
    return second_side_.thread;
  }

 private:
  struct Side {
    bool seen = false;
    bool in_flight = false;
    bool overlapped = false;
    std::thread::id thread;
  };

  PathMatch first_;
  PathMatch second_;
  std::chrono::milliseconds patience_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  Side first_side_;
  Side second_side_;
};

}  // namespace sealstate::testing
