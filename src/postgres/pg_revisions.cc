// Revisions in chunks: see pg_revisions.h.
#include "postgres/pg_revisions.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "backend/backend_checks.h"

namespace sealstate::internal {

Status PgChunkSink::Append(std::string_view data) {
  SEALSTATE_RETURN_IF_ERROR(digest_.Append(data));
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), kPgChunkBytes - buffer_.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() == kPgChunkBytes) SEALSTATE_RETURN_IF_ERROR(Flush());
  }
  return Status::OK();
}

Status PgChunkSink::Finish() { return buffer_.empty() ? Status::OK() : Flush(); }

Status PgChunkSink::Flush() {
  const std::int64_t size = static_cast<std::int64_t>(buffer_.size());
  // The buffer goes in as the parameter and comes back after (libpq has copied it): no copy of
  // the chunk of our own, and its memory is reused for the next one.
  std::vector<PgParam> params = {PgParam::Int(place_.stack_id), PgParam::Text(rev_), PgParam::Int(chunks_),
                                 PgParam::Bytes(std::move(buffer_))};
  const Status sent = pipeline_.Send(
      "write " + rev_,
      "INSERT INTO " + place_.Table("revision_chunks") + " (stack_id, rev, chunk, data) VALUES ($1, $2, $3, $4)",
      params);
  buffer_ = std::move(params.back().value);
  buffer_.clear();
  SEALSTATE_RETURN_IF_ERROR(sent);
  ++chunks_;
  bytes_ += size;
  return Status::OK();
}

PgChunkSource::~PgChunkSource() { Drain(); }

void PgChunkSource::Drain() {
  if (!running_) return;
  while (PGresult* result = Libpq().PQgetResult(conn_.raw())) Libpq().PQclear(result);
  running_ = false;
}

Status PgChunkSource::Start() {
  // Binary results: the bytes as stored; the numbers as text (PgRows::Int).
  const std::string sql = "SELECT r.chunks::text, c.chunk::text, c.data FROM " + place_.Table("revisions") +
                          " r LEFT JOIN " + place_.Table("revision_chunks") +
                          " c ON c.stack_id = r.stack_id AND c.rev = r.rev WHERE r.stack_id = $1 AND r.rev = $2 "
                          "ORDER BY c.chunk";
  const std::string stack_id = std::to_string(place_.stack_id);
  const char* values[] = {stack_id.c_str(), rev_.c_str()};
  if (Libpq().PQsendQueryParams(conn_.raw(), sql.c_str(), 2, nullptr, values, nullptr, nullptr, 1) == 0) {
    return conn_.Failure("read " + rev_ + " on", Libpq().PQerrorMessage(conn_.raw()));
  }
  running_ = true;
  (void)Libpq().PQsetSingleRowMode(conn_.raw());
  SEALSTATE_RETURN_IF_ERROR(NextRow());
  if (chunks_ < 0) return NoSuchRevisionError(kPostgresPrefix, rev_, place_.stack);
  return Status::OK();
}

Status PgChunkSource::NextRow() {
  PGresult* raw = Libpq().PQgetResult(conn_.raw());
  if (raw == nullptr) {
    running_ = false;
    return conn_.Failure("read " + rev_ + " on", Libpq().PQerrorMessage(conn_.raw()));
  }
  SEALSTATE_ASSIGN_OR_RETURN(PgRows row, conn_.CheckResult("read " + rev_, PgRows(raw)));
  if (row.status() == PGRES_TUPLES_OK) {  // after the last row
    Drain();
    done_ = true;
    if (chunks_ >= 0 && next_chunk_ != chunks_) {
      return Status::Integrity(std::string(kPostgresPrefix) + "revision " + rev_ + " is missing its chunk " +
                               std::to_string(next_chunk_) + " of " + std::to_string(chunks_));
    }
    return Status::OK();
  }
  chunks_ = row.Int(0, 0);
  if (next_chunk_ == chunks_) {  // rows past the count are not the envelope's
    Drain();
    done_ = true;
    return Status::OK();
  }
  if (row.IsNull(0, 1)) {  // no chunk at all
    chunk_.clear();
    offset_ = 0;
    return Status::OK();
  }
  if (row.Int(0, 1) != next_chunk_) {
    return Status::Integrity(std::string(kPostgresPrefix) + "revision " + rev_ + " is missing its chunk " +
                             std::to_string(next_chunk_) + " of " + std::to_string(chunks_));
  }
  chunk_ = row.Text(0, 2);
  offset_ = 0;
  ++next_chunk_;
  return Status::OK();
}

Result<std::size_t> PgChunkSource::Read(char* buffer, std::size_t capacity) {
  while (offset_ == chunk_.size()) {
    if (done_) return std::size_t{0};
    SEALSTATE_RETURN_IF_ERROR(NextRow());
  }
  const std::size_t n = std::min(capacity, chunk_.size() - offset_);
  std::memcpy(buffer, chunk_.data() + offset_, n);
  offset_ += n;
  return n;
}

}  // namespace sealstate::internal
