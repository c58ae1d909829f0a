// The public Lock handed out by LocalStore::AcquireLock.
#pragma once

#include <memory>

#include <sealstate/lock.h>

#include "lock/marker_lock.h"
#include "store/local_store_internal.h"

namespace sealstate::internal {

class LocalLock final : public Lock {
 public:
  // Holds `held` (the marker and its record) until Unlock or destruction.
  LocalLock(std::shared_ptr<StackCore> core, HeldMarker held);
  ~LocalLock() override;
  const std::string& id() const override { return held_.holder.lock_id; }
  Status Unlock() override;

 private:
  std::shared_ptr<StackCore> core_;
  HeldMarker held_;
  bool released_ = false;
};

}  // namespace sealstate::internal
