// The stack lock's holder row (S.locks) and what the server proves about it.
//
// A holder takes a session-level advisory lock (two-int form: the schema's namespace oid, and a
// key fresh from S.lock_keys for every acquisition) before its row commits, and releases it only
// after its row is gone, so: a row whose key no session holds exclusively belongs to a holder
// whose server session ended (its process died, its connection dropped): provably stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

struct PgHolderRow {
  LockHolder holder;  // detail: the session pid and the advisory key (postgres_store.h)
  std::int32_t advisory_key = 0;
  std::int32_t session_pid = 0;
};

// The stack's holder row, if any. Errors: kIntegrity for a row whose time does not parse;
// kIoError.
Result<std::optional<PgHolderRow>> ReadPgHolder(PgConnection& conn, const PgStackPlace& place);

// Whether the holder's server session still holds its advisory lock (pg_locks). Errors: kIoError.
Result<bool> PgHolderAlive(PgConnection& conn, const PgStackPlace& place, const PgHolderRow& row);

// Fencing, inside a transaction that has locked the stack's row: OK when `lock_id` is empty or
// still the holder row's; else kLocked (BrokenLockError with `not_done`). Errors: kIoError.
Status CheckPgFence(PgConnection& conn, const PgStackPlace& place, std::string_view lock_id, std::string_view not_done);

// Backend::ForceUnlock: deletes the holder row (checking `expected_id`) and journals
// "force-unlock", in one transaction.
Status ForcePgUnlock(PgConnection& conn, const PgStackPlace& place, std::string_view expected_id);

// Backend::GetLockInfo: free, held (its session holds the advisory lock) or stale (it does not).
Result<LockInfo> PgLockInfo(PgConnection& conn, const PgStackPlace& place);

// "SESSION PID" wording for messages: "server session 4242".
std::string SessionName(const PgHolderRow& row);

}  // namespace sealstate::internal
