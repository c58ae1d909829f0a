// The postgres store's stack lock: AcquireLock and the Lock it returns (see pg_holder.h for the
// holder row and its liveness, postgres_store.h for the contract).
//
// Each Lock owns a connection of its own: its server session holds the advisory lock for as
// long as the Lock is held, so the lock dies with the holder's process or connection.
//
// The transactions that only take, release or break the lock do not wait for their WAL flush:
// a server crash ends every session and so every holder's advisory lock anyway, and a holder row
// that comes back is provably stale. The next synchronous commit (a Commit's) flushes them.
#pragma once

#include <memory>
#include <optional>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "lock/deadline.h"
#include "postgres/pg_connection.h"
#include "postgres/pg_holder.h"
#include "postgres/pg_pipeline.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// A read-only statement to run on the lock's connection right after the lock is taken, in the
// same round trip (when the lock is free): what the holder reads first (Commit's read of current).
struct PgReadAfterLock {
  PgStatement statement;
  bool binary_result = false;
  std::optional<PgRows> rows;  // its result; none when the lock was not free or the read failed
};

// Backend::AcquireLock. With `then`, also runs its statement as it says. Errors: kLocked naming
// the holder (also a stale one when !options.break_stale), kCancelled, kInvalidArgument
// (operation too long), kIoError.
Result<std::unique_ptr<Lock>> AcquirePgLock(std::shared_ptr<const PgStackPlace> place, const LockOptions& options,
                                            PgReadAfterLock* then = nullptr);

// How long one wait on a holder's advisory lock lasts before the waiter reads the holder row
// again (a force-unlock frees the row but not the broken holder's advisory lock).
inline constexpr std::chrono::milliseconds kPgWaitSlice{200};
// How often a cancellable waiter asks LockOptions::cancelled.
inline constexpr std::chrono::milliseconds kPgCancelPoll{5};

// Waits until `blocker`'s advisory lock is free (the holder released it or its session ended),
// kPgWaitSlice passed, or the deadline passed: by taking and at once releasing it in shared
// mode, asynchronously, watching the socket so that LockOptions::cancelled is asked every
// kPgCancelPoll (a cancelled or timed-out wait is cancelled on the server with PQcancel).
// Errors: kCancelled; kIoError.
Status WaitForPgRelease(PgConnection& conn, const PgStackPlace& place, const PgHolderRow& blocker,
                        const Deadline& deadline, const CancelCheck& cancelled);

}  // namespace sealstate::internal
