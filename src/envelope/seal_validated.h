// Sealing a snapshot its caller has already validated (LocalStore validates before any I/O).
#pragma once

#include <cstdint>

#include <sealstate/envelope.h>

namespace sealstate::internal {

// SealSnapshot without validating the snapshot again. REQUIRES: ValidateSnapshot(snapshot)
// returned OK. Still checks the snapshot's stack and factory against `binding`. Errors: as
// SealSnapshot.
Status SealValidatedSnapshot(const Snapshot& snapshot, std::int64_t envelope_version, const EnvelopeBinding& binding,
                             const Encrypter& encrypter, ByteSink& out, Compression compression);

}  // namespace sealstate::internal
