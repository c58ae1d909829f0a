// PgPipeline: see pg_pipeline.h.
#include "postgres/pg_pipeline.h"

namespace sealstate::internal {

PgPipeline::PgPipeline(PgConnection& conn) : conn_(conn) {
  entered_ = Libpq().PQenterPipelineMode(conn_.raw()) == 1;
  if (!entered_) send_failure_ = conn_.Failure("start a pipeline on", Libpq().PQerrorMessage(conn_.raw()));
}

PgPipeline::~PgPipeline() { Drain(); }

Status PgPipeline::Send(std::string_view what, const std::string& sql, const std::vector<PgParam>& params,
                        bool binary_result) {
  if (!send_failure_.ok()) return send_failure_;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PgParam& param : params) {
    values.push_back(param.null ? nullptr : param.value.data());
    lengths.push_back(static_cast<int>(param.value.size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  const int count = static_cast<int>(params.size());
  std::string name;
  if (const std::string* prepared = conn_.PreparedName(sql)) {
    name = *prepared;
  } else if (!params.empty()) {
    name = conn_.AddPrepared(sql);
    if (!name.empty()) {
      queued_.push_back(Queued{std::string(what), sql});
      if (Libpq().PQsendPrepare(conn_.raw(), name.c_str(), sql.c_str(), count, nullptr) == 0) {
        send_failure_ = conn_.Failure(std::string(what) + " on", Libpq().PQerrorMessage(conn_.raw()));
        return send_failure_;
      }
    }
  }
  const int sent = name.empty() ? Libpq().PQsendQueryParams(conn_.raw(), sql.c_str(), count, nullptr, values.data(),
                                                            lengths.data(), formats.data(), binary_result ? 1 : 0)
                                : Libpq().PQsendQueryPrepared(conn_.raw(), name.c_str(), count, values.data(),
                                                              lengths.data(), formats.data(), binary_result ? 1 : 0);
  if (sent == 0) {
    send_failure_ = conn_.Failure(std::string(what) + " on", Libpq().PQerrorMessage(conn_.raw()));
    return send_failure_;
  }
  queued_.push_back(Queued{std::string(what), ""});
  return Status::OK();
}

Status PgPipeline::Finish() {
  if (!send_failure_.ok()) return send_failure_;
  if (Libpq().PQpipelineSync(conn_.raw()) == 0) {
    return conn_.Failure("send a pipeline to", Libpq().PQerrorMessage(conn_.raw()));
  }
  synced_ = true;
  Status failure;
  for (; read_ < queued_.size(); ++read_) {
    const Queued& queued = queued_[read_];
    PGresult* result = Libpq().PQgetResult(conn_.raw());
    if (result == nullptr) {
      failure = conn_.Failure(queued.what + " on", Libpq().PQerrorMessage(conn_.raw()));
      break;
    }
    Result<PgRows> checked = conn_.CheckResult(queued.what, PgRows(result));
    if (!checked.ok()) {
      failure = checked.status();
      failed_index_ = static_cast<int>(results_.size());  // the statement (or its Parse) that failed
      break;
    }
    if (queued.prepared_sql.empty()) results_.push_back(std::move(*checked));
    // The end of this statement's results.
    while (PGresult* extra = Libpq().PQgetResult(conn_.raw())) Libpq().PQclear(extra);
  }
  Drain();
  if (!failure.ok()) return failure;
  if (!conn_.healthy()) return conn_.Failure("finish a pipeline on", Libpq().PQerrorMessage(conn_.raw()));
  return Status::OK();
}

void PgPipeline::Drain() {
  if (!entered_) return;
  entered_ = false;
  // A Parse whose success was not read (it failed, was skipped, or its result never came): not
  // prepared, as far as this session's statements know.
  for (std::size_t i = read_; i < queued_.size(); ++i) {
    if (!queued_[i].prepared_sql.empty()) conn_.ForgetPrepared(queued_[i].prepared_sql);
  }
  if (!synced_) {
    synced_ = true;
    if (Libpq().PQpipelineSync(conn_.raw()) == 0) {
      conn_.Abandon();
      return;
    }
  }
  int nothing_in_a_row = 0;
  while (Libpq().PQstatus(conn_.raw()) == CONNECTION_OK) {
    PGresult* result = Libpq().PQgetResult(conn_.raw());
    if (result != nullptr) {
      Libpq().PQclear(result);
      nothing_in_a_row = 0;
      continue;
    }
    // Between two statements' results, or after the sync's: leaving succeeds only after it.
    if (Libpq().PQexitPipelineMode(conn_.raw()) == 1) return;
    // Twice nothing with results still owed: none will come (the server is gone while libpq
    // still thinks the connection up).
    if (++nothing_in_a_row == 2) break;
  }
  conn_.Abandon();
}

}  // namespace sealstate::internal
