// Importing a stored envelope (Backend::ImportEnvelope) the same way in every backend: the
// header check and the byte-for-byte comparison with a revision that exists already.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/envelope.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

// How many bytes of an imported envelope are read ahead to check its header: all that
// ReadEnvelopeHeader ever looks at.
inline constexpr std::size_t kImportHeadBytes = 16 * 1024;

// The envelope being imported: yields the same bytes as the source it wraps, after Check has
// read and checked their start. Not thread-safe (one reader).
class ImportedEnvelope final : public ByteSource {
 public:
  // `source` must outlive this object.
  explicit ImportedEnvelope(ByteSource& source) : source_(source) {}

  // Reads the first kImportHeadBytes and checks that they start an envelope the backend may store
  // as `binding.rev` under `policy`: a v2 header naming payload type "state" and the binding's
  // factory, stack and rev (kIntegrity naming both sides otherwise), or v1 where the policy
  // accepts v1 (kFormat otherwise). `prefix` names the backend ("local store: "). Call once,
  // before Read. Errors: as above; kIntegrity for an empty or malformed envelope; the source's.
  Status Check(const EnvelopeBinding& binding, const EnvelopePolicy& policy, std::string_view prefix);

  Result<std::size_t> Read(char* buffer, std::size_t capacity) override;

 private:
  ByteSource& source_;
  std::string head_;
  std::size_t head_pos_ = 0;
};

// Whether `a` and `b` yield exactly the same bytes, read in blocks (bounded memory). Errors:
// either source's.
Result<bool> SameBytes(ByteSource& a, ByteSource& b);

// Reads `source` to its end into `sink`, in blocks (bounded memory). Errors: either's.
Status CopyBytes(ByteSource& source, ByteSink& sink);

// kInvalidArgument unless `rev` is a valid revision name (ValidateName and ParseRevision): an
// imported envelope must be listed as a revision, not become a stray.
Status CheckImportedRevisionName(std::string_view prefix, std::string_view rev);

// kAlreadyExists: revision `rev` exists with other bytes than the imported envelope's.
Status DifferentEnvelopeError(std::string_view prefix, std::string_view rev);

}  // namespace sealstate::internal
