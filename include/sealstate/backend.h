// Backend: where one stack's snapshots, current pointer, lock and journal live.
//
// A Backend serves exactly one (factory, stack) pair, as in unobin. Built in: the local
// filesystem backend (local_store.h, "local", the default) and the in-memory one
// (memory_store.h, "memory"); others implement the same interface and register by name in a
// BackendRegistry (backend_registry.h), which opens them from specs such as "local:PATH".
// Every backend passes the conformance suite (sealstate/testing.h), which checks the contracts
// below.
//
// Snapshots are immutable once written; `current` names the one that is in effect. Writers
// that move `current` hold the stack lock and pass its id (fencing, see lock.h); Commit does it
// all. Envelopes and what is accepted follow the EnvelopePolicy the backend was opened with.
//
// Snapshot streams: a backend may hand the caller's ByteSink/ByteSource (envelope.h) to a worker
// thread for large snapshots (above 1 MiB); see envelope.h.
//
// Thread safety: a Backend may be used from several threads; operations on one stack from
// several processes are safe (that is what the lock and the no-replace rules are for).
#pragma once

#include <sealstate/export.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
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
#include <sealstate/stream.h>
#include <sealstate/timestamp.h>

namespace sealstate {

// One line of a stack's audit journal.
struct JournalEvent {
  std::uint64_t seq = 0;  // 1, 2, 3, ... in write order
  Timestamp time;
  std::string event;    // write | set-current | remove | lock-break | force-unlock | prune | copied-from
  std::string rev;      // the revision concerned, or empty
  std::string lock_id;  // the lock held (or broken) at the time, or empty
  std::string actor;    // user@host
  std::int64_t pid = 0;
  std::string detail;  // free text, e.g. the broken holder ("pid 4242 on h1 is gone")
  // For "write": the envelope version the revision was written with (1 or 2); 0 when not
  // recorded (other events, and lines written before sealstate recorded it).
  std::int64_t envelope_version = 0;
  // For "write", what `sealstate history` shows without opening the revision: the envelope's
  // size in bytes, the snapshot's number of entries, and the operation of the lock it was
  // written under (WriteOptions::operation; Commit's LockOptions::operation). -1 and "" when
  // not recorded (other events, lines written before sealstate recorded them).
  std::int64_t size = -1;
  std::int64_t entries = -1;
  std::string operation;
  // Tamper evidence (sealstate-format(5), "Journal authentication"). What `current` named after
  // this event as the writer knew it (the high-water mark: a "set-current" line's rev, else
  // carried from the line before when that line authenticated with the writer's key);
  // std::nullopt when not known (lines written before sealstate recorded it, or after a line it
  // could not authenticate).
  std::optional<std::string> current;
  // The key id (EncrypterDescription::key_id) of the key whose journal subkey made `mac`, or
  // empty.
  std::string mac_key;
  // BLAKE2b-256 (hex) keyed with the journal subkey over the previous line's `mac` and this line
  // without `mac`; "none" for a line written without a key that can derive one (noop); empty
  // for lines written before sealstate authenticated its journal. Backends set current, mac_key
  // and mac when they append; callers' values are ignored.
  std::string mac;
  friend bool operator==(const JournalEvent&, const JournalEvent&) = default;
};

// What a journal compaction did (Backend::CompactJournal).
struct JournalCompaction {
  std::uint64_t first_kept_seq = 0;  // the oldest line kept (the journal's first seq afterwards)
  std::uint64_t dropped = 0;         // lines dropped; 0 when there was nothing to drop
  std::uint64_t mark_seq = 0;        // the seq of the "journal-compacted" line appended; 0 if none
};

// How far Backend::CheckPermissions looks.
enum class PermissionScope {
  kStack,       // the store's directories down to the stack, and the files beside the snapshots
                // (current, lock, journal): cheap, for lock-status
  kEverything,  // also every snapshot file: for verify
};

// An entry beside the revisions that is not a revision (see Backend::StrayEntries).
struct StrayEntry {
  // How the backend names it, for people (the local store: the file name in snapshots/).
  std::string name;
  // The revision List lists for this entry (one with a revision's name that is not a snapshot,
  // e.g. a directory), or empty. Prune never deletes such a revision; verify reports it as a
  // problem of that revision instead of as a stray.
  std::string rev;
  friend bool operator==(const StrayEntry&, const StrayEntry&) = default;
};

// One revision of Backend::ReplaceEnvelopes: its name and the source of its new envelope (not
// owned; it must outlive the call).
struct EnvelopeReplacement {
  std::string rev;
  ByteSource* source = nullptr;
};

// The longest WriteOptions::operation Write accepts, in bytes: the bound the lock marker's
// 4096-byte record puts on a lock's operation, so a write line always fits the journal.
inline constexpr std::size_t kMaxWriteOperationBytes = 4096;

// How Write and Commit seal a new snapshot.
struct WriteOptions {
  // The key is meant to change: skip the check that the configured key can open the current
  // revision (see Write). Key rotation will get its own operation; until then this is the way.
  bool new_key = false;
  // The id of the stack lock the caller holds (Lock::id()), or empty: recorded in the journal's
  // "write" line. Commit ignores it (it takes its own lock).
  std::string lock_id;
  // The operation of that lock (LockOptions::operation, e.g. "apply"), or empty: recorded in the
  // journal's "write" line; at most kMaxWriteOperationBytes. Commit records its own
  // LockOptions::operation instead.
  std::string operation;
};

// How SetCurrent moves the pointer.
struct SetCurrentOptions {
  // Compare-and-swap: when set ("" meaning "no current"), fails with kConflict if current is
  // something else just before the switch.
  std::optional<std::string> expected_current;
  // Fencing: the id of the stack lock the caller holds (Lock::id()). When non-empty, fails with
  // kLocked unless that lock is still the stack's lock (it was not broken meanwhile); recorded
  // in the journal. Empty: not fenced (a caller that holds no lock).
  std::string lock_id;
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
  // (invalid snapshot, one naming another stack or factory, or options.operation longer than
  // kMaxWriteOperationBytes: nothing written), kWrongKey, kIoError; kIncomplete
  // ("wrote REV (durable), but journaling it failed: ...") when the revision exists but its
  // journal line could not be written: do not write it again.
  virtual Result<std::string> Write(const Snapshot& snapshot, const WriteOptions& options) = 0;
  // Points current at `rev`, which must exist and open with the configured key as Get opens it
  // (so a v2 snapshot must carry this backend's factory and stack; errors as Get, prefixed
  // "set-current REV: "). Fenced and
  // compared per `options` (kLocked: the lock was broken, current not moved; kConflict: current
  // was not options.expected_current, not moved). Without expected_current, a damaged pointer
  // (one CurrentRev reports as kIntegrity) is replaced, and the journal's set-current event says
  // it repaired it; with it, a damaged pointer is kIntegrity. If journaling fails after the
  // pointer was replaced: kIncomplete ("current now names REV (durable), but journaling it
  // failed: ...").
  virtual Status SetCurrent(std::string_view rev, const SetCurrentOptions& options) = 0;
  // All revisions, oldest first (unobin's order). Never reads or decrypts the snapshots, nor
  // looks at their type: only names count, and a name that is not a valid revision name (see
  // revision.h) is not a revision but a stray (see StrayEntries).
  virtual Result<std::vector<std::string>> List() = 0;
  // The entries beside the revisions that are not revisions, sorted bytewise by name: for the
  // local store, files whose names are not valid revision names (e.g. "backup.json.enc"), and
  // entries with a revision's name that are not regular files (a directory, a symlink; List
  // still lists these, and StrayEntry::rev names the revision). Temporary files of writes (names
  // starting with ".") are not included. Prune never counts or deletes a stray; verify reports
  // them. This default, for backends that cannot hold anything but revisions, finds none.
  // Errors: kIoError.
  virtual Result<std::vector<StrayEntry>> StrayEntries() { return std::vector<StrayEntry>(); }
  // Removes one revision. Refuses the current one (kInvalidArgument), and any while current is
  // damaged (kIntegrity: it may be the real current one; repair current with SetCurrent). A
  // missing rev is OK. `lock_id`: as SetCurrentOptions::lock_id (fenced: kLocked, nothing
  // removed, if that lock was broken; recorded in the journal); empty: not fenced. If
  // journaling fails after the removal: kIncomplete ("removed REV, but journaling it
  // failed: ...").
  virtual Status Remove(std::string_view rev, std::string_view lock_id) = 0;

