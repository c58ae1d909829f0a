// The stack lock, for any backend: who holds it, whether they are alive, and how to wait for it.
//
// One holder at a time may move a stack's `current` (and prune it). A holder is described by a
// generic record (LockHolder); what a backend can prove about whether that holder is still alive
// decides the verdict (LockState). How a backend implements the lock and what it records beyond
// the generic fields (LockHolder::detail) is documented in that backend's header: the local
// store's marker file in local_store.h and sealstate-format(5).
//
// Fencing: a lock can be broken while its holder still runs (force-unlock, or a backend that
// decides the holder is gone). Operations that move `current` take the id of the lock the
// caller holds (SetCurrentOptions::lock_id) and refuse with kLocked once that lock is no longer
// the stack's lock, so a holder whose lock was broken cannot move `current`.
//
// Thread safety: values; see Backend for the operations.
#pragma once

#include <sealstate/export.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate {

// Who holds (or held) a stack's lock: the generic record every backend keeps.
struct LockHolder {
  // Random, unique per acquisition (the local store: 128 bits as 32 hex digits). Empty when the
  // record was written by a tool that records only a pid (unobin's lock file): then only `pid`
  // is known, and the lock cannot be named by id (force-unlock needs --force).
  std::string lock_id;
  std::string user;       // the holder's user name
  std::string host;       // the holder's host name
  std::int64_t pid = 0;   // the holder's process id on `host`
  Timestamp created;      // when the lock was taken (zero when not recorded)
  std::string operation;  // what the holder is doing ("commit", "prune", ...)
  std::string version;    // the sealstate version of the holder
  // Backend-specific facts about the holder, by name, for people and tools (the local store's
  // keys are listed in local_store.h). Never needed to act on the lock.
  std::map<std::string, std::string> detail;
  friend bool operator==(const LockHolder&, const LockHolder&) = default;
};

// The verdict on a stack's lock, from what the backend can prove.
enum class LockState {
  kFree,     // nobody holds it
  kHeld,     // a holder the backend knows (or must assume) is alive
  kStale,    // a holder the backend can prove is gone: its lock may be broken automatically
             // (LockOptions::break_stale) or by force-unlock without --force
  kUnknown,  // a holder whose liveness cannot be proven either way (for the local store: a bare
             // pid, another host, an unreadable record): never broken automatically
};

// "free", "held", "stale", "unknown".
SEALSTATE_EXPORT std::string_view LockStateName(LockState state);

struct LockInfo {
  LockState state = LockState::kFree;
  std::optional<LockHolder> holder;  // absent when free or when the holder record cannot be read
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
  // Recorded in the holder record ("commit", "apply", ...). Acquiring fails with
  // kInvalidArgument if it is too long for the backend's record (for the local store, see
  // local_store.h).
  std::string operation = "lock";
  // Break a stale holder's lock automatically (journaled as "lock-break"). Never breaks kUnknown.
  bool break_stale = true;
};

// A held stack lock. Destroying it unlocks (errors ignored); call Unlock() to see them. A Lock
// may outlive the Backend that handed it out.
class SEALSTATE_EXPORT Lock {
 public:
  virtual ~Lock() = default;
  // This lock's id (LockHolder::lock_id): pass it to the operations that fence on it.
  virtual const std::string& id() const = 0;
  // Releases the lock only if it is still this lock (never someone else's that replaced it
  // after a force-unlock). Idempotent. Errors: kLocked if another holder has the lock now
  // (nothing released); kIoError (for a backend on a server, also when it cannot be reached).
  virtual Status Unlock() = 0;
};

}  // namespace sealstate
