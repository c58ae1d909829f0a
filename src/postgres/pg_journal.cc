// The postgres store's journal: see pg_journal.h.
#include "postgres/pg_journal.h"

#include <sealstate/timestamp.h>

#include "journal/journal.h"
#include "journal/journal_mac.h"

namespace sealstate::internal {
namespace {

// A failed NOT NULL constraint: PgJournalInsert's seq when its compare-and-swap found the head moved.
constexpr std::string_view kSqlNotNullViolation = "23502";

// The columns a journal row is read from (EventAt), each prefixed with `alias` and followed by
// `cast` (e.g. "::text", so a statement whose results come back in binary reads them as text).
std::string EventColumns(const std::string& alias, const std::string& cast = "") {
  std::string columns;
  for (const char* column : {"seq", "time", "event", "rev", "lock_id", "actor", "pid", "detail", "envelope_version",
                             "size", "entries", "operation", "current", "mac_key", "mac"}) {
    if (!columns.empty()) columns += ", ";
    columns += alias + column + cast;
  }
  return columns;
}

// The event in row `i` of `rows`, whose EventColumns start at column `first`.
Result<JournalEvent> EventAt(const PgRows& rows, int i, int first) {
  JournalEvent e;
  e.seq = static_cast<std::uint64_t>(rows.Int(i, first));
  Result<Timestamp> time = ParseRfc3339(rows.Text(i, first + 1));
  if (!time.ok()) {
    return Status::Integrity(std::string(kPostgresPrefix) + "journal seq " + std::to_string(e.seq) +
                             ": bad time: " + time.status().message());
  }
  e.time = *time;
  e.event = rows.Text(i, first + 2);
  e.rev = rows.Text(i, first + 3);
  e.lock_id = rows.Text(i, first + 4);
  e.actor = rows.Text(i, first + 5);
  e.pid = rows.Int(i, first + 6);
  e.detail = rows.Text(i, first + 7);
  e.envelope_version = rows.Int(i, first + 8);
  e.size = rows.Int(i, first + 9);
  e.entries = rows.Int(i, first + 10);
  e.operation = rows.Text(i, first + 11);
  if (!rows.IsNull(i, first + 12)) e.current = rows.Text(i, first + 12);
  e.mac_key = rows.Text(i, first + 13);
  e.mac = rows.Text(i, first + 14);
  return e;
}

// `rows` (column `seq_column`: journal_seq; the events from column seq_column + 1, NULL when the
// LEFT JOIN found none), as the head and the events in order.
Result<PgJournalHead> HeadOf(const PgRows& rows, int seq_column, std::vector<JournalEvent>* events) {
  PgJournalHead head;
  if (rows.empty()) return head;
  head.seq = static_cast<std::uint64_t>(rows.Int(0, seq_column));
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.IsNull(i, seq_column + 1)) continue;
    SEALSTATE_ASSIGN_OR_RETURN(JournalEvent event, EventAt(rows, i, seq_column + 1));
    if (event.seq == head.seq) head.last = event;
    if (event.seq + 1 == head.seq) head.before_last = event;
    if (events != nullptr) events->push_back(std::move(event));
  }
  return head;
}

// The key ids of `keys` as a PostgreSQL text array literal, each element quoted.
std::string KeyIdArray(const JournalMacKeys& keys) {
  std::string out = "{";
  for (const std::shared_ptr<const JournalMacKey>& key : keys) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : key->key_id) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

Result<PgJournalHead> ReadPgJournalHead(PgConnection& conn, const PgStackPlace& place) {
  const auto read = [&]() -> Result<PgJournalHead> {
    SEALSTATE_ASSIGN_OR_RETURN(
        PgRows rows,
        conn.Exec("read the journal's head",
                  "SELECT " + PgJournalHeadColumns() + " FROM (SELECT id, journal_seq FROM " + place.Table("stacks") +
                      " WHERE id = $1 FOR NO KEY UPDATE) s" + PgJournalHeadJoin(place) + " ORDER BY j.seq",
                  {PgParam::Int(place.stack_id)}));
    return HeadOf(rows, 0, nullptr);
  };
  SEALSTATE_ASSIGN_OR_RETURN(PgJournalHead head, read());
  // Having waited for the row lock, the statement saw the stack's row as the writer before left
  // it, but the journal as it was when the statement began: the lock held now, read again.
  if (head.seq > 0 && !head.last) return read();
  return head;
}

