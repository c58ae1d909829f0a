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
// The lock: held by a Lock object of this process. Verdicts (lock.h): free or held; a lock is
// never stale or unknown, because its holder is in this process (destroying the Lock releases
// it). LockHolder::detail is empty.
//
// Thread safety: as Backend.
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

// Opens (and with options.create, creates) a stack of the named store. Errors:
// kInvalidArgument for a bad store, factory or stack name; kNotFound for a missing stack when
// !create.
SEALSTATE_EXPORT Result<std::unique_ptr<Backend>> OpenMemoryStore(const MemoryStoreOptions& options);

// Forgets every stack of the named store (Backends already open on it keep working on their
// stacks, which no new Backend will see). For tests that reuse a name. Unknown names: OK.
SEALSTATE_EXPORT void ForgetMemoryStore(std::string_view name);

}  // namespace sealstate
