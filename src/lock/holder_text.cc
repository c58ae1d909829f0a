#include "lock/holder_text.h"

#include <sealstate/timestamp.h>

namespace sealstate::internal {

std::string HolderName(const LockHolder& holder) {
  if (holder.lock_id.empty()) return "pid " + std::to_string(holder.pid) + " (bare pid marker)";
  return holder.user + "@" + holder.host + " pid " + std::to_string(holder.pid);
}

std::string DescribeHolder(const LockHolder& holder) {
  if (holder.lock_id.empty()) return HolderName(holder);
  return HolderName(holder) + " (lock id " + holder.lock_id + ", operation " + holder.operation + ", since " +
         FormatRfc3339Nano(holder.created) + ")";
}

}  // namespace sealstate::internal
