// Reading the snapshot a user gives to commit and write.
#pragma once

#include <string>

#include <sealstate/snapshot.h>
#include <sealstate/status.h>

namespace sealstate::cli {

// Reads the whole of `path` ("" or "-" for stdin) and decodes it as a snapshot. Errors: kIoError
// (kNotFound for a missing file) naming the path; decode errors (kIntegrity, kFormat) with the
// message prefixed "invalid snapshot input: ".
Result<Snapshot> ReadSnapshotInput(const std::string& path);

}  // namespace sealstate::cli
