#include "memory/memory_lock.h"

namespace sealstate::internal {

MemoryLock::MemoryLock(std::shared_ptr<MemoryStack> stack, std::string lock_id)
    : stack_(std::move(stack)), lock_id_(std::move(lock_id)) {}

MemoryLock::~MemoryLock() {
  if (!released_) (void)Unlock();  // documented: destruction unlocks and ignores errors; call Unlock() to see them
}

Status MemoryLock::Unlock() {
  if (released_) return Status::OK();
  released_ = true;
  return stack_->ReleaseLock(lock_id_);
}

}  // namespace sealstate::internal
