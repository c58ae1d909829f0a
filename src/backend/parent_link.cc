#include "backend/parent_link.h"

#include "crypto/blake2b_sink.h"

namespace sealstate::internal {
namespace {

// The errors after which a new revision is written without a parent rather than not at all.
bool NoUsableParent(Code code) {
  return code == Code::kNoCurrent || code == Code::kIntegrity || code == Code::kNotFound || code == Code::kUnsupported;
}

}  // namespace

Result<std::string> StoredEnvelopeDigest(Backend& backend, std::string_view rev) {
  Blake2bSink digest;
  SEALSTATE_RETURN_IF_ERROR(backend.ReadEnvelope(rev, digest));
  return digest.HexDigest();
}

Result<std::optional<EnvelopeParent>> ParentForNewRevision(Backend& backend, std::int64_t written_version) {
  if (written_version != kEnvelopeV2) return std::optional<EnvelopeParent>();
  Result<std::string> current = backend.CurrentRev();
  if (!current.ok()) {
    if (NoUsableParent(current.status().code())) return std::optional<EnvelopeParent>();
    return current.status();
  }
  Result<std::string> digest = StoredEnvelopeDigest(backend, *current);
  if (!digest.ok()) {
    if (NoUsableParent(digest.status().code())) return std::optional<EnvelopeParent>();
    return digest.status().WithPrefix("reading the current revision " + *current + " to link it as the parent: ");
  }
  return std::optional<EnvelopeParent>(EnvelopeParent{.rev = *current, .blake2b = *digest});
}

}  // namespace sealstate::internal
