// The C ABI's lock options: timeout, operation and the cancellation callback.
#include <chrono>

#include "c_api/c_api_internal.h"

namespace sealstate::internal {

LockOptions MakeLockOptions(std::int64_t timeout_ms, const char* operation, sealstate_cancel_fn cancel,
                            void* cancel_data) {
  LockOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms < 0 ? -1 : timeout_ms);
  if (operation != nullptr) options.operation = operation;
  // Called by the waiter on the calling thread (marker_lock.cc), as sealstate_c.h promises.
  if (cancel != nullptr) options.cancelled = [cancel, cancel_data] { return cancel(cancel_data) != 0; };
  return options;
}

}  // namespace sealstate::internal
