#include "postgres/pg_journal_compaction.h"

#include <charconv>

#include "journal/journal_compaction_mark.h"
#include "postgres/pg_journal.h"
#include "postgres/pg_spec.h"

namespace sealstate::internal {
namespace {

// A seq the server printed as text (NULL, for an aggregate over no rows, is 0).
Result<std::uint64_t> SeqOf(const PgRows& rows, int column, std::string_view what) {
  const std::string text = rows.Text(0, column);
  if (text.empty()) return 0;
  std::uint64_t seq = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::Integrity(std::string(kPostgresPrefix) + std::string(what) + " is not a number: " + text);
  }
  return seq;
}

}  // namespace

Result<JournalCompaction> CompactPgJournal(PgConnection& conn, const PgStackPlace& place, std::uint64_t first_kept_seq,
                                           JournalEvent mark) {
  const std::vector<PgParam> params = {PgParam::Int(place.stack_id), PgParam::Text(std::to_string(first_kept_seq))};
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows counts, conn.Exec("count the journal rows to drop",
                               "SELECT (SELECT journal_seq FROM " + place.Table("stacks") + " WHERE id = $1)::text, " +
                                   "count(*)::text, (SELECT min(seq) FROM " + place.Table("journal") +
                                   " WHERE stack_id = $1 AND seq >= $2::bigint)::text FROM " + place.Table("journal") +
                                   " WHERE stack_id = $1 AND seq < $2::bigint",
                               params));
  SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t last_seq, SeqOf(counts, 0, "the journal's last seq"));
  SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t dropped, SeqOf(counts, 1, "the count of journal rows"));
  SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t kept_seq, SeqOf(counts, 2, "the first kept seq"));
  if (first_kept_seq > last_seq || kept_seq == 0) {
    return Status::InvalidArgument(std::string(kPostgresPrefix) + "journal: cannot keep only the events from seq " +
                                   std::to_string(first_kept_seq) + " on: the last event is seq " +
                                   std::to_string(last_seq) + " (the newest event is always kept)");
  }
  if (dropped == 0) return JournalCompaction{.first_kept_seq = kept_seq, .dropped = 0, .mark_seq = 0};
  // The last dropped line, whose mac the kept lines' chain continues from.
  SEALSTATE_ASSIGN_OR_RETURN(PgRows previous, conn.Exec("read the last dropped journal row",
                                                        "SELECT max(seq)::text FROM " + place.Table("journal") +
                                                            " WHERE stack_id = $1 AND seq < $2::bigint",
                                                        params));
  SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t previous_seq, SeqOf(previous, 0, "the last dropped seq"));
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<JournalEvent> from_previous,
                             ReadPgJournal(conn, place, previous_seq - 1));
  const std::string chain_from = from_previous.empty() ? std::string() : from_previous.front().mac;
  mark.event = std::string(kJournalCompactedEvent);
  mark.detail = FormatCompactionDetail({.first_kept_seq = kept_seq, .dropped = dropped, .chain_from = chain_from});
  SEALSTATE_RETURN_IF_ERROR(AppendPgJournal(conn, place, std::move(mark)));
  SEALSTATE_RETURN_IF_ERROR(
      conn.Exec("drop the compacted journal rows",
                "DELETE FROM " + place.Table("journal") + " WHERE stack_id = $1 AND seq < $2::bigint", params)
          .status());
  return JournalCompaction{.first_kept_seq = kept_seq, .dropped = dropped, .mark_seq = last_seq + 1};
}

Result<std::vector<std::pair<std::string, std::uint64_t>>> ListPgCheckpoints(PgConnection& conn,
                                                                             const PgStackPlace& place) {
  SEALSTATE_ASSIGN_OR_RETURN(PgRows rows, conn.Exec("list the journal consumers",
                                                    "SELECT name, seq::text FROM " + place.Table("consumers") +
                                                        " WHERE stack_id = $1 ORDER BY name",
                                                    {PgParam::Int(place.stack_id)}));
  std::vector<std::pair<std::string, std::uint64_t>> checkpoints;
  for (int i = 0; i < rows.size(); ++i) {
    const std::string text = rows.Text(i, 1);
    std::uint64_t seq = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Status::Integrity(std::string(kPostgresPrefix) + "consumer " + rows.Text(i, 0) +
                               "'s checkpoint is not a sequence number: " + text);
    }
    checkpoints.emplace_back(rows.Text(i, 0), seq);
  }
  return checkpoints;
}

}  // namespace sealstate::internal
