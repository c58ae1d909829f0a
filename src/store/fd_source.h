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

}  // namespace sealstate::internal
