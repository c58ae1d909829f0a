// One libpq connection to the server, with parameterised queries only and errors as Status.
//
// Every value reaches the server as a parameter of PQexecParams (never spliced into SQL); only
// the schema name is spliced, quoted once with PQescapeIdentifier (QuoteIdentifier). A
// connection that the server dropped (restart, terminated session) fails the call with kIoError
// and is re-established by the next call (Reconnect). Not thread-safe: one user at a time (the
// backend's mutex, or the Lock that owns it); calls may come from different threads in turn.
#pragma once

#include <libpq-fe.h>

#include "postgres/libpq_api.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <sealstate/status.h>

namespace sealstate::internal {

// The prefix of the postgres store's messages.
inline constexpr std::string_view kPostgresPrefix = "postgres store: ";

// One query parameter: text, binary (bytea) or NULL.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
  static PgParam Text(std::string text) { return PgParam{std::move(text), false, false}; }
  static PgParam Int(std::int64_t n) { return PgParam{std::to_string(n), false, false}; }
  static PgParam Bytes(std::string bytes) { return PgParam{std::move(bytes), true, false}; }
  static PgParam Null() { return PgParam{"", false, true}; }
};

// A query's result rows (owned).
class PgRows {
 public:
  explicit PgRows(PGresult* result) : result_(result, Libpq().PQclear) {}
  int size() const { return Libpq().PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int column) const { return Libpq().PQgetisnull(result_.get(), row, column) != 0; }
  // The value as text (or raw bytes, for a binary result), "" for NULL.
  std::string Text(int row, int column) const {
    return std::string(Libpq().PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(Libpq().PQgetlength(result_.get(), row, column)));
  }
  // The value of a text-format integer column; 0 for NULL or garbage.
  std::int64_t Int(int row, int column) const;
  // The number of rows an INSERT, UPDATE or DELETE touched.
  std::int64_t Affected() const;
  // PGRES_FATAL_ERROR when there is no result (out of memory, connection lost).
  ExecStatusType status() const { return result_ ? Libpq().PQresultStatus(result_.get()) : PGRES_FATAL_ERROR; }
  bool has_result() const { return result_ != nullptr; }
  // The SQLSTATE of a failed statement, or "".
  std::string sqlstate() const {
    const char* state = result_ ? Libpq().PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE) : nullptr;
    return state == nullptr ? "" : state;
  }
  const char* error_message() const { return Libpq().PQresultErrorMessage(result_.get()); }

 private:
  std::unique_ptr<PGresult, decltype(&::PQclear)> result_;
};

class PgConnection {
 public:
  // Connects with `conninfo` (a libpq URI or keyword string: the spec without sealstate's own
  // parameters). `redacted_spec` (RedactSpec) names the server in messages. Errors: kIoError
  // ("postgres store: connect to SPEC: <libpq's reason>").
  static Result<std::unique_ptr<PgConnection>> Connect(std::string conninfo, std::string redacted_spec);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement. `what` names the operation in errors ("postgres store: WHAT on SPEC:
  // <server's message> (SQLSTATE XXXXX)", kIoError); the SQLSTATE of the last failure is
  // last_sqlstate(). `binary_result`: values come back as raw bytes (for bytea). Never
  // reconnects (a transaction must not silently continue on a new session): see EnsureConnected.
  Result<PgRows> Exec(std::string_view what, const std::string& sql, const std::vector<PgParam>& params = {},
                      bool binary_result = false);
  // BEGIN (with `mode`, e.g. "ISOLATION LEVEL REPEATABLE READ READ ONLY"), COMMIT, ROLLBACK.
  // A BEGIN that finds the session gone (the server restarted, the session was terminated)
  // reconnects and begins again, once: nothing had happened yet. !wait_for_flush: the COMMIT
  // will not wait for the WAL flush (synchronous_commit off for this transaction only): for the
  // lock's own transactions (see pg_lock.h).
  Status Begin(std::string_view what, std::string_view mode = "", bool wait_for_flush = true);
  Status Commit(std::string_view what);
  // Best effort: a failed transaction ends here; errors are ignored (a lost connection ends it).
  void Rollback();
  // The SQLSTATE of the last failed Exec ("" when it failed without one, e.g. connection lost).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // The server's message of the last failed Exec.
  const std::string& last_error() const { return last_error_; }
  // `name` as a quoted SQL identifier. Errors: kInvalidArgument.
  Result<std::string> QuoteIdentifier(std::string_view name);
  // Re-establishes a lost connection (the server restarted, the session was terminated); call
  // it before an operation's first statement, never inside a transaction. Errors: kIoError.
  Status EnsureConnected();
  bool healthy() const { return Libpq().PQstatus(conn_) == CONNECTION_OK; }
  // Closes the connection, for a state libpq cannot leave (a pipeline whose results will never
  // come: the server went away while libpq still thinks it there): unhealthy from now on, and
  // the next EnsureConnected reconnects.
  void Abandon();
  // The kIoError for a failure `what` with the server's (or libpq's) message `reason`.
  Status Failure(std::string_view what, std::string_view reason) const;
  const std::string& redacted_spec() const { return redacted_spec_; }
  PGconn* raw() { return conn_; }
  // `rows` when its statement succeeded; else the failure as Exec reports it (and remembered as
  // last_sqlstate / last_error). For results read straight from libpq (PgPipeline).
  Result<PgRows> CheckResult(std::string_view what, PgRows rows);

  // The session's prepared statements, by their SQL: a statement with parameters that
  // PgPipeline sends is prepared the first time (its Parse in the same round trip), and then
  // only bound and executed, not parsed again. They live as long as the session (a reconnect or
  // Abandon forgets them); at most kMaxPrepared, later ones run unnamed. Exec does not use them.
  static constexpr std::size_t kMaxPrepared = 128;
  // The name `sql` is prepared under in this session, or nullptr.
  const std::string* PreparedName(const std::string& sql) const;
  // A fresh name for `sql`, recorded as prepared (the caller sends its Parse, and calls
  // ForgetPrepared unless the server confirmed it); "" when kMaxPrepared are.
  std::string AddPrepared(const std::string& sql);
  void ForgetPrepared(const std::string& sql) { prepared_.erase(sql); }

 private:
  PgConnection(PGconn* conn, std::string redacted_spec) : conn_(conn), redacted_spec_(std::move(redacted_spec)) {}
  PGconn* conn_;
  std::string conninfo_;
  std::string redacted_spec_;
  std::string last_sqlstate_;
  std::string last_error_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  std::uint64_t prepared_names_ = 0;                       // names handed out (never reused)
};

// Runs `body` in one transaction on `conn` (BEGIN `mode` ... COMMIT); rolls back when it fails.
// Errors: body's, or kIoError from BEGIN or COMMIT.
Status InTransaction(PgConnection& conn, std::string_view what, const std::function<Status()>& body,
                     std::string_view mode = "", bool wait_for_flush = true);

// SQLSTATEs the store acts on.
inline constexpr std::string_view kSqlUniqueViolation = "23505";
inline constexpr std::string_view kSqlLockNotAvailable = "55P03";
inline constexpr std::string_view kSqlQueryCanceled = "57014";
inline constexpr std::string_view kSqlUndefinedTable = "42P01";

}  // namespace sealstate::internal
