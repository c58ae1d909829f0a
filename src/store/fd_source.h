// A ByteSource reading an open file through Env (so faults can be injected into reads too).
#pragma once

#include <string>

#include <sealstate/stream.h>

#include "io/env.h"

namespace sealstate::internal {

class FdSource final : public ByteSource {
 public:
  // `env` and the fd must outlive the source; `what` names the file in errors.
  FdSource(Env& env, int fd, std::string what) : env_(env), fd_(fd), what_(std::move(what)) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    return env_.Read(fd_, buffer, capacity, what_);
  }

 private:
  Env& env_;
  int fd_;
  std::string what_;
};

// An fd closed on destruction (read-only files: a close error cannot lose data).
class ReadOnlyFd {
 public:
  ReadOnlyFd(Env& env, int fd, std::string what) : env_(env), fd_(fd), what_(std::move(what)) {}
  ReadOnlyFd(const ReadOnlyFd&) = delete;
  ReadOnlyFd& operator=(const ReadOnlyFd&) = delete;
  ~ReadOnlyFd() { (void)env_.Close(fd_, what_); }  // read-only: nothing to lose
  int get() const { return fd_; }

 private:
  Env& env_;
  int fd_;
  std::string what_;
};

}  // namespace sealstate::internal
