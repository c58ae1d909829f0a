// Running an operation under the stack lock (set-current, delete, prune).
#pragma once

#include <functional>
#include <string>

#include <sealstate/backend.h>
#include <sealstate/lock.h>
#include <sealstate/status.h>

namespace sealstate::cli {

// Installs the signal handlers, takes the lock with `options`, runs `body` with the lock's id
// (for the operations it fences), then unlocks.
// Returns the lock error, else body's error, else the unlock error as kIncomplete ("<operation>
// took effect, but releasing the lock failed: ..."). The lock is released even when `body` fails.
Status WithStackLock(Backend& backend, const LockOptions& options,
                     const std::function<Status(const std::string& lock_id)>& body);

}  // namespace sealstate::cli
