// The public Lock handed out by the memory store's AcquireLock.
#pragma once

#include <memory>
#include <string>

#include <sealstate/lock.h>

#include "memory/memory_stack.h"

namespace sealstate::internal {

class MemoryLock final : public Lock {
 public:
  // Holds the lock `lock_id` of `stack` (already taken) until Unlock or destruction. Keeps the
  // stack alive, so the Lock may outlive the Backend.
  MemoryLock(std::shared_ptr<MemoryStack> stack, std::string lock_id);
  ~MemoryLock() override;
  MemoryLock(const MemoryLock&) = delete;
  MemoryLock& operator=(const MemoryLock&) = delete;
  const std::string& id() const override { return lock_id_; }
  Status Unlock() override;

 private:
  std::shared_ptr<MemoryStack> stack_;
  std::string lock_id_;
  bool released_ = false;
};

}  // namespace sealstate::internal
