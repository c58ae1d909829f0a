// Temp-file debris: what a crashed writer leaves behind. Cleaned only by a lock holder.
#pragma once

#include <sealstate/status.h>

#include "io/env.h"
#include "lock/process_identity.h"

namespace sealstate::internal {

// Removes temp files (see TempNameFor) in `dir` whose creating process is gone. Files of live
// processes, this one included, are left alone: they may be mid-write. Returns how many were
// removed. Errors: kIoError from listing or removing.
Result<int> RemoveDebris(Env& env, const Dir& dir, ProcessProbe& probe);

}  // namespace sealstate::internal
