#include "lock/holder_text.h"

#include <sealstate/timestamp.h>

namespace sealstate::internal {
namespace {

std::string UserHostPid(const LockHolder& holder) {
  return holder.user + "@" + holder.host + " pid " + std::to_string(holder.pid);
}

}  // namespace

std::string DescribeHolderSince(const LockHolder& holder) {
  return UserHostPid(holder) + " since " + FormatRfc3339Nano(holder.created) + " (lock id " + holder.lock_id + ")";
}

std::string DescribeHolderForJournal(const LockHolder& holder) {
  return UserHostPid(holder) + " (lock id " + holder.lock_id + ", operation " + holder.operation + ", since " +
         FormatRfc3339Nano(holder.created) + ")";
}

}  // namespace sealstate::internal
