// The postgres store's journal consumers: checkpoints in S.consumers, and waiting for the
// journal with LISTEN (S.journal's trigger notifies when an inserting transaction commits).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// Consumer `name`'s checkpoint, 0 when it has none. Errors: kInvalidArgument (a name
// ValidateName refuses), kIoError.
Result<std::uint64_t> ReadPgCheckpoint(PgConnection& conn, const PgStackPlace& place, std::string_view name);

// Stores `seq` as consumer `name`'s checkpoint (one upsert: readers see the old or the new).
// Errors: kInvalidArgument (bad name), kIoError.
Status WritePgCheckpoint(PgConnection& conn, const PgStackPlace& place, std::string_view name, std::uint64_t seq);

// Backend::WaitForJournal on a connection of its own (from place.lock_connections, so the store's
// connection stays free): LISTEN on the stack's channel, then read the stack's last seq, then
// wait on the socket for a notification. `cancelled` is asked every 100 ms at most.
Result<bool> WaitForPgJournal(const PgStackPlace& place, std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled);

}  // namespace sealstate::internal
