// How the library names a lock holder in its messages and journal lines, for every backend.
#pragma once

#include <string>

#include <sealstate/lock.h>

namespace sealstate::internal {

// "USER@HOST pid PID since CREATED (lock id ID)": the holder in a kLocked message ("locked by
// ...").
std::string DescribeHolderSince(const LockHolder& holder);

// "USER@HOST pid PID (lock id ID, operation OP, since CREATED)": the holder in the journal's
// detail of a lock-break or force-unlock.
std::string DescribeHolderForJournal(const LockHolder& holder);

}  // namespace sealstate::internal
