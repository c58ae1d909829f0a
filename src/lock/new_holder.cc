// NewProcessHolder: see new_holder.h.
#include "lock/new_holder.h"

#include <sealstate/version.h>

#include "lock/lock_record.h"
#include "lock/process_identity.h"

namespace sealstate::internal {

Result<LockHolder> NewProcessHolder(const LockOptions& options, std::string_view prefix) {
  const ProcessIdentity& self = ProcessProbe::Default()->Self();
  MarkerHolder record;
  record.lock_id = NewLockId();
  record.pid = self.pid;
  record.host = self.host;
  record.user = self.user;
  record.boot_id = self.boot_id;
  record.start_time = self.start_time;
  record.created = NowUtc();
  record.operation = options.operation;
  record.version = SEALSTATE_VERSION;
  const std::size_t record_bytes = EncodeLockRecord(record).size();
  if (record_bytes > kMaxLockRecordBytes) {
    return Status::InvalidArgument(std::string(prefix) + "lock operation is too long: the holder record would be " +
                                   std::to_string(record_bytes) + " bytes, more than " +
                                   std::to_string(kMaxLockRecordBytes) +
                                   "; use a shorter operation (LockOptions.operation)");
  }
  LockHolder holder = ToLockHolder(record);
  holder.detail.clear();
  return holder;
}

}  // namespace sealstate::internal
