// AcquirePgLock and PgLock: see pg_lock.h.
#include "postgres/pg_lock.h"

#include <mutex>

#include <sealstate/postgres_store.h>

#include "journal/stamped_event.h"
#include "lock/holder_text.h"
#include "lock/new_holder.h"
#include "lock/process_identity.h"
#include "postgres/pg_journal.h"
#include "postgres/pg_pipeline.h"

namespace sealstate::internal {
namespace {

std::string NamespaceKey(const PgStackPlace& place) {
  return std::to_string(static_cast<std::int32_t>(place.namespace_oid));
}

class PgLock final : public Lock {
 public:
  PgLock(std::shared_ptr<const PgStackPlace> place, std::unique_ptr<PgConnection> conn, std::string id,
         std::int32_t key)
      : place_(std::move(place)), conn_(std::move(conn)), id_(std::move(id)), key_(key) {}
  ~PgLock() override { (void)Unlock(); }
  const std::string& id() const override { return id_; }
  Status Unlock() override;

 private:
  // In one round trip: deletes this lock's row (if it is still this lock's), commits, then
  // releases the advisory lock. Returns whether someone else's row is there instead.
  Result<bool> DeleteRowAndRelease();

  const std::shared_ptr<const PgStackPlace> place_;
  std::mutex mutex_;
  std::unique_ptr<PgConnection> conn_;  // null once released (back in the pool)
  const std::string id_;
  const std::int32_t key_;
  bool released_ = false;
};

Result<bool> PgLock::DeleteRowAndRelease() {
  PgPipeline pipeline(*conn_);
  (void)pipeline.Send("unlock", "BEGIN");
  (void)pipeline.Send("unlock", "SET LOCAL synchronous_commit TO off");
  // After any acquirer that is judging this holder right now (pg_holder.h).
  (void)pipeline.Send("unlock", LockStackRowSql(*place_), {PgParam::Int(place_->stack_id)});
  // Whether the row is someone else's now (ours was broken), in the statement that deletes ours.
  (void)pipeline.Send("unlock",
                      "WITH gone AS (DELETE FROM " + place_->Table("locks") +
                          " WHERE stack_id = $1 AND lock_id = $2 RETURNING 1) SELECT NOT EXISTS (SELECT 1 FROM gone) "
                          "AND EXISTS (SELECT 1 FROM " +
                          place_->Table("locks") + " WHERE stack_id = $1 AND lock_id <> $2)",
                      {PgParam::Int(place_->stack_id), PgParam::Text(id_)});
  (void)pipeline.Send("unlock", "COMMIT");
  // After the row is gone, never before (pg_holder.h): a failure above skips it. A new session
  // has nothing to release (false, not an error).
  (void)pipeline.Send("unlock", "SELECT pg_advisory_unlock($1::int4, $2::int4)",
                      {PgParam::Text(NamespaceKey(*place_)), PgParam::Int(key_)});
  const Status done = pipeline.Finish();
  constexpr int kDelete = 3;
  constexpr int kAdvisoryUnlock = 5;
  if (!done.ok() && pipeline.failed_index() != kAdvisoryUnlock) {
    if (pipeline.failed_index() >= 0 && conn_->healthy()) conn_->Rollback();
    return done;
  }
  return pipeline.result(kDelete).Text(0, 0) == "t";
}

Status PgLock::Unlock() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (released_) return Status::OK();
  // A session the server dropped took the advisory lock with it; the row is still ours to delete.
  SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
  Result<bool> someone_else = DeleteRowAndRelease();
  if (!someone_else.ok() && !conn_->healthy()) {
    // The session was gone before anything happened (libpq learns it only now): once more on a
    // new one.
    SEALSTATE_RETURN_IF_ERROR(conn_->EnsureConnected());
    someone_else = DeleteRowAndRelease();
  }
  SEALSTATE_RETURN_IF_ERROR(someone_else.status());
  released_ = true;
  place_->lock_connections->Return(std::move(conn_));
  if (*someone_else) {
    return Status::Locked(std::string(kPostgresPrefix) + "the lock " + id_ +
                          " was broken while held and someone else holds the lock now; nothing was released");
  }
  return Status::OK();
}

Status LockedError(const PgHolderRow& row, std::string_view why) {
  return Status::Locked(std::string(kPostgresPrefix) + "locked by " + DescribeHolder(row.holder) + std::string(why));
}

// What one attempt found: the lock (taken), or the live holder in the way.
struct Attempt {
  std::unique_ptr<Lock> lock;
  std::optional<PgHolderRow> blocker;
};

// Inside the attempt's transaction: breaks a stale holder's row (journaled), then takes the
// lock for `holder`. Returns the live holder in the way instead, if there is one.
Result<std::optional<PgHolderRow>> TakeLocked(PgConnection& conn, const PgStackPlace& place, const LockHolder& holder,
                                              const LockOptions& options, std::int32_t& key) {
  SEALSTATE_RETURN_IF_ERROR(LockStackRow(conn, place, "lock"));
  SEALSTATE_ASSIGN_OR_RETURN(std::optional<PgHolderRow> row, ReadPgHolder(conn, place));
  if (row) {
    SEALSTATE_ASSIGN_OR_RETURN(bool alive, PgHolderAlive(conn, place, *row));
    if (alive) return row;
    if (!options.break_stale) {
      return LockedError(*row, "; it is stale (its " + SessionName(*row) + " is gone): break it with force-unlock");
    }
    SEALSTATE_RETURN_IF_ERROR(conn.Exec("break the stale lock",
                                        "DELETE FROM " + place.Table("locks") + " WHERE stack_id = $1",
                                        {PgParam::Int(place.stack_id)})
                                  .status());
    SEALSTATE_RETURN_IF_ERROR(AppendPgJournal(
        conn, place,
        StampedEvent(
            ProcessProbe::Default()->Self(), "lock-break", "", row->holder.lock_id,
            "broke the stale lock of " + DescribeHolder(row->holder) + ": its " + SessionName(*row) + " is gone")));
  }
  // A fresh key, and the session-level advisory lock on it: held until Unlock or the session
  // ends, whatever this transaction does.
  SEALSTATE_ASSIGN_OR_RETURN(PgRows fresh,
                             conn.Exec("lock",
                                       "SELECT k, pg_backend_pid(), pg_advisory_lock($2::int4, k) FROM "
                                       "(SELECT nextval($1::regclass)::int4 AS k) fresh",
                                       {PgParam::Text(place.Table("lock_keys")), PgParam::Text(NamespaceKey(place))}));
  key = static_cast<std::int32_t>(fresh.Int(0, 0));
  // "created" is when the lock was taken, not when the wait for it began.
  SEALSTATE_RETURN_IF_ERROR(
      conn.Exec("lock",
                "INSERT INTO " + place.Table("locks") +
                    " (stack_id, lock_id, holder_user, holder_host, holder_pid, created, operation, version, "
                    "advisory_key, session_pid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                {PgParam::Int(place.stack_id), PgParam::Text(holder.lock_id), PgParam::Text(holder.user),
                 PgParam::Text(holder.host), PgParam::Int(holder.pid), PgParam::Text(FormatRfc3339Nano(NowUtc())),
                 PgParam::Text(holder.operation), PgParam::Text(holder.version), PgParam::Int(key),
                 PgParam::Int(fresh.Int(0, 1))})
          .status());
  return std::optional<PgHolderRow>();
}

