// The generic holder record (lock.h) of a lock this process is about to take.
#pragma once

#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// This process's holder record with a fresh lock id, the time, options.operation and this
// build's version; LockHolder::detail is empty (backends add their own facts). Errors:
// kInvalidArgument ("PREFIX lock operation is too long: ...") when the local store's holder
// record would exceed kMaxLockRecordBytes with this operation, so an operation one backend
// accepts the others accept too.
Result<LockHolder> NewProcessHolder(const LockOptions& options, std::string_view prefix);

}  // namespace sealstate::internal
