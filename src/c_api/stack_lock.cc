// sealstate_lock_acquire, sealstate_lock_id, sealstate_unlock, sealstate_lock_free,
// sealstate_force_unlock: the stack lock.
#include <sealstate/maintenance.h>

#include "c_api/c_api_internal.h"

using sealstate::Status;
using namespace sealstate::internal;

extern "C" int sealstate_lock_acquire(sealstate_store* store, int64_t timeout_ms, const char* operation,
                                      sealstate_cancel_fn cancel, void* cancel_data, sealstate_lock** lock_out,
                                      sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(lock_out, "sealstate_lock_acquire", "lock_out"));
    *lock_out = nullptr;
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_lock_acquire", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(
        auto lock, store->backend->AcquireLock(MakeLockOptions(timeout_ms, operation, cancel, cancel_data)));
    *lock_out = new sealstate_lock{std::move(lock)};
    return Status::OK();
  });
}

extern "C" int sealstate_lock_id(const sealstate_lock* lock, char** id_out, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(id_out, "sealstate_lock_id", "id_out"));
    ClearOutputs(id_out);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(lock, "sealstate_lock_id", "lock"));
    HandOut(lock->lock->id(), id_out, nullptr);
    return Status::OK();
  });
}

extern "C" int sealstate_unlock(sealstate_lock* lock, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(lock, "sealstate_unlock", "lock"));
    return lock->lock->Unlock();
  });
}

extern "C" void sealstate_lock_free(sealstate_lock* lock) { delete lock; }

extern "C" int sealstate_force_unlock(sealstate_store* store, const char* lock_id, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_force_unlock", "store"));
    return sealstate::ForceUnlockWithPolicy(*store->backend, lock_id == nullptr ? "" : lock_id, /*force=*/false)
        .status();
  });
}
