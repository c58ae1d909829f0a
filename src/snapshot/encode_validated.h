// Encoding a snapshot its caller has already validated, so that one commit validates once.
#pragma once

#include <sealstate/snapshot.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

// EncodeSnapshot without validating again. REQUIRES: ValidateSnapshot(snapshot) returned OK
// (encoding an invalid snapshot would write a file no reader accepts). Errors: the sink's.
Status EncodeValidatedSnapshot(const Snapshot& snapshot, ByteSink& out);

}  // namespace sealstate::internal
