// A revision's envelope on the server: one S.revisions row and its bytes in S.revision_chunks,
// one row per kPgChunkBytes, written and read one chunk at a time so memory stays bounded
// whatever the snapshot's size.
#pragma once

#include <cstdint>
#include <string>

#include <sealstate/stream.h>

#include "postgres/pg_connection.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// The most bytes in one S.revision_chunks row.
inline constexpr std::size_t kPgChunkBytes = 1 << 20;

// Appends the bytes it is given to revision `rev`'s chunks, inside the caller's transaction
// (whose S.revisions row for `rev` must exist first). Finish writes the last partial chunk.
class PgChunkSink final : public ByteSink {
 public:
  PgChunkSink(PgConnection& conn, const PgStackPlace& place, std::string rev)
      : conn_(conn), place_(place), rev_(std::move(rev)) {}
  Status Append(std::string_view data) override;
  // Writes what is buffered. Errors: kIoError.
  Status Finish();
  std::int64_t chunks() const { return chunks_; }
  std::int64_t bytes() const { return bytes_; }

 private:
  Status Flush();
  PgConnection& conn_;
  const PgStackPlace& place_;
  const std::string rev_;
  std::string buffer_;
  std::int64_t chunks_ = 0;
  std::int64_t bytes_ = 0;
};

// Reads revision `rev`'s envelope chunk by chunk (one SELECT per chunk). Use inside a
// REPEATABLE READ transaction so that a concurrent Remove cannot cut it short.
class PgChunkSource final : public ByteSource {
 public:
  PgChunkSource(PgConnection& conn, const PgStackPlace& place, std::string rev, std::int64_t chunks)
      : conn_(conn), place_(place), rev_(std::move(rev)), chunks_(chunks) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  PgConnection& conn_;
  const PgStackPlace& place_;
  const std::string rev_;
  const std::int64_t chunks_;
  std::int64_t next_chunk_ = 0;
  std::string chunk_;
  std::size_t offset_ = 0;
};

// The number of chunks of revision `rev`. Errors: kNotFound ("no revision REV in stack S");
// kIoError.
Result<std::int64_t> RevisionChunkCount(PgConnection& conn, const PgStackPlace& place, std::string_view rev);

}  // namespace sealstate::internal
