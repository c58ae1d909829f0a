// Fatal errors of the benchmark harness: a bench that cannot do what a row needs stops with a
// message instead of reporting a figure it did not measure.
#pragma once

#include <string_view>
#include <utility>

#include <sealstate/status.h>

namespace sealstate::bench {

// Prints "sealstate-bench: <what>" to stderr and exits with status 1. Never returns.
[[noreturn]] void Die(std::string_view what);

// Dies with `what` and the errno text when `ok` is false. For raw syscalls.
void CheckErrno(bool ok, std::string_view what);

// Dies with `what` and the status message unless `status` is OK.
void Must(const Status& status, std::string_view what);

// The value of `result`, or dies with `what` and the status message.
template <typename T>
T Must(Result<T> result, std::string_view what) {
  if (!result.ok()) Must(result.status(), what);
  return std::move(*result);
}

}  // namespace sealstate::bench
