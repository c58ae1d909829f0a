// The holder record written into the lock marker.
//
// sealstate writes one line of compact JSON: {"lock-id","pid","host","user","boot-id",
// "start-time","created","operation","version"} and a newline. unobin writes "<pid>\n"; that
// reads as a bare-pid holder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>
#include <sealstate/timestamp.h>

#include "json/go_json_writer.h"

namespace sealstate::internal {

// What the marker says about its holder: the generic holder (lock.h) plus what the local store
// needs to judge it. A marker holding only "<pid>\n" (what unobin writes) reads as bare_pid =
// true with only `pid` set.
struct MarkerHolder {
  std::string lock_id;  // random 128-bit, 32 hex digits
  std::int64_t pid = 0;
  std::string host;
  std::string user;
  std::string boot_id;           // /proc/sys/kernel/random/boot_id of the holder's boot
  std::uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat: clock ticks after boot
  Timestamp created;
  std::string operation;  // what the holder is doing ("commit", "prune", ...)
  std::string version;    // sealstate version of the holder
  bool bare_pid = false;
  friend bool operator==(const MarkerHolder&, const MarkerHolder&) = default;
};

// The public record: the generic fields, and boot_id, start_time and bare_pid under the detail
// keys of local_store.h (kLocalHolderBootId, ...; a bare pid's record has no boot id or start
// time to show).
LockHolder ToLockHolder(const MarkerHolder& holder);

// The local store's holder record of a generic one (for showing it): the inverse of
// ToLockHolder; detail entries it does not know are dropped, a start time that is not a number
// reads as 0.
MarkerHolder FromLockHolder(const LockHolder& holder);

// Writes the record's fields into an open JSON object, in the marker's order: "lock-id", "pid",
// "host", "user", "boot-id", "start-time", "created" (null for a bare pid), "operation",
// "version". The marker (EncodeLockRecord) and the CLI's --json holder both use it.
void WriteHolderFields(GoJsonWriter& w, const MarkerHolder& holder);

// Longest marker content read (a marker is a few hundred bytes; more is not ours).
inline constexpr std::size_t kMaxLockRecordBytes = 4096;

std::string EncodeLockRecord(const MarkerHolder& holder);

// Parses either form. Errors: kIntegrity for empty or malformed content (for example a marker
// whose creator is still writing it, or a foreign file).
Result<MarkerHolder> ParseLockRecord(std::string_view content);

// A fresh random 128-bit lock id as 32 lower-case hex digits.
std::string NewLockId();

}  // namespace sealstate::internal
