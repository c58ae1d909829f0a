// The holder record written into the lock marker.
//
// sealstate writes one line of compact JSON: {"lock-id","pid","host","user","boot-id",
// "start-time","created","operation","version"} and a newline. unobin writes "<pid>\n"; that
// reads as a bare-pid holder.
#pragma once

#include <string>
#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Longest marker content read (a marker is a few hundred bytes; more is not ours).
inline constexpr std::size_t kMaxLockRecordBytes = 4096;

std::string EncodeLockRecord(const LockHolder& holder);

// Parses either form. Errors: kIntegrity for empty or malformed content (for example a marker
// whose creator is still writing it, or a foreign file).
Result<LockHolder> ParseLockRecord(std::string_view content);

// A fresh random 128-bit lock id as 32 lower-case hex digits.
std::string NewLockId();

}  // namespace sealstate::internal
