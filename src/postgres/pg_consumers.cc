// Journal consumers on the postgres store: see pg_consumers.h.
#include "postgres/pg_consumers.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include <sealstate/names.h>

#include "lock/deadline.h"
#include "postgres/pg_connection_pool.h"
#include "postgres/pg_pipeline.h"

namespace sealstate::internal {
namespace {

constexpr std::chrono::milliseconds kCancelPoll{100};

std::string LastSeqSql(const PgStackPlace& place) {
  return "SELECT journal_seq FROM " + place.Table("stacks") + " WHERE id = $1";
}

Result<std::uint64_t> LastSeqOf(const PgRows& rows) {
  if (rows.empty()) return Status::NotFound(std::string(kPostgresPrefix) + "the stack's row is gone");
  return static_cast<std::uint64_t>(rows.Int(0, 0));
}

// The stack's last journal seq.
Result<std::uint64_t> LastSeq(PgConnection& conn, const PgStackPlace& place) {
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("read the journal's last seq", LastSeqSql(place), {PgParam::Int(place.stack_id)}));
  return LastSeqOf(rows);
}

// In one round trip: LISTENs on the stack's journal channel (see the notify_journal trigger,
// pg_schema.cc) and reads the last seq.
Result<std::uint64_t> ListenAndReadLastSeq(PgConnection& conn, const PgStackPlace& place) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string quoted, conn.QuoteIdentifier(place.journal_channel));
  PgPipeline pipeline(conn);
  (void)pipeline.Send("watch the journal", "LISTEN " + quoted);
  (void)pipeline.Send("read the journal's last seq", LastSeqSql(place), {PgParam::Int(place.stack_id)});
  SEALSTATE_RETURN_IF_ERROR(pipeline.Finish());
  return LastSeqOf(pipeline.result(1));
}

// Waits up to `slice` for the socket, then takes in whatever arrived (notifications dropped: the
// caller reads the last seq again). Errors: kIoError (the connection broke).
Status AwaitNotification(PgConnection& conn, std::chrono::milliseconds slice) {
  pollfd fd{Libpq().PQsocket(conn.raw()), POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(slice.count())) < 0 && errno != EINTR) {
    return conn.Failure("wait for journal events on", std::string("poll: ") + std::strerror(errno));
  }
  if (Libpq().PQconsumeInput(conn.raw()) == 0)
    return conn.Failure("wait for journal events on", Libpq().PQerrorMessage(conn.raw()));
  while (PGnotify* notification = Libpq().PQnotifies(conn.raw())) Libpq().PQfreemem(notification);
  return Status::OK();
}

Result<bool> WaitOn(PgConnection& conn, const PgStackPlace& place, std::uint64_t after_seq,
                    std::chrono::milliseconds timeout, const CancelCheck& cancelled) {
  const Deadline deadline(timeout);
  for (bool first = true;; first = false) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::uint64_t last,
                               first ? ListenAndReadLastSeq(conn, place) : LastSeq(conn, place));
    if (last > after_seq) return true;
    if (cancelled && cancelled()) {
      return Status::Cancelled(std::string(kPostgresPrefix) + "waiting for journal events was cancelled");
    }
    if (deadline.Passed()) return false;
    SEALSTATE_RETURN_IF_ERROR(
        AwaitNotification(conn, deadline.Remaining(cancelled ? kCancelPoll : std::chrono::hours(24))));
  }
}

}  // namespace

Result<std::uint64_t> ReadPgCheckpoint(PgConnection& conn, const PgStackPlace& place, std::string_view name) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("consumer", name));
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("read consumer " + std::string(name) + "'s checkpoint",
                             "SELECT seq::text FROM " + place.Table("consumers") + " WHERE stack_id = $1 AND name = $2",
                             {PgParam::Int(place.stack_id), PgParam::Text(std::string(name))}));
  if (rows.empty()) return 0;
  const std::string text = rows.Text(0, 0);
  std::uint64_t seq = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::Integrity(std::string(kPostgresPrefix) + "consumer " + std::string(name) +
                             "'s checkpoint is not a sequence number: " + text);
  }
  return seq;
}

Status WritePgCheckpoint(PgConnection& conn, const PgStackPlace& place, std::string_view name, std::uint64_t seq) {
  SEALSTATE_RETURN_IF_ERROR(ValidateName("consumer", name));
  return conn
      .Exec("store consumer " + std::string(name) + "'s checkpoint",
            "INSERT INTO " + place.Table("consumers") +
                " (stack_id, name, seq) VALUES ($1, $2, $3::numeric) "
                "ON CONFLICT (stack_id, name) DO UPDATE SET seq = EXCLUDED.seq",
            {PgParam::Int(place.stack_id), PgParam::Text(std::string(name)), PgParam::Text(std::to_string(seq))})
      .status();
}

Result<bool> WaitForPgJournal(const PgStackPlace& place, std::uint64_t after_seq, std::chrono::milliseconds timeout,
                              const CancelCheck& cancelled) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, place.lock_connections->Take());
  Result<bool> waited = WaitOn(*conn, place, after_seq, timeout, cancelled);
  if (conn->healthy() && conn->Exec("stop watching the journal", "UNLISTEN *").ok()) {
    place.lock_connections->Return(std::move(conn));
  }
  return waited;
}

}  // namespace sealstate::internal
