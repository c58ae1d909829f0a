#include "store/local_lock.h"

namespace sealstate::internal {

LocalLock::LocalLock(std::shared_ptr<StackCore> core, HeldMarker held)
    : core_(std::move(core)), held_(std::move(held)) {}

LocalLock::~LocalLock() {
  if (!released_) (void)Unlock();  // documented: destruction unlocks and ignores errors; call Unlock() to see them
}

Status LocalLock::Unlock() {
  if (released_) return Status::OK();
  released_ = true;
  core_->env.WaitForLaterCloses();  // the old files replaced under the lock are freed before it is released
  return core_->marker.Release(held_);
}

}  // namespace sealstate::internal
