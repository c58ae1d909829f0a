// The holder row: see pg_holder.h.
#include "postgres/pg_holder.h"

#include <sealstate/postgres_store.h>
#include <sealstate/timestamp.h>

#include "backend/backend_checks.h"
#include "journal/stamped_event.h"
#include "lock/holder_text.h"
#include "lock/process_identity.h"
#include "postgres/pg_journal.h"

namespace sealstate::internal {

std::string SessionName(const PgHolderRow& row) { return "server session " + std::to_string(row.session_pid); }

Result<std::optional<PgHolderRow>> ReadPgHolder(PgConnection& conn, const PgStackPlace& place) {
  SEALSTATE_ASSIGN_OR_RETURN(PgRows rows, conn.Exec("read the lock",
                                                    "SELECT lock_id, holder_user, holder_host, holder_pid, created, "
                                                    "operation, version, advisory_key, session_pid FROM " +
                                                        place.Table("locks") + " WHERE stack_id = $1",
                                                    {PgParam::Int(place.stack_id)}));
  if (rows.empty()) return std::optional<PgHolderRow>();
  PgHolderRow row;
  row.holder.lock_id = rows.Text(0, 0);
  row.holder.user = rows.Text(0, 1);
  row.holder.host = rows.Text(0, 2);
  row.holder.pid = rows.Int(0, 3);
  Result<Timestamp> created = ParseRfc3339(rows.Text(0, 4));
  if (!created.ok()) {
    return Status::Integrity(std::string(kPostgresPrefix) +
                             "the lock's holder row has a bad time: " + created.status().message());
  }
  row.holder.created = *created;
  row.holder.operation = rows.Text(0, 5);
  row.holder.version = rows.Text(0, 6);
  row.advisory_key = static_cast<std::int32_t>(rows.Int(0, 7));
  row.session_pid = static_cast<std::int32_t>(rows.Int(0, 8));
  row.holder.detail[std::string(kPostgresHolderSessionPid)] = std::to_string(row.session_pid);
  row.holder.detail[std::string(kPostgresHolderAdvisoryKey)] =
      std::to_string(place.namespace_oid) + "," + std::to_string(row.advisory_key);
  return std::optional<PgHolderRow>(std::move(row));
}

Result<bool> PgHolderAlive(PgConnection& conn, const PgStackPlace& place, const PgHolderRow& row) {
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("check the lock holder's session",
                             "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                             "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = $1::oid "
                             "AND objid = $2::oid AND objsubid = 2 AND mode = 'ExclusiveLock' AND granted AND pid = $3",
                             {PgParam::Text(std::to_string(place.namespace_oid)), PgParam::Int(row.advisory_key),
                              PgParam::Int(row.session_pid)}));
  return rows.Int(0, 0) > 0;
}

Status CheckPgFence(PgConnection& conn, const PgStackPlace& place, std::string_view lock_id,
                    std::string_view not_done) {
  if (lock_id.empty()) return Status::OK();
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("check the lock", "SELECT lock_id FROM " + place.Table("locks") + " WHERE stack_id = $1",
                             {PgParam::Int(place.stack_id)}));
  if (!rows.empty() && rows.Text(0, 0) == lock_id) return Status::OK();
  return BrokenLockError(kPostgresPrefix, lock_id, not_done);
}

namespace {

Status ForceUnlockLocked(PgConnection& conn, const PgStackPlace& place, std::string_view expected_id) {
  SEALSTATE_RETURN_IF_ERROR(LockStackRow(conn, place, "force-unlock"));
  SEALSTATE_ASSIGN_OR_RETURN(std::optional<PgHolderRow> row, ReadPgHolder(conn, place));
  if (!row) return Status::OK();  // no lock: idempotent
  if (!expected_id.empty() && row->holder.lock_id != expected_id) {
    return Status::Locked(std::string(kPostgresPrefix) + "the lock is held as " + row->holder.lock_id + " by " +
                          DescribeHolder(row->holder) + ", not as " + std::string(expected_id) +
                          "; nothing was broken");
  }
  SEALSTATE_RETURN_IF_ERROR(conn.Exec("force-unlock", "DELETE FROM " + place.Table("locks") + " WHERE stack_id = $1",
                                      {PgParam::Int(place.stack_id)})
                                .status());
  return AppendPgJournal(conn, place,
                         StampedEvent(ProcessProbe::Default()->Self(), "force-unlock", "", row->holder.lock_id,
                                      "removed the lock of " + DescribeHolder(row->holder)));
}

}  // namespace

Status ForcePgUnlock(PgConnection& conn, const PgStackPlace& place, std::string_view expected_id) {
  SEALSTATE_RETURN_IF_ERROR(conn.Begin("force-unlock"));
  Status done = ForceUnlockLocked(conn, place, expected_id);
  if (!done.ok()) {
    conn.Rollback();
    return done;
  }
  return conn.Commit("force-unlock");
}

Result<LockInfo> PgLockInfo(PgConnection& conn, const PgStackPlace& place) {
  LockInfo info;
  SEALSTATE_ASSIGN_OR_RETURN(std::optional<PgHolderRow> row, ReadPgHolder(conn, place));
  if (!row) {
    info.reason = "nobody holds the lock";
    return info;
  }
  SEALSTATE_ASSIGN_OR_RETURN(bool alive, PgHolderAlive(conn, place, *row));
  if (!alive) {
    // A holder deletes its row before it releases the advisory lock: if the row is still there
    // now, it was there while the lock was free, so its session is gone. If not, it was released
    // in between: read again.
    SEALSTATE_ASSIGN_OR_RETURN(std::optional<PgHolderRow> again, ReadPgHolder(conn, place));
    if (!again || again->holder.lock_id != row->holder.lock_id) return PgLockInfo(conn, place);
  }
  info.state = alive ? LockState::kHeld : LockState::kStale;
  info.reason = alive ? "its " + SessionName(*row) + " holds the lock's advisory lock"
                      : "its " + SessionName(*row) + " is gone (the advisory lock is free)";
  info.holder = std::move(row->holder);
  return info;
}

}  // namespace sealstate::internal