  // Takes the stack lock (see lock.h and LockOptions), waiting as options say: a waiter wakes
  // promptly (milliseconds) when the lock is released, and breaks a stale holder's lock when
  // options.break_stale (journaled "lock-break"). Errors: kLocked naming the holder ("locked by
  // USER@HOST pid PID (lock id ID, operation OP, since TIME)"), also when the timeout passed; kCancelled;
  // kInvalidArgument (options.operation too long); kIoError.
  virtual Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& options) = 0;
  // Breaks the stack's lock, whoever holds it: afterwards the holder's Lock fences (its
  // SetCurrent/Remove fail with kLocked) and its Unlock fails with kLocked only if someone else
  // took the lock since. With a non-empty `expected_id` that does not match the holder's
  // (or a holder without id): kLocked (nothing broken). No lock: OK. Journaled
  // ("force-unlock").
  virtual Status ForceUnlock(std::string_view expected_id) = 0;
  // The holder record and a verdict (lock.h). Never needs the key.
  virtual Result<LockInfo> GetLockInfo() = 0;

  // Under the lock (taken with `options`), writes the snapshot and points current at it.
  // Returns the new revision. A commit that fails before current names the new revision
  // removes that revision again (best effort), so the revision list is as before; after a
  // crash, a written but never current revision may remain (harmless; prune removes it).
  // A failure after current names the new revision (journaling the move, releasing the lock)
  // is kIncomplete, whose message says the commit took effect and what failed ("local store:
  // committed REV (durable and current), but journaling it failed: <cause>", or "...but
  // releasing the lock failed: ..."): the commit must not be retried.
  // The key check of Write is made under the lock. Errors: kInvalidArgument (as Write), kLocked,
  // kCancelled (waiting for the lock), kWrongKey (the key check: nothing written, current
  // unchanged), kIoError, kIncomplete (above).
  // This default is built from the other operations: AcquireLock, Write, SetCurrent fenced by
  // the lock, Remove of the new revision when SetCurrent fails (not when it failed because the
  // lock was broken), Unlock. A backend may override it (the local store does, to make the
  // journal durable with one fsync) with the same results: the conformance suite runs both.
  virtual Result<std::string> Commit(const Snapshot& snapshot, const LockOptions& options,
                                     const WriteOptions& write_options);

