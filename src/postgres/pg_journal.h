// The postgres store's journal: rows of S.journal, numbered per stack from S.stacks.journal_seq.
#pragma once

#include <cstdint>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_pipeline.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// Inside the transaction of the operation it records (which has locked the stack's row, or
// locks it here by bumping journal_seq): stamps `event` with the stack's next seq (and the time,
// if unset) and inserts it, so the event is committed exactly when the operation is. Errors:
// kInvalidArgument if its journal line would exceed 1 MiB (as the local store's); kIoError.
Status AppendPgJournal(PgConnection& conn, const PgStackPlace& place, JournalEvent event);
// AppendPgJournal's statement (its checks done here), to queue in a pipeline inside such a
// transaction. Errors: kInvalidArgument (as AppendPgJournal).
Result<PgStatement> PgJournalInsert(const PgStackPlace& place, JournalEvent event);

// Events with seq > since_seq, in seq order. Errors: kIntegrity for a row whose time does not
// parse; kIoError.
Result<std::vector<JournalEvent>> ReadPgJournal(PgConnection& conn, const PgStackPlace& place, std::uint64_t since_seq);

}  // namespace sealstate::internal
