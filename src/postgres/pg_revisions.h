// A revision's envelope on the server: one S.revisions row and its bytes in S.revision_chunks,
// one row per kPgChunkBytes, written and read one chunk at a time so memory stays bounded
// whatever the snapshot's size.
#pragma once

#include <cstdint>
#include <string>

#include <sealstate/stream.h>

#include "backend/parent_link.h"
#include "postgres/pg_connection.h"
#include "postgres/pg_pipeline.h"
#include "postgres/pg_place.h"

namespace sealstate::internal {

// The most bytes in one S.revision_chunks row.
inline constexpr std::size_t kPgChunkBytes = 1 << 20;

// Queues the bytes it is given as revision `rev`'s chunks on `pipeline`, inside the caller's
// transaction (whose S.revisions row for `rev` must be queued first): a chunk goes to the server
// as soon as it is full, without waiting for the one before. Finish queues the last partial
// chunk; the pipeline's Finish reports their results. Digests the bytes as they pass
// (EnvelopeDigestSink), for S.revisions.digest.
class PgChunkSink final : public ByteSink {
 public:
  PgChunkSink(PgPipeline& pipeline, const PgStackPlace& place, std::string rev)
      : pipeline_(pipeline), place_(place), rev_(std::move(rev)) {}
  Status Append(std::string_view data) override;
  // Queues what is buffered. Errors: kIoError.
  Status Finish();
  std::int64_t chunks() const { return chunks_; }
  std::int64_t bytes() const { return bytes_; }
  // After Finish: the envelope's digest (StoredEnvelopeDigest's). Call once.
  Result<std::string> Digest() { return digest_.HexDigest(); }

 private:
  Status Flush();
  EnvelopeDigestSink digest_;
  PgPipeline& pipeline_;
  const PgStackPlace& place_;
  const std::string rev_;
  std::string buffer_;
  std::int64_t chunks_ = 0;
  std::int64_t bytes_ = 0;
};

// Reads revision `rev`'s envelope with one SELECT whose rows (one per chunk, in order) stream in
// one at a time (libpq's single-row mode): one statement, so one snapshot (a concurrent Remove
// cannot cut it short), and the server sends the next chunk while the caller works on this one.
// Nothing else may run on `conn` while the source lives.
class PgChunkSource final : public ByteSource {
 public:
  PgChunkSource(PgConnection& conn, const PgStackPlace& place, std::string rev)
      : conn_(conn), place_(place), rev_(std::move(rev)) {}
  // Reads and drops the rows not read, so the connection is idle again.
  ~PgChunkSource() override;
  PgChunkSource(const PgChunkSource&) = delete;
  PgChunkSource& operator=(const PgChunkSource&) = delete;
  // Sends the SELECT and takes in the first chunk. Call once, before Read. Errors: kNotFound
  // ("no revision REV in stack S"); kIntegrity; kIoError.
  Status Start();
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  // The next row into chunk_ (or done_ after the last). Errors: kIntegrity; kIoError.
  Status NextRow();
  // Drops every result still coming.
  void Drain();
  PgConnection& conn_;
  const PgStackPlace& place_;
  const std::string rev_;
  bool running_ = false;  // the SELECT's results are still coming
  bool done_ = false;     // every chunk was taken in
  std::int64_t chunks_ = -1;
  std::int64_t next_chunk_ = 0;
  std::string chunk_;
  std::size_t offset_ = 0;
};

}  // namespace sealstate::internal
