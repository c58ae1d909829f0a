// UniqueFd: the one owner of an open fd (files and directories alike), closed through Env.
//
// libcamera's UniqueFD is the model (release(), reset()); ours also keeps the Env and the name
// used in messages, so the close goes through the I/O seam like every other file operation.
#pragma once

#include <string>
#include <utility>

#include <sealstate/status.h>

#include "io/env.h"

namespace sealstate::internal {

// Owns `fd` (or nothing, when fd < 0) and closes it with Env::Close on destruction. That close
// is unchecked: rely on it only where a close error cannot lose data (a file or directory that
// was only read) or while cleaning up after an error that is already being reported. Call
// Close() to check the result. Movable, not copyable; not thread-safe.
class UniqueFd {
 public:
  // `env` must outlive this object; `what` names the file in messages (Env's `what`).
  UniqueFd(Env& env, int fd, std::string what) : env_(&env), fd_(fd), what_(std::move(what)) {}
  UniqueFd(UniqueFd&& other) noexcept
      : env_(other.env_), fd_(std::exchange(other.fd_, -1)), what_(std::move(other.what_)) {}
  // Closes the fd held before (unchecked), then takes over `other`'s.
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      env_ = other.env_;
      fd_ = std::exchange(other.fd_, -1);
      what_ = std::move(other.what_);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  // True while an fd is owned.
  bool valid() const { return fd_ >= 0; }
  // The fd (-1 when none); still owned by this object.
  int get() const { return fd_; }
  // The name used in messages.
  const std::string& what() const { return what_; }

  // Closes the fd with its result checked; afterwards nothing is owned (the fd is released even
  // when close reports an error). REQUIRES: valid().
  Status Close() { return env_->Close(Release(), what_); }
  // Gives up ownership: returns the fd, which the caller now closes.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the fd (unchecked, as the destructor does), if any; then owns nothing.
  void Reset() {
    if (fd_ >= 0) (void)env_->Close(Release(), what_);
  }

 private:
  Env* env_;
  int fd_;
  std::string what_;
};

}  // namespace sealstate::internal
