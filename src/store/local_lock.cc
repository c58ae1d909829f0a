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
  return core_->marker.Release(held_);
}

}  // namespace sealstate::internal
