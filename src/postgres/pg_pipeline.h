// Several statements in one round trip to the server (libpq pipeline mode, libpq 14+).
//
// Send queues a statement (its bytes leave as libpq's buffer fills, without waiting for any
// result); Finish sends the sync and reads every result, in order. The server runs them one
// after another; a statement that fails makes it skip the rest (libpq reports them as aborted),
// so a pipeline that begins a transaction leaves it aborted on failure: roll it back. Parameters
// go as PQsendQueryParams parameters, never spliced into SQL (as PgConnection::Exec). A statement
// with parameters is prepared on the session the first time it is sent (its Parse queued just
// before it: no extra round trip), then executed by name (PgConnection::PreparedName).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>

#include "postgres/pg_connection.h"

namespace sealstate::internal {

// One statement and its parameters, built to be queued (PgPipeline::Send).
struct PgStatement {
  std::string sql;
  std::vector<PgParam> params;
};

class PgPipeline {
 public:
  // Enters pipeline mode on `conn`, which must be idle (no statement running).
  explicit PgPipeline(PgConnection& conn);
  // Reads and drops whatever is still outstanding, and leaves pipeline mode.
  ~PgPipeline();
  PgPipeline(const PgPipeline&) = delete;
  PgPipeline& operator=(const PgPipeline&) = delete;

  // Queues one statement; returns its index in Finish's results. Errors: kIoError (libpq could
  // not queue or send it: the connection broke), reported again by Finish.
  Status Send(std::string_view what, const std::string& sql, const std::vector<PgParam>& params = {},
              bool binary_result = false);
  Status Send(std::string_view what, const PgStatement& statement) {
    return Send(what, statement.sql, statement.params);
  }
  // Syncs and reads every queued statement's result, and leaves pipeline mode. Errors: the first
  // failed statement's kIoError (as PgConnection::Exec words it; failed_index() says which), or
  // the connection's.
  Status Finish();
  // The index of the statement that failed Finish, or -1 when none did (or the connection broke
  // before any result).
  int failed_index() const { return failed_index_; }
  // After Finish: the result of statement `i` (which must have succeeded: i < succeeded()).
  const PgRows& result(std::size_t i) const { return results_[i]; }
  // As result(i), moved out.
  PgRows TakeResult(std::size_t i) { return std::move(results_[i]); }
  std::size_t succeeded() const { return results_.size(); }

 private:
  // Reads results up to and including the sync's; drops them.
  void Drain();
  // What was queued, in order: a statement, or the Parse that prepares the statement after it
  // (PgConnection::AddPrepared), whose result Finish checks but does not return.
  struct Queued {
    std::string what;
    std::string prepared_sql;  // a Parse's SQL; "" for a statement
  };
  PgConnection& conn_;
  std::vector<Queued> queued_;
  std::size_t read_ = 0;  // how many of queued_ Finish read the result of
  std::vector<PgRows> results_;
  Status send_failure_;
  bool entered_ = false;
  bool synced_ = false;
  int failed_index_ = -1;
};

}  // namespace sealstate::internal
