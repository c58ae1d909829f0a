#include "backend/envelope_import.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <sealstate/names.h>
#include <sealstate/revision.h>

#include "io/read_at_most.h"
#include "text/go_quote.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kCompareBlock = 64 * 1024;

std::string Names(std::string_view factory, std::string_view stack, std::string_view rev) {
  return "factory " + GoQuote(factory) + ", stack " + GoQuote(stack) + ", revision " + GoQuote(rev);
}

}  // namespace

Status ImportedEnvelope::Check(const EnvelopeBinding& binding, const EnvelopePolicy& policy, std::string_view prefix) {
  const std::string what = std::string(prefix) + "import " + binding.rev + ": ";
  head_.resize(kImportHeadBytes);
  SEALSTATE_ASSIGN_OR_RETURN(const std::size_t got, ReadAtMost(source_, head_.data(), head_.size()));
  head_.resize(got);
  if (head_.empty()) return Status::Integrity(what + "the envelope is empty");
  StringSource head(head_);
  Result<EnvelopeHeader> header = ReadEnvelopeHeader(head);
  if (!header.ok()) return header.status().WithPrefix(what);
  if (header->envelope_version == kEnvelopeV1) {
    if (policy.open_options().accept_v1) return Status::OK();
    return Status::Format(what +
                          "a v1 (unobin) envelope, which this stack does not accept (v1 binds neither stack nor "
                          "revision); open the target with unobin-compatible or accept-v1 to import v1 revisions");
  }
  if (header->payload_type != binding.payload_type || header->factory != binding.factory ||
      header->stack != binding.stack || header->rev != binding.rev) {
    return Status::Integrity(what + "the envelope is bound to " + Names(header->factory, header->stack, header->rev) +
                             " (payload type " + GoQuote(header->payload_type) + "), not to " +
                             Names(binding.factory, binding.stack, binding.rev) +
                             ": a revision can only be copied to the same factory, stack and revision name");
  }
  return Status::OK();
}

Result<std::size_t> ImportedEnvelope::Read(char* buffer, std::size_t capacity) {
  if (head_pos_ < head_.size()) {
    const std::size_t n = std::min(capacity, head_.size() - head_pos_);
    std::memcpy(buffer, head_.data() + head_pos_, n);
    head_pos_ += n;
    return n;
  }
  return source_.Read(buffer, capacity);
}

Result<bool> SameBytes(ByteSource& a, ByteSource& b) {
  std::vector<char> block_a(kCompareBlock);
  std::vector<char> block_b(kCompareBlock);
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t got_a, ReadAtMost(a, block_a.data(), block_a.size()));
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t got_b, ReadAtMost(b, block_b.data(), block_b.size()));
    if (got_a != got_b || std::memcmp(block_a.data(), block_b.data(), got_a) != 0) return false;
    if (got_a < kCompareBlock) return true;
  }
}

Status CopyBytes(ByteSource& source, ByteSink& sink) {
  std::vector<char> block(kCompareBlock);
  for (;;) {
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t got, source.Read(block.data(), block.size()));
    if (got == 0) return Status::OK();
    SEALSTATE_RETURN_IF_ERROR(sink.Append(std::string_view(block.data(), got)));
  }
}

Status CheckImportedRevisionName(std::string_view prefix, std::string_view rev) {
  Status valid = ValidateName("revision", rev);
  if (!valid.ok()) return valid.WithPrefix(std::string(prefix) + "import: ");
  if (ParseRevision(rev).valid) return Status::OK();
  return Status::InvalidArgument(
      std::string(prefix) + "import: " + GoQuote(rev) +
      " is not a revision name (an RFC 3339 UTC time such as 2026-05-12T15:30:00Z, optionally with a _N suffix)");
}

Status DifferentEnvelopeError(std::string_view prefix, std::string_view rev) {
  return Status::AlreadyExists(std::string(prefix) + "import " + std::string(rev) + ": revision " + std::string(rev) +
                               " exists already with other bytes (it was not copied from this source); nothing "
                               "changed");
}

}  // namespace sealstate::internal
