// The postgres store's journal compaction (Backend::CompactJournal, ListCheckpoints).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// Inside a transaction that has locked the stack's row (LockStackRow) and checked the fence:
// deletes the journal rows with seq < first_kept_seq and appends `mark` as the
// "journal-compacted" event (its detail set here; AppendPgJournal), so both commit together.
// The stack's journal_seq is untouched: later events continue after the mark. Nothing happens
// when no row is older than first_kept_seq. Errors: kInvalidArgument (first_kept_seq beyond the
// last event), kIoError.
Result<JournalCompaction> CompactPgJournal(PgConnection& conn, const PgStackPlace& place, std::uint64_t first_kept_seq,
                                           JournalEvent mark);

// Every consumer of the stack with a checkpoint and its seq, sorted by name. Errors: kIntegrity
// (a checkpoint that is not a seq), kIoError.
Result<std::vector<std::pair<std::string, std::uint64_t>>> ListPgCheckpoints(PgConnection& conn,
                                                                             const PgStackPlace& place);

}  // namespace sealstate::internal