// The common case in one round trip: when no holder row is there, inserts ours with a fresh
// key, takes that key's advisory lock and commits. Returns the key, or 0 when a holder row was
// there (then nothing changed: TakeLocked judges that holder). With `then`, its read follows
// the COMMIT in the same round trip (its rows kept only when the lock was taken).
Result<std::int32_t> TakeFree(PgConnection& conn, const PgStackPlace& place, const LockHolder& holder,
                              PgReadAfterLock* then) {
  if (then != nullptr) then->rows.reset();
  PgPipeline pipeline(conn);
  (void)pipeline.Send("lock", "BEGIN");
  (void)pipeline.Send("lock", "SET LOCAL synchronous_commit TO off");
  (void)pipeline.Send("lock", LockStackRowSql(place), {PgParam::Int(place.stack_id)});
  // The advisory lock only for a row that went in, before it commits (pg_holder.h).
  (void)pipeline.Send(
      "lock",
      "WITH taken AS (INSERT INTO " + place.Table("locks") +
          " (stack_id, lock_id, holder_user, holder_host, holder_pid, created, operation, version, advisory_key, "
          "session_pid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nextval($9::regclass)::int4, pg_backend_pid()) "
          "ON CONFLICT (stack_id) DO NOTHING RETURNING advisory_key) "
          "SELECT advisory_key, pg_advisory_lock($10::int4, advisory_key) FROM taken",
      {PgParam::Int(place.stack_id), PgParam::Text(holder.lock_id), PgParam::Text(holder.user),
       PgParam::Text(holder.host), PgParam::Int(holder.pid), PgParam::Text(FormatRfc3339Nano(NowUtc())),
       PgParam::Text(holder.operation), PgParam::Text(holder.version), PgParam::Text(place.Table("lock_keys")),
       PgParam::Text(NamespaceKey(place))});
  (void)pipeline.Send("lock", "COMMIT");
  if (then != nullptr) {
    (void)pipeline.Send("read after the lock", then->statement.sql, then->statement.params, then->binary_result);
  }
  constexpr int kInsert = 3;
  constexpr int kRead = 5;
  Status done = pipeline.Finish();
  // The read alone failed: the lock is taken all the same (the caller reads again).
  if (!done.ok() && pipeline.failed_index() == kRead) done = Status::OK();
  if (!done.ok()) {
    // Whatever was taken goes: this connection holds no other advisory lock (a Lock owns its own).
    if (pipeline.failed_index() >= 0 && conn.healthy()) {
      conn.Rollback();
      (void)conn.Exec("lock", "SELECT pg_advisory_unlock_all()");
    }
    return done;
  }
  const PgRows& taken = pipeline.result(kInsert);
  if (taken.empty()) return 0;
  if (then != nullptr && pipeline.succeeded() > kRead) then->rows = pipeline.TakeResult(kRead);
  return static_cast<std::int32_t>(taken.Int(0, 0));
}

