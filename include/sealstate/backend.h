// Backend: where one stack's snapshots, current pointer, lock and journal live.
//
// A Backend serves exactly one (factory, stack) pair, as in unobin. The local filesystem backend
// (LocalStore, registered as "local") is the default; others (PostgreSQL) implement the same
// interface. Backends are created by name from a BackendRegistry.
//
// Snapshots are immutable once written; `current` names the one that is in effect. Writers
// that move `current` hold the stack lock (Commit does it for you).
//
// Thread safety: a Backend may be used from several threads; operations on one stack from
// several processes are safe (that is what the lock and the no-replace rules are for).
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/lock.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate {

// One line of a stack's audit journal.
struct JournalEvent {
  std::uint64_t seq = 0;  // 1, 2, 3, ... in write order
  Timestamp time;
  std::string event;    // write | set-current | remove | lock-break | force-unlock | prune
  std::string rev;      // the revision concerned, or empty
  std::string lock_id;  // the lock held (or broken) at the time, or empty
  std::string actor;    // user@host
  std::int64_t pid = 0;
  std::string detail;  // free text, e.g. the broken holder ("pid 4242 on h1 is gone")
  // For "write": the envelope version the revision was written with (1 or 2); 0 when not
  // recorded (other events, and lines written before sealstate recorded it).
  std::int64_t envelope_version = 0;
  friend bool operator==(const JournalEvent&, const JournalEvent&) = default;
};

// How far Backend::CheckPermissions looks.
enum class PermissionScope {
  kStack,       // the store's directories down to the stack, and the files beside the snapshots
                // (current, lock, journal): cheap, for lock-status
  kEverything,  // also every snapshot file: for verify
};

// How Write and Commit seal a new snapshot.
struct WriteOptions {
  // The key is meant to change: skip the check that the configured key can open the current
  // revision (see Write). Key rotation will get its own operation; until then this is the way.
  bool new_key = false;
};

class SEALSTATE_EXPORT Backend {
 public:
  virtual ~Backend() = default;

  // The stack this backend was opened for.
  virtual const std::string& stack() const = 0;
  // The factory this backend was opened for.
  virtual const std::string& factory() const = 0;

  // The snapshot `current` names. Errors: kNoCurrent ("no current snapshot"); as Get.
  virtual Result<Snapshot> Current() = 0;
  // The revision `current` names. Errors: kNoCurrent; kIntegrity for a malformed pointer.
  virtual Result<std::string> CurrentRev() = 0;
  // Reads, opens and decodes one snapshot. A v1 (unobin) snapshot, where v1 is accepted, that
  // names another factory or stack (its stack was copied or renamed) is returned as written, and
  // SetCurrent accepts it. Errors: kInvalidArgument (bad rev name), kNotFound, kWrongKey,
  // kIntegrity, kFormat, kIoError.
  virtual Result<Snapshot> Get(std::string_view rev) = 0;
  // The envelope header of a revision's file, read without opening (authenticating, decrypting)
  // the file: for v2 the parsed header line; for v1, whose header is not separate from the
  // ciphertext, only envelope_version = 1. Cheap: reads the first line. Errors: kInvalidArgument
  // (bad rev name), kNotFound, kIntegrity (malformed, not a regular file), kFormat, kIoError.
  // This default, for backends written before it existed, is kUnsupported: verify then cannot
  // compare a revision's envelope version with the journal's record, and skips that check.
  virtual Result<EnvelopeHeader> ReadHeader(std::string_view /*rev*/) {
    return Status::Unsupported("this backend cannot read a revision's envelope header on its own");
  }
  // Seals and stores a new immutable snapshot under a fresh revision; does not move current.
  // Returns the revision. Unless options.new_key, first checks that the configured key can open
  // the current revision, so that a writer with another key cannot leave everyone else with a
  // "wrong key": for a v2 current, by comparing the key id in its header with the configured
  // key's (the header only); for a v1 current, which records no key id, by opening it. A
  // mismatch is kWrongKey naming both key ids (v1: the cause) and nothing is written. No
  // current, or a current that is damaged or missing, is not checked. Errors: kInvalidArgument
  // (invalid snapshot, or one naming another stack or factory), kWrongKey, kIoError; kIncomplete
  // ("wrote REV (durable), but journaling it failed: ...") when the revision exists but its
  // journal line could not be written: do not write it again.
  virtual Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options = {}) = 0;
  // Points current at `rev`, which must exist and carry this backend's factory and stack.
  // With `expected_current` ("" meaning "no current"), fails with kConflict if current is
  // something else just before the switch (compare-and-swap). While a lock taken through this
  // backend is held, fails with kLocked if that lock was broken meanwhile (fencing): a holder
  // whose lock was force-unlocked cannot move current. Without `expected_current`, a damaged
  // pointer (one CurrentRev reports as kIntegrity) is replaced, and the journal's set-current
  // event says it repaired it; with it, a damaged pointer is kIntegrity. If journaling fails
  // after the pointer was replaced: kIncomplete ("current now names REV (durable), but
  // journaling it failed: ...").
  virtual Status SetCurrent(std::string_view rev, std::optional<std::string> expected_current = std::nullopt) = 0;
  // All revisions, oldest first (unobin's order). Never reads or decrypts the snapshots, nor
  // looks at their type: only names count, and a name that is not a valid revision name (see
  // revision.h) is not a revision but a stray (see StrayEntries).
  virtual Result<std::vector<std::string>> List() = 0;
  // The entries beside the revisions that are not revisions, sorted bytewise: names that are not
  // valid revision names (e.g. "backup.json.enc"), and valid ones that are not regular files (a
  // directory, a symlink; List still lists these). Temporary files of writes (names starting
  // with ".") are not included. Prune never counts or deletes a stray; verify reports them.
  // This default, for backends that cannot hold anything but revisions, finds none.
  // Errors: kIoError.
  virtual Result<std::vector<std::string>> StrayEntries() { return std::vector<std::string>(); }
  // Removes one revision. Refuses the current one (kInvalidArgument), and any while current is
  // damaged (kIntegrity: it may be the real current one; repair current with SetCurrent). A
  // missing rev is OK. If journaling fails after the removal: kIncomplete ("removed REV, but
  // journaling it failed: ...").
  virtual Status Remove(std::string_view rev) = 0;

  // Takes the stack lock (see lock.h and LockOptions). Errors: kLocked naming the holder
  // ("locked by USER@HOST pid PID since TIME (lock id ID)"), kCancelled, kIoError.
  virtual Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) = 0;
  // Removes the marker. With a non-empty `expected_id` that does not match the holder's:
  // kLocked (nothing removed). No marker: OK. Journaled.
  virtual Status ForceUnlock(std::string_view expected_id) = 0;
  // The holder record and a verdict. Never needs the key.
  virtual Result<LockInfo> GetLockInfo() = 0;

  // Under the lock (taken with `options`), writes the snapshot and points current at it.
  // Returns the new revision. A commit that fails before current names the new revision
  // removes that revision again (best effort), so the revision list is as before; after a
  // crash, a written but never current revision may remain (harmless; prune removes it).
  // A failure after current names the new revision (journaling the move, releasing the lock)
  // is kIncomplete, "local store: committed REV (durable and current), but journaling it
  // failed: <cause>" (or "but releasing the lock failed: "): the commit took effect and must
  // not be retried.
  // The key check of Write is made under the lock. Errors: kInvalidArgument (as Write), kLocked,
  // kCancelled (waiting for the lock), kWrongKey (the key check: nothing written, current
  // unchanged), kIoError, kIncomplete (above).
  virtual Result<std::string> Commit(const Snapshot& snapshot, const LockOptions& options,
                                     const WriteOptions& write_options = {}) = 0;

  // Journal events with seq > since_seq, oldest first.
  virtual Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) = 0;

  // What in the stack others could change or read, as one message per finding that names the
  // path and the command that fixes it. The local store reports a store directory writable by
  // group or others, a file readable or writable by group or others, and anything owned by
  // neither this process's user nor root (a world-writable directory is refused when the store
  // is opened). Reports, never repairs. This default, for backends without file permissions,
  // finds nothing. Errors: kIoError.
  virtual Result<std::vector<std::string>> CheckPermissions(PermissionScope /*scope*/) {
    return std::vector<std::string>();
  }
  // Appends an event of the caller's (e.g. "prune", or an application's "apply") to the journal,
  // stamped with the next seq, the time, this process's user@host and pid, and the lock id held
  // through this backend. Durable before it returns. Errors: kInvalidArgument if the event's
  // journal line would be longer than 1 MiB (a long detail); kIntegrity if the journal is
  // corrupt; kIoError.
  virtual Status AppendJournal(std::string event, std::string rev, std::string detail) = 0;
};

}  // namespace sealstate