  // Journal events with seq > since_seq, oldest first.
  virtual Result<std::vector<JournalEvent>> Journal(std::uint64_t since_seq) = 0;

  // What in the stack others could change or read, as one message per finding that names the
  // place and the command that fixes it. The local store reports a store directory writable by
  // group or others, a file readable or writable by group or others, and anything owned by
  // neither this process's user nor root (a world-writable directory is refused when the store
  // is opened). Reports, never repairs. This default, for backends without file permissions,
  // finds nothing. Errors: kIoError.
  virtual Result<std::vector<std::string>> CheckPermissions(PermissionScope /*scope*/) {
    return std::vector<std::string>();
  }
  // Appends an event of the caller's (e.g. "prune", or an application's "apply") to the journal,
  // stamped with the next seq, the time, this process's user@host and pid, and `lock_id` (the
  // lock the caller holds, or empty). Durable before it returns. Errors: kInvalidArgument if the
  // event's journal line would be longer than 1 MiB (a long detail); kIntegrity if the journal
  // is corrupt; kIoError.
  virtual Status AppendJournal(std::string event, std::string rev, std::string detail, std::string lock_id) = 0;

  // Journal consumers: a program that ships the journal elsewhere (a SIEM, a chat channel)
  // keeps, per stack, the seq of the last event it has handled (its checkpoint), and reads
  // Journal(checkpoint) next time. These defaults, for backends written before they existed, are
  // kUnsupported.

