// The operation `lock -- CMD` records in the lock marker: "lock: CMD", cut to a size every
// marker can carry.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sealstate::cli {

// The most bytes LockOperationFor returns. Even if every byte needed JSON's longest escape
// (\u00XX, 6 bytes), the marker stays far below its 4096-byte limit (LockOptions.operation).
inline constexpr std::size_t kMaxLockOperationBytes = 512;

// "lock: " and the arguments of `command` joined by spaces. If that is longer than
// kMaxLockOperationBytes, it is cut at a character boundary (never inside a UTF-8 sequence) and
// ends in "...", kMaxLockOperationBytes bytes or fewer in all.
std::string LockOperationFor(const std::vector<std::string>& command);

}  // namespace sealstate::cli
