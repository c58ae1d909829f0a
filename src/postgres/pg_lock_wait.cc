// WaitForPgRelease: see pg_lock.h.
#include <poll.h>

#include <algorithm>

#include "postgres/pg_lock.h"

namespace sealstate::internal {
namespace {

// Cancels the running query and reads (drops) its result, so the connection is idle again.
void CancelRunning(PgConnection& conn) {
  PGcancel* cancel = Libpq().PQgetCancel(conn.raw());
  if (cancel != nullptr) {
    char error[256];
    (void)Libpq().PQcancel(cancel, error, sizeof error);
    Libpq().PQfreeCancel(cancel);
  }
  while (PGresult* result = Libpq().PQgetResult(conn.raw())) Libpq().PQclear(result);
}

// Waits for the socket to be readable for at most `slice`; false on a poll error.
bool WaitReadable(PgConnection& conn, std::chrono::milliseconds slice) {
  pollfd fd{Libpq().PQsocket(conn.raw()), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(slice.count())) >= 0 || errno == EINTR;
}

// Back to no lock_timeout, which the wait set for the whole session.
Status ResetLockTimeout(PgConnection& conn) {
  return conn.Exec("wait for the lock", "SELECT set_config('lock_timeout', '0', false)").status();
}

}  // namespace

Status WaitForPgRelease(PgConnection& conn, const PgStackPlace& place, const PgHolderRow& blocker,
                        const Deadline& deadline, const CancelCheck& cancelled) {
  const std::chrono::milliseconds slice = deadline.Remaining(kPgWaitSlice);
  if (slice.count() == 0) return Status::OK();
  SEALSTATE_RETURN_IF_ERROR(conn.Exec("wait for the lock", "SELECT set_config('lock_timeout', $1, false)",
                                      {PgParam::Text(std::to_string(slice.count()) + "ms")})
                                .status());
  const std::string ns = std::to_string(static_cast<std::int32_t>(place.namespace_oid));
  const std::string key = std::to_string(blocker.advisory_key);
  const std::string sql =
      "SELECT pg_advisory_lock_shared($1::int4, $2::int4), pg_advisory_unlock_shared($1::int4, "
      "$2::int4)";
  const char* values[] = {ns.c_str(), key.c_str()};
  if (Libpq().PQsendQueryParams(conn.raw(), sql.c_str(), 2, nullptr, values, nullptr, nullptr, 0) == 0) {
    return conn.Failure("wait for the lock on", Libpq().PQerrorMessage(conn.raw()));
  }
  while (Libpq().PQisBusy(conn.raw()) != 0) {
    if (cancelled && cancelled()) {
      CancelRunning(conn);
      SEALSTATE_RETURN_IF_ERROR(ResetLockTimeout(conn));  // the connection goes back to the pool
      return Status::Cancelled(std::string(kPostgresPrefix) + "cancelled while waiting for the lock");
    }
    const std::chrono::milliseconds poll = cancelled ? kPgCancelPoll : slice;
    if (!WaitReadable(conn, poll) || Libpq().PQconsumeInput(conn.raw()) == 0) {
      return conn.Failure("wait for the lock on", Libpq().PQerrorMessage(conn.raw()));
    }
    if (deadline.Passed() && Libpq().PQisBusy(conn.raw()) != 0) {
      CancelRunning(conn);
      break;
    }
  }
  // The lock came free (or lock_timeout ended the slice, 55P03): either way, read the row again.
  std::string failure;
  while (PGresult* result = Libpq().PQgetResult(conn.raw())) {
    const ExecStatusType status = Libpq().PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR) {
      const char* state = Libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE);
      if (state == nullptr || (state != kSqlLockNotAvailable && state != kSqlQueryCanceled)) {
        failure = Libpq().PQresultErrorMessage(result);
      }
    }
    Libpq().PQclear(result);
  }
  if (!failure.empty() || Libpq().PQstatus(conn.raw()) != CONNECTION_OK) {
    if (conn.healthy()) (void)ResetLockTimeout(conn);
    return conn.Failure("wait for the lock on", failure.empty() ? Libpq().PQerrorMessage(conn.raw()) : failure);
  }
  return ResetLockTimeout(conn);
}

}  // namespace sealstate::internal
