// The postgres store's journal: rows of S.journal, numbered per stack from S.stacks.journal_seq,
// each carrying the MAC that chains it to the row before (journal/journal_mac.h; schema
// migration 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_pipeline.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// The end of a stack's journal, which the next row's seq and MAC follow.
struct PgJournalHead {
  std::uint64_t seq = 0;                    // S.stacks.journal_seq: the last row's seq
  std::optional<JournalEvent> last;         // the row numbered seq (none when there is none)
  std::optional<JournalEvent> before_last;  // the row before it
};

// Inside a transaction (the lock it takes makes its second read, if needed, see the head whole):
// locks the stack's row (as LockStackRow) and reads the journal's head.
// Errors: kIntegrity (a row that does not parse); kIoError.
Result<PgJournalHead> ReadPgJournalHead(PgConnection& conn, const PgStackPlace& place);

// What a journal statement also changes on the stack's row, and requires of it (the fast
// commit moves `current` in the statement that journals the move). `set` (assignments) and
// `where` (conditions) are SQL fragments whose parameters are numbered from $3, in `params`'
// order; empty fragments add nothing.
struct PgStackRowChange {
  std::string set;
  std::string where;
  std::vector<PgParam> params;
};

// The statement that appends `events`, in order, after `head` (to run, or queue in a pipeline,
// inside the transaction of the operation it records, so the events are committed exactly when
// the operation is): stamps them with the seqs after head.seq (and the time, if unset), seals each
// with place.journal_mac_key chained to the rows before it (SealJournalEvent), and moves `head`
// past them. The statement updates S.stacks' row (journal_seq, and `also.set`) only if
// journal_seq is still head.seq and `also.where` holds (which locks the row); if not (another
// writer got there first, or `also`'s guard refused) it fails with kSqlNotNullViolation
// (IsPgJournalRace) and writes nothing. Errors: kInvalidArgument if a journal line would exceed
// 1 MiB (as the local store's), or `events` is empty.
Result<PgStatement> PgJournalInsert(const PgStackPlace& place, std::vector<JournalEvent> events, PgJournalHead& head,
                                    const PgStackRowChange& also = {});

// True when the last failed statement on `conn` was a PgJournalInsert that found the journal's
// head moved by another writer: nothing of it was written; read the head again and retry.
bool IsPgJournalRace(const PgConnection& conn);

// Inside the transaction of the operation it records: ReadPgJournalHead, then PgJournalInsert of
// `events` (one statement: none is written unless all are). Errors: kInvalidArgument (as
// PgJournalInsert); kIntegrity, kIoError.
Status AppendPgJournal(PgConnection& conn, const PgStackPlace& place, const std::vector<JournalEvent>& events);
inline Status AppendPgJournal(PgConnection& conn, const PgStackPlace& place, JournalEvent event) {
  return AppendPgJournal(conn, place, std::vector<JournalEvent>{std::move(event)});
}

// Events with seq > since_seq, in seq order. Errors: kIntegrity for a row whose time does not
// parse; kIoError.
Result<std::vector<JournalEvent>> ReadPgJournal(PgConnection& conn, const PgStackPlace& place, std::uint64_t since_seq);

// For a statement that reads the journal's head along with other columns of S.stacks aliased
// "s" (the one definition of that read: ReadPgJournalHead, ReadPgCurrentAndJournal and the
// store's ReadCurrentFacts use it): the select-list items to append (journal_seq, then a row's
// columns) and the join to put after the FROM items (the last two rows, one result row each,
// NULL columns when there are none; `also`, when given, a condition on "j" for more rows to join).
// The columns are cast to text, so they read the same in a statement whose results are binary.
std::string PgJournalHeadColumns();
std::string PgJournalHeadJoin(const PgStackPlace& place, const std::string& also = "");
// The head in `rows` of such a statement, whose PgJournalHeadColumns start at `first_column`.
// Errors: kIntegrity (a row that does not parse).
Result<PgJournalHead> PgJournalHeadFrom(const PgRows& rows, int first_column);

// The stack's current pointer and the end of its journal, read in one statement (one snapshot).
struct PgCurrentAndJournal {
  std::string current;  // "" when there is none
  PgJournalHead head;
  // For CheckCurrentAgainstJournal: the newest row made with one of place.opening_mac_keys and the one
  // before it, then the head's rows, oldest first (no row twice).
  std::vector<JournalEvent> tail;
};
// Errors: kIntegrity (a row that does not parse); kIoError.
Result<PgCurrentAndJournal> ReadPgCurrentAndJournal(PgConnection& conn, const PgStackPlace& place);

}  // namespace sealstate::internal
