// Reading the snapshot a user gives to commit and write.
#pragma once

#include <string>

#include <sealstate/snapshot.h>
#include <sealstate/status.h>

namespace sealstate::cli {

// Decodes the snapshot in `path` ("" or "-" for stdin) as it reads it (no whole-file copy).
// Errors: kIoError (kNotFound for a missing file) naming the path; decode errors (kIntegrity,
// kFormat) with the message prefixed "invalid snapshot input: ".
Result<Snapshot> ReadSnapshotInput(const std::string& path);

}  // namespace sealstate::cli
