// The postgres store's journal: see pg_journal.h.
#include "postgres/pg_journal.h"

#include <sealstate/timestamp.h>

#include "journal/journal.h"

namespace sealstate::internal {

Result<PgStatement> PgJournalInsert(const PgStackPlace& place, JournalEvent event) {
  if (event.time == Timestamp{}) event.time = NowUtc();
  SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  // The next seq and the row in one statement, under the stack row's lock (the UPDATE).
  return PgStatement{
      "WITH next AS (UPDATE " + place.Table("stacks") +
          " SET journal_seq = journal_seq + 1 WHERE id = $1 RETURNING journal_seq) INSERT INTO " +
          place.Table("journal") +
          " (stack_id, seq, time, event, rev, lock_id, actor, pid, detail, envelope_version, size, entries, "
          "operation) SELECT $1, journal_seq, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM next",
      {PgParam::Int(place.stack_id), PgParam::Text(FormatRfc3339Nano(event.time)), PgParam::Text(event.event),
       PgParam::Text(event.rev), PgParam::Text(event.lock_id), PgParam::Text(event.actor), PgParam::Int(event.pid),
       PgParam::Text(event.detail), PgParam::Int(event.envelope_version), PgParam::Int(event.size),
       PgParam::Int(event.entries), PgParam::Text(event.operation)}};
}

Status AppendPgJournal(PgConnection& conn, const PgStackPlace& place, JournalEvent event) {
  const std::string what = "journal " + event.event;
  SEALSTATE_ASSIGN_OR_RETURN(PgStatement insert, PgJournalInsert(place, std::move(event)));
  return conn.Exec(what, insert.sql, insert.params).status();
}

Result<std::vector<JournalEvent>> ReadPgJournal(PgConnection& conn, const PgStackPlace& place,
                                                std::uint64_t since_seq) {
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn.Exec("read the journal",
                "SELECT seq, time, event, rev, lock_id, actor, pid, detail, envelope_version, size, entries, "
                "operation FROM " +
                    place.Table("journal") + " WHERE stack_id = $1 AND seq > $2 ORDER BY seq",
                {PgParam::Int(place.stack_id), PgParam::Text(std::to_string(since_seq))}));
  std::vector<JournalEvent> events;
  events.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    JournalEvent e;
    e.seq = static_cast<std::uint64_t>(rows.Int(i, 0));
    Result<Timestamp> time = ParseRfc3339(rows.Text(i, 1));
    if (!time.ok()) {
      return Status::Integrity(std::string(kPostgresPrefix) + "journal seq " + std::to_string(e.seq) +
                               ": bad time: " + time.status().message());
    }
    e.time = *time;
    e.event = rows.Text(i, 2);
    e.rev = rows.Text(i, 3);
    e.lock_id = rows.Text(i, 4);
    e.actor = rows.Text(i, 5);
    e.pid = rows.Int(i, 6);
    e.detail = rows.Text(i, 7);
    e.envelope_version = rows.Int(i, 8);
    e.size = rows.Int(i, 9);
    e.entries = rows.Int(i, 10);
    e.operation = rows.Text(i, 11);
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace sealstate::internal
