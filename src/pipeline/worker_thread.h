// Starting the pipeline's second thread without letting an exception escape: the library
// promises no exceptions (status.h), and std::thread's constructor throws std::system_error when
// the system refuses a thread (EAGAIN under a pid, thread or memory limit). The pipeline then
// does the work on the calling thread instead.
#pragma once

#include <functional>
#include <optional>
#include <thread>

namespace sealstate::internal {

// Starts `body` on a new thread and returns it, or returns nothing (and `body` never runs) when
// the system refuses a thread or FailThreadCreationForTesting(true) is in effect. Never throws
// std::system_error.
std::optional<std::thread> TryStartThread(std::function<void()> body);

// Test seam, process-wide: while `fail` is true, every TryStartThread fails as if the system had
// refused the thread. Safe to call from any thread.
void FailThreadCreationForTesting(bool fail);

}  // namespace sealstate::internal