Result<PgStatement> PgJournalInsert(const PgStackPlace& place, std::vector<JournalEvent> events, PgJournalHead& head,
                                    const PgStackRowChange& also) {
  if (events.empty()) return Status::InvalidArgument("journal: no event to append");
  const Timestamp now = NowUtc();
  for (JournalEvent& event : events) {
    if (event.time == Timestamp{}) event.time = now;
    SEALSTATE_RETURN_IF_ERROR(CheckJournalLineLength(event));
  }
  // $1 the stack, $2 the head's seq, then `also`'s parameters, then 14 for each event.
  PgStatement statement;
  statement.params = {PgParam::Int(place.stack_id), PgParam::Int(static_cast<std::int64_t>(head.seq))};
  statement.params.insert(statement.params.end(), also.params.begin(), also.params.end());
  // The seq, bumped under the stack row's lock (the UPDATE) only if the head is still the one the
  // MACs were chained to and `also`'s guard holds; if not, the seqs are NULL and the INSERT fails
  // (kSqlNotNullViolation).
  const std::size_t count = events.size();
  statement.sql = "WITH next AS (UPDATE " + place.Table("stacks") + " SET journal_seq = journal_seq + " +
                  std::to_string(count) + (also.set.empty() ? "" : ", " + also.set) +
                  " WHERE id = $1 AND journal_seq = $2" + (also.where.empty() ? "" : " AND (" + also.where + ")") +
                  " RETURNING journal_seq) INSERT INTO " + place.Table("journal") +
                  " (stack_id, seq, time, event, rev, lock_id, actor, pid, detail, envelope_version, size, entries, "
                  "operation, current, mac_key, mac) VALUES ";
  for (std::size_t i = 0; i < count; ++i) {
    JournalEvent& event = events[i];
    event.seq = head.seq + 1;
    SealJournalEvent(event, head.last ? &*head.last : nullptr, head.before_last ? &*head.before_last : nullptr,
                     place.journal_mac_key.get());
    const std::size_t first = statement.params.size() + 1;
    statement.sql +=
        std::string(i == 0 ? "" : ", ") + "($1, (SELECT journal_seq FROM next) - " + std::to_string(count - 1 - i);
    for (std::size_t p = first; p < first + 14; ++p) statement.sql += ", $" + std::to_string(p);
    statement.sql += ")";
    statement.params.insert(
        statement.params.end(),
        {PgParam::Text(FormatRfc3339Nano(event.time)), PgParam::Text(event.event), PgParam::Text(event.rev),
         PgParam::Text(event.lock_id), PgParam::Text(event.actor), PgParam::Int(event.pid), PgParam::Text(event.detail),
         PgParam::Int(event.envelope_version), PgParam::Int(event.size), PgParam::Int(event.entries),
         PgParam::Text(event.operation), event.current ? PgParam::Text(*event.current) : PgParam::Null(),
         PgParam::Text(event.mac_key), PgParam::Text(event.mac)});
    head.seq = event.seq;
    head.before_last = std::move(head.last);
    head.last = std::move(event);
  }
  return statement;
}

bool IsPgJournalRace(const PgConnection& conn) { return conn.last_sqlstate() == kSqlNotNullViolation; }

Status AppendPgJournal(PgConnection& conn, const PgStackPlace& place, const std::vector<JournalEvent>& events) {
  if (events.empty()) return Status::OK();
  SEALSTATE_ASSIGN_OR_RETURN(PgJournalHead head, ReadPgJournalHead(conn, place));
  SEALSTATE_ASSIGN_OR_RETURN(PgStatement insert, PgJournalInsert(place, events, head));
  return conn.Exec("journal " + events.front().event, insert.sql, insert.params).status();
}

Result<std::vector<JournalEvent>> ReadPgJournal(PgConnection& conn, const PgStackPlace& place,
                                                std::uint64_t since_seq) {
  SEALSTATE_ASSIGN_OR_RETURN(PgRows rows,
                             conn.Exec("read the journal",
                                       "SELECT " + EventColumns("") + " FROM " + place.Table("journal") +
                                           " WHERE stack_id = $1 AND seq > $2 ORDER BY seq",
                                       {PgParam::Int(place.stack_id), PgParam::Text(std::to_string(since_seq))}));
  std::vector<JournalEvent> events;
  events.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    SEALSTATE_ASSIGN_OR_RETURN(JournalEvent event, EventAt(rows, i, 0));
    events.push_back(std::move(event));
  }
  return events;
}

std::string PgJournalHeadColumns() { return "s.journal_seq::text, " + EventColumns("j.", "::text"); }

std::string PgJournalHeadJoin(const PgStackPlace& place, const std::string& also) {
  return " LEFT JOIN " + place.Table("journal") + " j ON j.stack_id = s.id AND (j.seq >= s.journal_seq - 1" +
         (also.empty() ? "" : " OR " + also) + ")";
}

Result<PgJournalHead> PgJournalHeadFrom(const PgRows& rows, int first_column) {
  return HeadOf(rows, first_column, nullptr);
}

Result<PgCurrentAndJournal> ReadPgCurrentAndJournal(PgConnection& conn, const PgStackPlace& place) {
  // The head's two rows, and the newest row made with one of the keys (k) with the one before it.
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn.Exec("read current",
                "SELECT coalesce(s.current, ''), " + PgJournalHeadColumns() + " FROM " + place.Table("stacks") +
                    " s CROSS JOIN (SELECT max(seq) AS seq FROM " + place.Table("journal") +
                    " WHERE stack_id = $1 AND mac_key = ANY ($2::text[])) k" +
                    PgJournalHeadJoin(place, "j.seq IN (k.seq - 1, k.seq)") + " WHERE s.id = $1 ORDER BY j.seq",
                {PgParam::Int(place.stack_id), PgParam::Text(KeyIdArray(place.opening_mac_keys))}));
  PgCurrentAndJournal read;
  if (rows.empty()) return read;
  read.current = rows.Text(0, 0);
  SEALSTATE_ASSIGN_OR_RETURN(read.head, HeadOf(rows, 1, &read.tail));
  return read;
}

}  // namespace sealstate::internal
