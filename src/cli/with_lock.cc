#include "cli/with_lock.h"

#include "cli/signals.h"

namespace sealstate::cli {

Status WithStackLock(Backend& backend, const LockOptions& options,
                     const std::function<Status(const std::string& lock_id)>& body) {
  InstallSignalHandlers();
  SEALSTATE_ASSIGN_OR_RETURN(auto lock, backend.AcquireLock(options));
  Status status = body(lock->id());
  Status unlocked = lock->Unlock();
  if (!status.ok()) return status;
  if (!unlocked.ok()) {
    return Status::Incomplete(options.operation + " took effect, but releasing the lock failed: ", unlocked);
  }
  return unlocked;
}

}  // namespace sealstate::cli
