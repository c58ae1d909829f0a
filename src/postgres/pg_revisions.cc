// Revisions in chunks: see pg_revisions.h.
#include "postgres/pg_revisions.h"

#include <algorithm>
#include <cstring>

#include "backend/backend_checks.h"

namespace sealstate::internal {

Status PgChunkSink::Append(std::string_view data) {
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
  SEALSTATE_RETURN_IF_ERROR(
      conn_
          .Exec("write " + rev_,
                "INSERT INTO " + place_.Table("revision_chunks") +
                    " (stack_id, rev, chunk, data) VALUES ($1, $2, $3, $4)",
                {PgParam::Int(place_.stack_id), PgParam::Text(rev_), PgParam::Int(chunks_), PgParam::Bytes(buffer_)})
          .status());
  ++chunks_;
  bytes_ += static_cast<std::int64_t>(buffer_.size());
  buffer_.clear();
  return Status::OK();
}

Result<std::size_t> PgChunkSource::Read(char* buffer, std::size_t capacity) {
  while (offset_ == chunk_.size()) {
    if (next_chunk_ == chunks_) return std::size_t{0};
    SEALSTATE_ASSIGN_OR_RETURN(
        PgRows rows, conn_.Exec("read " + rev_,
                                "SELECT data FROM " + place_.Table("revision_chunks") +
                                    " WHERE stack_id = $1 AND rev = $2 AND chunk = $3",
                                {PgParam::Int(place_.stack_id), PgParam::Text(rev_), PgParam::Int(next_chunk_)},
                                /*binary_result=*/true));
    if (rows.empty()) {
      return Status::Integrity(std::string(kPostgresPrefix) + "revision " + rev_ + " is missing its chunk " +
                               std::to_string(next_chunk_) + " of " + std::to_string(chunks_));
    }
    chunk_ = rows.Text(0, 0);
    offset_ = 0;
    ++next_chunk_;
  }
  const std::size_t n = std::min(capacity, chunk_.size() - offset_);
  std::memcpy(buffer, chunk_.data() + offset_, n);
  offset_ += n;
  return n;
}

Result<std::int64_t> RevisionChunkCount(PgConnection& conn, const PgStackPlace& place, std::string_view rev) {
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows rows, conn.Exec("read " + std::string(rev),
                             "SELECT chunks FROM " + place.Table("revisions") + " WHERE stack_id = $1 AND rev = $2",
                             {PgParam::Int(place.stack_id), PgParam::Text(std::string(rev))}));
  if (rows.empty()) return NoSuchRevisionError(kPostgresPrefix, rev, place.stack);
  return rows.Int(0, 0);
}

}  // namespace sealstate::internal
