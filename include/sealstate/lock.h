// The stack lock: who holds it, whether they are alive, and how to wait for it.
//
// A stack is locked by the marker file `lock` in its directory, created exclusively (so unobin,
// which creates the same file with O_CREAT|O_EXCL, and sealstate exclude each other). sealstate
// writes a JSON holder record into it and, while holding the lock, keeps an OFD lock
// (fcntl F_OFD_SETLK) on the marker's open file description. The kernel drops that lock when the
// holder dies, so "marker present, OFD lock free" means the holder is dead, with certainty,
// on this host.
//
// Thread safety: values; see Backend for the operations.
#pragma once

#include <sealstate/export.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate {

// What the marker says about its holder. A marker holding only "<pid>\n" (what unobin writes)
// reads as bare_pid = true with only `pid` set.
struct LockHolder {
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
  friend bool operator==(const LockHolder&, const LockHolder&) = default;
};

// The verdict on a stack's lock.
enum class LockState {
  kFree,     // no marker
  kHeld,     // a live holder (its OFD lock is held, or it is provably alive)
  kStale,    // the holder is provably dead: OFD lock free, or same host and boot with the pid gone
             // or reused, or another boot of this host
  kUnknown,  // cannot be proven either way: a bare pid (unobin), another host, an unreadable marker
};

// "free", "held", "stale", "unknown".
SEALSTATE_EXPORT std::string_view LockStateName(LockState state);

struct LockInfo {
  LockState state = LockState::kFree;
  std::optional<LockHolder> holder;  // absent when free or when the marker cannot be parsed
  std::string reason;                // why this verdict, for people ("pid 4242 is gone", ...)
};

// A cooperative cancellation flag: the waiter polls it (at least every few milliseconds).
using CancelCheck = std::function<bool()>;

struct LockOptions {
  // How long to wait for a held lock. Zero: fail at once. A negative value waits forever; so, in
  // effect, does one too long for the steady clock (it saturates, no overflow).
  std::chrono::milliseconds timeout{0};
  // Returns true when the caller wants to stop waiting: Lock then fails with kCancelled.
  CancelCheck cancelled;
  // Recorded in the marker ("commit", "apply", ...). Acquiring fails with kInvalidArgument if it
  // would make the marker larger than 4096 bytes (other processes could not read it).
  std::string operation = "lock";
  // Break a provably dead holder's lock automatically (journaled). Never breaks kUnknown.
  bool break_stale = true;
};

// A held stack lock. Destroying it unlocks (errors ignored); call Unlock() to see them.
class SEALSTATE_EXPORT Lock {
 public:
  virtual ~Lock() = default;
  // The lock id written in the marker.
  virtual const std::string& id() const = 0;
  // Removes the marker only if it still carries this lock's id, then drops the OFD lock.
  // Idempotent. Errors: kLocked if someone else's marker is there now (nothing removed);
  // kIoError.
  virtual Status Unlock() = 0;
};

}  // namespace sealstate
