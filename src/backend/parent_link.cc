#include "backend/parent_link.h"

#include "envelope/envelope_v2_header.h"

namespace sealstate::internal {
namespace {

// The errors after which a new revision is written without a parent rather than not at all.
bool NoUsableParent(Code code) {
  return code == Code::kNoCurrent || code == Code::kIntegrity || code == Code::kNotFound || code == Code::kUnsupported;
}

}  // namespace

Status EnvelopeDigestSink::Append(std::string_view data) {
  if (header_done_) return digest_.Append(data);
  const std::size_t newline = data.find('\n');
  header_.append(data.substr(0, newline));
  if (newline == std::string_view::npos) {
    // Longer than any header: not an envelope this build writes; hash it as stored.
    return header_.size() <= kV2MaxHeaderBytes ? Status::OK() : FlushHeader(std::string_view());
  }
  return FlushHeader(data.substr(newline));
}

Result<std::string> EnvelopeDigestSink::HexDigest() {
  // A header line still held (an envelope without a newline).
  if (!header_done_) SEALSTATE_RETURN_IF_ERROR(FlushHeader(std::string_view()));
  return digest_.HexDigest();
}

Status EnvelopeDigestSink::FlushHeader(std::string_view rest) {
  header_done_ = true;
  Result<EnvelopeHeader> parsed = ParseV2Header(header_);
  const bool v3 = parsed.ok() && parsed->envelope_version == kEnvelopeV3;
  SEALSTATE_RETURN_IF_ERROR(digest_.Append(v3 ? V3PayloadAssociatedData(*parsed) : header_));
  header_.clear();
  return digest_.Append(rest);
}

Result<std::string> StoredEnvelopeDigest(Backend& backend, std::string_view rev) {
  EnvelopeDigestSink digest;
  SEALSTATE_RETURN_IF_ERROR(backend.ReadEnvelope(rev, digest));
  return digest.HexDigest();
}

Result<std::optional<EnvelopeParent>> ParentForNewRevision(Backend& backend, std::int64_t written_version) {
  if (written_version < kEnvelopeV2) return std::optional<EnvelopeParent>();
  Result<std::string> current = backend.CurrentRev();
  // None, or damaged in any way (garbage, a symlink: ELOOP, ...): the commit that replaces a
  // damaged pointer must not be blocked by it (as the key check, CheckKeyOpensCurrent).
  if (!current.ok()) return std::optional<EnvelopeParent>();
  Result<std::string> digest = StoredEnvelopeDigest(backend, *current);
  if (!digest.ok()) {
    if (NoUsableParent(digest.status().code())) return std::optional<EnvelopeParent>();
    return digest.status().WithPrefix("reading the current revision " + *current + " to link it as the parent: ");
  }
  return std::optional<EnvelopeParent>(EnvelopeParent{.rev = *current, .blake2b = *digest});
}

}  // namespace sealstate::internal
