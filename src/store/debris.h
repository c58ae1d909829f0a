// Temp-file debris: what a crashed writer leaves behind. Cleaned only by a lock holder.
#pragma once

#include <sealstate/status.h>

#include "io/env.h"
#include "lock/process_identity.h"

namespace sealstate::internal {

// Removes the temp files (see TempNameFor) in `dir` that are abandoned. A temp file is abandoned
// when no open file description holds its OFD lock (every writer holds it from creation until
// publish, and the kernel drops it when the writer dies, in whatever pid namespace) and the pid
// in its name is not a live process here (older sealstate versions and unobin took no lock: a
// live local writer of theirs is still recognised by its pid). The lock is taken (non-blocking)
// and held while the file is unlinked, so a writer cannot start using it meanwhile. Anything
// that cannot be opened and locked as a regular file is left alone. A file whose inspection or
// removal fails is left too, and the others are still handled: housekeeping never stops at one
// odd file. Errors: kIoError from listing the directory or making the removals durable; else
// the first per-file failure, after every other file was handled.
Status RemoveDebris(Env& env, const Dir& dir, ProcessProbe& probe);

}  // namespace sealstate::internal