Result<Attempt> TryTake(std::shared_ptr<const PgStackPlace> place, std::unique_ptr<PgConnection>& conn,
                        const LockHolder& holder, const LockOptions& options, PgReadAfterLock* then) {
  Result<std::int32_t> free_key = TakeFree(*conn, *place, holder, then);
  if (!free_key.ok() && !conn->healthy()) {
    // The session was gone before anything happened (libpq learns it only now): once more on a
    // new one.
    SEALSTATE_RETURN_IF_ERROR(conn->EnsureConnected());
    free_key = TakeFree(*conn, *place, holder, then);
  }
  SEALSTATE_RETURN_IF_ERROR(free_key.status());
  if (*free_key != 0) {
    return Attempt{std::make_unique<PgLock>(std::move(place), std::move(conn), holder.lock_id, *free_key),
                   std::nullopt};
  }
  SEALSTATE_RETURN_IF_ERROR(conn->Begin("lock", "", /*wait_for_flush=*/false));
  std::int32_t key = 0;
  Result<std::optional<PgHolderRow>> blocker = TakeLocked(*conn, *place, holder, options, key);
  const bool taken = blocker.ok() && !blocker->has_value();
  Status done = blocker.ok() ? Status::OK() : blocker.status();
  if (taken) {
    done = conn->Commit("lock");
  } else {
    conn->Rollback();
  }
  if (!taken || !done.ok()) {
    if (key != 0) {
      (void)conn->Exec("lock", "SELECT pg_advisory_unlock($1::int4, $2::int4)",
                       {PgParam::Text(NamespaceKey(*place)), PgParam::Int(key)});
    }
    SEALSTATE_RETURN_IF_ERROR(done);
    return Attempt{nullptr, std::move(*blocker)};
  }
  return Attempt{std::make_unique<PgLock>(std::move(place), std::move(conn), holder.lock_id, key), std::nullopt};
}

// Takes the lock on `conn` (which the Lock then owns), waiting and breaking as options say.
Result<std::unique_ptr<Lock>> WaitAndTake(const std::shared_ptr<const PgStackPlace>& place,
                                          std::unique_ptr<PgConnection>& conn, const LockHolder& holder,
                                          const LockOptions& options, const Deadline& deadline, PgReadAfterLock* then) {
  while (true) {
    SEALSTATE_ASSIGN_OR_RETURN(Attempt attempt, TryTake(place, conn, holder, options, then));
    if (attempt.lock) return std::move(attempt.lock);
    if (options.cancelled && options.cancelled()) {
      return Status::Cancelled(std::string(kPostgresPrefix) + "cancelled while waiting for the lock");
    }
    if (deadline.Passed()) return LockedError(*attempt.blocker, "");
    SEALSTATE_RETURN_IF_ERROR(WaitForPgRelease(*conn, *place, *attempt.blocker, deadline, options.cancelled));
  }
}

}  // namespace

Result<std::unique_ptr<Lock>> AcquirePgLock(std::shared_ptr<const PgStackPlace> place, const LockOptions& options,
                                            PgReadAfterLock* then) {
  SEALSTATE_ASSIGN_OR_RETURN(LockHolder holder, NewProcessHolder(options, kPostgresPrefix));
  const Deadline deadline(options.timeout);
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, place->lock_connections->Take());
  SEALSTATE_RETURN_IF_ERROR(conn->EnsureConnected());  // an idle one may have lost its session
  Result<std::unique_ptr<Lock>> lock = WaitAndTake(place, conn, holder, options, deadline, then);
  if (conn) place->lock_connections->Return(std::move(conn));
  return lock;
}

}  // namespace sealstate::internal