  // The checkpoint of consumer `name` (ValidateName rules, kind "consumer"): the seq it last
  // stored with Checkpoint, or 0 if it never did. Errors: kInvalidArgument (bad name), kIntegrity
  // (a damaged checkpoint record), kIoError.
  virtual Result<std::uint64_t> GetCheckpoint(std::string_view /*name*/) {
    return Status::Unsupported("this backend cannot keep journal consumers' checkpoints");
  }
  // Stores `seq` as consumer `name`'s checkpoint, durably (replacing the old one atomically:
  // readers see the old or the new value); any value, also a lower one (to replay) or one beyond
  // the journal's last seq (the consumer then sees nothing new until the journal gets there).
  // Needs no lock and is not journaled. Errors: kInvalidArgument (bad name), kIoError.
  virtual Status Checkpoint(std::string_view /*name*/, std::uint64_t /*seq*/) {
    return Status::Unsupported("this backend cannot keep journal consumers' checkpoints");
  }
  // Waits until the journal holds an event with seq > `after_seq`, without polling the journal:
  // the backend is woken by the append (the local store: inotify on the stack directory).
  // Returns true when there is such an event (at once if there is one already), false when
  // `timeout` passed first (a negative timeout waits forever). Errors: kCancelled when
  // `cancelled` returns true (asked at least every 200 ms), kIntegrity (corrupt journal),
  // kIoError.
  virtual Result<bool> WaitForJournal(std::uint64_t /*after_seq*/, std::chrono::milliseconds /*timeout*/,
                                      const CancelCheck& /*cancelled*/) {
    return Status::Unsupported("this backend cannot wait for journal events");
  }

  // Journal compaction (journal_compaction.h). These defaults, for backends written before they
  // existed, are kUnsupported.

  // Every consumer with a checkpoint and its seq (GetCheckpoint), sorted by name. Errors:
  // kIntegrity (a damaged checkpoint record), kIoError.
  virtual Result<std::vector<std::pair<std::string, std::uint64_t>>> ListCheckpoints() {
    return Status::Unsupported("this backend cannot keep journal consumers' checkpoints");
  }
  // Drops the journal events with seq < `first_kept_seq` and appends a "journal-compacted" event
  // (rev empty, lock id `lock_id`, detail "kept seq K and later, dropped N line(s); chain-from
  // MAC": the MAC of the last dropped line, from which the kept lines' chain continues; see
  // sealstate-format(5)), all at once: a reader, and a crash, see the old journal or the new one.
  // The kept events keep their seqs and MACs; later events continue after the compaction line.
  // Nothing happens (dropped 0, mark_seq 0) when no event is older than `first_kept_seq`.
  // Does not look at consumers' checkpoints (CompactStackJournal does). Fenced by `lock_id` as
  // Remove (kLocked). Errors: kInvalidArgument when `first_kept_seq` is beyond the journal's last
  // event (the newest event is always kept), kIntegrity (corrupt journal), kLocked, kIoError.
  virtual Result<JournalCompaction> CompactJournal(std::uint64_t /*first_kept_seq*/, std::string_view /*lock_id*/) {
    return Status::Unsupported("this backend cannot compact its journal");
  }

  // Moving stacks between backends (copy.h). These three defaults, for backends written before
  // they existed, are kUnsupported ("this backend cannot ..."): such a backend cannot be the
  // source (ReadEnvelope) or the target (ImportEnvelope, ImportJournal) of a copy.

