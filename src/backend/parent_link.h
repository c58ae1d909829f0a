// The parent link of a new revision (EnvelopeParent): which revision current names and the
// BLAKE2b digest of its stored envelope. Every backend's Write and Commit use this one function,
// and VerifyChain uses the same digest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/envelope.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "crypto/blake2b_sink.h"

namespace sealstate::internal {

// StoredEnvelopeDigest's digest of the envelope bytes appended to it, computed as they pass (a
// writer that sees every byte it stores gets the digest without reading them back): the bytes
// as stored, except that a v3 header line is hashed without its recipients and recipients-mac
// (its sealed part, V3PayloadAssociatedData). Constant memory beyond the header line.
class EnvelopeDigestSink final : public ByteSink {
 public:
  Status Append(std::string_view data) override;
  // The digest (64 lower-case hex digits) of everything appended. Call once, at the end.
  Result<std::string> HexDigest();

 private:
  Status FlushHeader(std::string_view rest);
  Blake2bSink digest_;
  std::string header_;
  bool header_done_ = false;
};

// The BLAKE2b-256 digest (64 lower-case hex digits) of revision `rev`'s stored envelope, read
// with backend.ReadEnvelope: hashes the bytes as stored, never opens or decrypts them, except
// that a v3 header line is hashed without its recipients and recipients-mac (its sealed part),
// so a revision rekey re-wrapped keeps its digest.
// Errors: ReadEnvelope's (kNotFound for a missing revision).
Result<std::string> StoredEnvelopeDigest(Backend& backend, std::string_view rev);

// The parent a revision written now records: none when `written_version` is v1 (v1 cannot
// carry it), when there is no current, when the pointer is damaged in any way or
// names a revision that is gone (the write that replaces it must not be blocked), or when the backend
// cannot read stored envelopes (kUnsupported). Reads the whole current envelope once (hashing
// it costs about as much as reading it). Errors: ReadEnvelope's other errors.
Result<std::optional<EnvelopeParent>> ParentForNewRevision(Backend& backend, std::int64_t written_version);

}  // namespace sealstate::internal
