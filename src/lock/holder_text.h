// How a lock holder is named in messages, journal lines and the CLI: one wording everywhere.
#pragma once

#include <string>

#include <sealstate/lock.h>

namespace sealstate::internal {

// "USER@HOST pid PID", or "pid PID (bare pid marker)" for a record without lock id (unobin's).
std::string HolderName(const LockHolder& holder);

// HolderName, then " (lock id ID, operation OP, since TIME)" for a record with a lock id; TIME
// is RFC 3339 with nanoseconds, UTC.
std::string DescribeHolder(const LockHolder& holder);

}  // namespace sealstate::internal
