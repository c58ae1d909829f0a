// MemoryStore: a Backend that keeps stacks in this process's memory, for tests of the tools that
// embed sealstate (with the noop encrypter) and as the reference a backend's behaviour is
// compared with.
//
// A real backend, not a mock: snapshots are sealed and opened through the same envelopes and
// encrypters as on disk; the lock has holders, waiting with timeout and prompt wake-up,
// cancellation, force-unlock by id and fencing; `current` supports compare-and-swap; the journal
// has sequence numbers. Nothing survives the process.
//
// Stores are named: every Backend opened on the same store name in one process shares its stacks,
// so a test can run "two tools" against one stack. Registered as backend "memory" (spec
// "memory:NAME").
//
// Behaviour and errors are the local store's (backend.h), with messages that start "memory
// store: " where the local store's start "local store: ". Revisions are named as unobin names
// them (revision.h: the time of the write, with a "_N" suffix when taken), unique per stack.
// Envelopes follow MemoryStoreOptions::envelope exactly as on disk (v1 written when
// unobin_compatible, v1 read only when accepted, plaintext refused unless allowed or the
// encrypter is noop), and Write makes the same key check. Nothing can be damaged or stray in
// memory: there is no damaged `current` to repair, StrayEntries finds none, CheckPermissions
// finds nothing, and ReadHeader reads the stored envelope's header. Journaling an operation's
// own event never fails, so kIncomplete comes only from Commit, which is Backend's default (lock, write, set-current
// fenced by the lock, unlock), when its lock was broken and taken by another holder after
// current moved (the unlock fails).
//
// The lock: held by a Lock object of this process, with a holder record (lock id, user, host and
// pid of this process, time, operation, version; LockHolder::detail is empty). Verdicts (lock.h):
// free or held; a lock is never stale or unknown, because its holder is in this process
// (destroying the Lock releases it), so LockOptions::break_stale never applies. A waiter sleeps
// until the lock is released (woken at once), the timeout passes, or, when
// LockOptions::cancelled is set, that callback returns true (asked every 5 ms, outside the
// store's internal mutex, so it may use the store). LockOptions::operation is refused
// (kInvalidArgument) where the local store refuses it (see local_store.h: about 3.8 KB, less the
// length of the host and user names), so code tested on memory behaves the same on disk.
// ForceUnlock, fencing and Unlock of a broken lock behave as backend.h and lock.h say; nothing
// else breaks a lock.
//
// The journal: the local store's events and fields ("write" with its envelope version,
// "set-current", "remove", "force-unlock", and AppendJournal's), stamped with this process's
// user@host and pid, numbered 1, 2, 3, ... per stack. AppendJournal refuses an event whose
// journal line would exceed 1 MiB, as the local store does.
//
// Thread safety: as Backend. Backends and Locks on one stack may be used from any threads.
#pragma once

#include <sealstate/export.h>

#include <memory>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/status.h>

namespace sealstate {

struct MemoryStoreOptions {
  // The shared store's name: any non-empty string of at most 255 bytes.
  std::string name;
  std::string factory;  // validated with ValidateName
  std::string stack;    // validated with ValidateName
  // Seals and opens snapshots. May be null for lock-only and list-only use; reading or writing
  // a snapshot without one fails with kInvalidArgument.
  std::shared_ptr<const Encrypter> encrypter;
  // Which envelopes are written and read: see EnvelopePolicy.
  EnvelopePolicy envelope;
  // Create the stack if it is missing. When false, a missing stack is kNotFound ("no such stack").
  bool create = true;
};

// Opens (and with options.create, creates) a stack of the named store; the store is created
// with its first stack. Every call with the same name, factory and stack (until the store is
// forgotten) opens the same stack. Errors: kInvalidArgument for a bad store, factory or stack
// name; kNotFound ("memory store: no such stack: FACTORY/STACK in store "NAME"") for a missing
// stack when !create.
SEALSTATE_EXPORT Result<std::unique_ptr<Backend>> OpenMemoryStore(const MemoryStoreOptions& options);

// Forgets every stack of the named store (Backends already open on it keep working on their
// stacks, which no new Backend will see). For tests that reuse a name. Unknown names: OK.
SEALSTATE_EXPORT void ForgetMemoryStore(std::string_view name);

}  // namespace sealstate
