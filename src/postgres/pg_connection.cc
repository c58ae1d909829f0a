// PgConnection: libpq behind Status. See pg_connection.h.
#include "postgres/pg_connection.h"

#include <cerrno>
#include <cstdlib>

namespace sealstate::internal {
namespace {

// libpq's message without its trailing newline(s).
std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "no reason given" : text;
}

// The server's notices ("schema ... already exists, skipping") are not errors: a library does
// not print them (libpq's default prints them to stderr).
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

PGconn* ConnectRaw(const std::string& conninfo) {
  // expand_dbname: `conninfo` (a URI or keyword string) supplies everything else; libpq's
  // environment variables and ~/.pgpass fill in what it leaves out, as for psql.
  const char* keywords[] = {"dbname", "fallback_application_name", "client_encoding", nullptr};
  const char* values[] = {conninfo.c_str(), "sealstate", "UTF8", nullptr};
  PGconn* conn = Libpq().PQconnectdbParams(keywords, values, 1);
  if (conn != nullptr) Libpq().PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return conn;
}

}  // namespace

std::int64_t PgRows::Int(int row, int column) const {
  if (IsNull(row, column)) return 0;
  return std::strtoll(Libpq().PQgetvalue(result_.get(), row, column), nullptr, 10);
}

std::int64_t PgRows::Affected() const { return std::strtoll(Libpq().PQcmdTuples(result_.get()), nullptr, 10); }

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(std::string conninfo, std::string redacted_spec) {
  if (Status loaded = LoadLibpq(); !loaded.ok()) return loaded;
  PGconn* conn = ConnectRaw(conninfo);
  if (conn == nullptr) {
    return Status::IoError(std::string(kPostgresPrefix) + "connect to", redacted_spec, ENOMEM);
  }
  std::unique_ptr<PgConnection> connection(new PgConnection(conn, std::move(redacted_spec)));
  connection->conninfo_ = std::move(conninfo);
  if (Libpq().PQstatus(conn) != CONNECTION_OK) {
    return connection->Failure("connect to", Trimmed(Libpq().PQerrorMessage(conn)));
  }
  return connection;
}

PgConnection::~PgConnection() { Libpq().PQfinish(conn_); }

Status PgConnection::Failure(std::string_view what, std::string_view reason) const {
  const int err = Libpq().PQstatus(conn_) == CONNECTION_OK ? EIO : ECONNABORTED;
  return Status::IoError(std::string(kPostgresPrefix) + std::string(what), redacted_spec_, err)
      .WithSuffix(" (" + std::string(reason) + ")");
}

Status PgConnection::EnsureConnected() {
  if (Libpq().PQstatus(conn_) == CONNECTION_OK) return Status::OK();
  Libpq().PQfinish(conn_);
  prepared_.clear();
  conn_ = ConnectRaw(conninfo_);
  if (conn_ == nullptr) return Status::IoError(std::string(kPostgresPrefix) + "reconnect to", redacted_spec_, ENOMEM);
  if (Libpq().PQstatus(conn_) != CONNECTION_OK) return Failure("reconnect to", Trimmed(Libpq().PQerrorMessage(conn_)));
  return Status::OK();
}

void PgConnection::Abandon() {
  Libpq().PQfinish(conn_);
  prepared_.clear();
  conn_ = nullptr;  // libpq treats a null connection as a bad one (PQstatus: CONNECTION_BAD)
}

const std::string* PgConnection::PreparedName(const std::string& sql) const {
  const auto found = prepared_.find(sql);
  return found == prepared_.end() ? nullptr : &found->second;
}

std::string PgConnection::AddPrepared(const std::string& sql) {
  if (prepared_.size() >= kMaxPrepared) return "";
  std::string name = "sealstate_" + std::to_string(++prepared_names_);
  prepared_.emplace(sql, name);
  return name;
}

Result<PgRows> PgConnection::Exec(std::string_view what, const std::string& sql, const std::vector<PgParam>& params,
                                  bool binary_result) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const PgParam& param : params) {
    values.push_back(param.null ? nullptr : param.value.data());
    lengths.push_back(static_cast<int>(param.value.size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  PgRows rows(Libpq().PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                   lengths.data(), formats.data(), binary_result ? 1 : 0));
  return CheckResult(what, std::move(rows));
}

Result<PgRows> PgConnection::CheckResult(std::string_view what, PgRows rows) {
  const ExecStatusType status = rows.status();
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE) {
    last_sqlstate_.clear();
    last_error_.clear();
    return rows;
  }
  last_sqlstate_ = rows.sqlstate();
  last_error_ = Trimmed(rows.has_result() ? rows.error_message() : Libpq().PQerrorMessage(conn_));
  std::string reason = last_error_;
  if (!last_sqlstate_.empty()) reason += ", SQLSTATE " + last_sqlstate_;
  return Failure(std::string(what) + " on", reason);
}

Status PgConnection::Begin(std::string_view what, std::string_view mode, bool wait_for_flush) {
  std::string sql = "BEGIN";
  if (!mode.empty()) sql += " " + std::string(mode);
  if (!wait_for_flush) sql += "; SET LOCAL synchronous_commit TO off";
  // No parameters: the simple protocol, so both statements go in one round trip.
  const auto begin = [&] { return CheckResult(what, PgRows(Libpq().PQexec(conn_, sql.c_str()))).status(); };
  Status begun = begin();
  if (begun.ok() || healthy()) return begun;
  // The session was gone before anything happened (libpq learns it only now): start again on a
  // new one, once.
  SEALSTATE_RETURN_IF_ERROR(EnsureConnected());
  return begin();
}

Status PgConnection::Commit(std::string_view what) { return Exec(what, "COMMIT").status(); }

void PgConnection::Rollback() {
  if (Libpq().PQstatus(conn_) != CONNECTION_OK) return;
  Libpq().PQclear(Libpq().PQexec(conn_, "ROLLBACK"));
}

Status InTransaction(PgConnection& conn, std::string_view what, const std::function<Status()>& body,
                     std::string_view mode, bool wait_for_flush) {
  SEALSTATE_RETURN_IF_ERROR(conn.Begin(what, mode, wait_for_flush));
  Status done = body();
  if (!done.ok()) {
    conn.Rollback();
    return done;
  }
  return conn.Commit(what);
}

Result<std::string> PgConnection::QuoteIdentifier(std::string_view name) {
  char* quoted = Libpq().PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr) {
    return Status::InvalidArgument(std::string(kPostgresPrefix) + "cannot quote the name \"" + std::string(name) +
                                   "\": " + Trimmed(Libpq().PQerrorMessage(conn_)));
  }
  std::string result = quoted;
  Libpq().PQfreemem(quoted);
  return result;
}

}  // namespace sealstate::internal