  // Streams revision `rev`'s stored envelope to `sink` byte for byte, without opening it (no
  // key needed). Errors: kInvalidArgument (bad rev name), kNotFound, kIntegrity (not a regular
  // file, or otherwise not a stored revision), kIoError, or the sink's error.
  virtual Status ReadEnvelope(std::string_view /*rev*/, ByteSink& /*sink*/) {
    return Status::Unsupported("this backend cannot read a revision's stored envelope");
  }
  // Stores `source`'s bytes verbatim as revision `rev` (an envelope another backend stored for
  // the same factory, stack and revision), durable before it returns, without opening it and
  // without moving current or journaling (the copy journals). The bytes must look like an
  // envelope this backend's EnvelopePolicy accepts: a v2 header naming this factory, stack and
  // `rev` (kIntegrity otherwise), or v1 where v1 is accepted (kFormat otherwise). If `rev`
  // exists already with exactly these bytes: OK (a resumed copy); with other bytes:
  // kAlreadyExists, nothing changed. Fenced by `lock_id` as Remove (kLocked). A failure leaves
  // no revision `rev` behind (unless it existed before). Errors: kInvalidArgument (bad rev
  // name), kAlreadyExists, kIntegrity, kFormat, kLocked, kIoError, or the source's error.
  virtual Status ImportEnvelope(std::string_view /*rev*/, ByteSource& /*source*/, std::string_view /*lock_id*/) {
    return Status::Unsupported("this backend cannot import a stored envelope");
  }
  // Appends `events` to the journal as they are (event, rev, lock id, actor, pid, time, detail,
  // envelope version: another backend's history), each stamped with this journal's next seq
  // (their own seq is ignored), all durable before it returns; on failure none or all of them
  // are in the journal (a backend that cannot make the batch atomic writes it with one durable
  // append and reports a torn one as the journal's damaged tail). Fenced by `lock_id` as Remove.
  // Errors: kInvalidArgument (a line longer than 1 MiB), kIntegrity (corrupt journal), kLocked,
  // kIoError.
  virtual Status ImportJournal(const std::vector<JournalEvent>& /*events*/, std::string_view /*lock_id*/) {
    return Status::Unsupported("this backend cannot import journal events");
  }

  // Key rotation (RekeyStack, key_ring.h): replaces the stored envelope of the existing revision
  // `rev` with `source`'s bytes (the same revision with its data key re-wrapped), atomically and
  // durable before it returns: a reader sees the old bytes or the new, never a mix or neither,
  // also across a crash. The bytes must start a v2 or v3 header naming this factory, stack and
  // `rev` (kIntegrity otherwise; ImportEnvelope's check). Does not journal (the caller does).
  // Fenced by `lock_id` as Remove (kLocked). Errors: kInvalidArgument (bad rev name), kNotFound
  // (no such revision: nothing is created), kIntegrity, kFormat, kLocked, kIoError, or the
  // source's error; on any error the revision keeps its old bytes. The default, for backends
  // written before it existed: kUnsupported.
  virtual Status ReplaceEnvelope(std::string_view /*rev*/, ByteSource& /*source*/, std::string_view /*lock_id*/) {
    return Status::Unsupported("this backend cannot replace a revision's stored envelope (rekey)");
  }
  // ReplaceEnvelope for several revisions (RekeyStack's batches), each replaced atomically as
  // ReplaceEnvelope replaces it, all durable before it returns. A backend may make them durable
  // together (the local store fsyncs every new file before renaming any, and its directory once).
  // Errors: as ReplaceEnvelope, for the first revision that fails; on any error each revision has
  // its old bytes or its new ones (some may have been replaced). The default replaces them one
  // by one with ReplaceEnvelope, stopping at the first error.
  virtual Status ReplaceEnvelopes(const std::vector<EnvelopeReplacement>& batch, std::string_view lock_id) {
    for (const EnvelopeReplacement& one : batch) {
      SEALSTATE_RETURN_IF_ERROR(ReplaceEnvelope(one.rev, *one.source, lock_id));
    }
    return Status::OK();
  }
  // AppendJournal for several events of the caller's, in order, all under `lock_id`: only each
  // event's `event`, `rev` and `detail` are used, and each is stamped as AppendJournal stamps it.
  // Durable before it returns; a backend may make them durable together (the local store: one
  // write and one fsync), and after a crash or an error a prefix of them may be in the journal.
  // Errors: as AppendJournal (kInvalidArgument for any line too long: nothing is appended). The
  // default appends them one by one with AppendJournal, stopping at the first error.
  virtual Status AppendJournalEvents(const std::vector<JournalEvent>& events, std::string lock_id) {
    for (const JournalEvent& e : events) {
      SEALSTATE_RETURN_IF_ERROR(AppendJournal(e.event, e.rev, e.detail, lock_id));
    }
    return Status::OK();
  }
};

}  // namespace sealstate
