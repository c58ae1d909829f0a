// The one mapping from a library error Code to the CLI's exit status (sealstate(1), EXIT STATUS).
#pragma once

#include <sealstate/status.h>

namespace sealstate::cli {

inline constexpr int kExitOk = 0;          // success
inline constexpr int kExitFailure = 1;     // any other failure (I/O, unsupported, internal, ...)
inline constexpr int kExitUsage = 2;       // bad command line, missing --factory/--stack, invalid argument
inline constexpr int kExitNotFound = 3;    // no such stack or revision, no current snapshot
inline constexpr int kExitLocked = 4;      // lock held, wait timed out, force-unlock refused
inline constexpr int kExitIntegrity = 5;   // wrong key, tampered or corrupt data, unsupported format
inline constexpr int kExitIncomplete = 6;  // the change took effect, but a step after it failed (journal, unlock)

// The exit status for a failure with `code`. kOk maps to kExitOk; codes this build does not know
// map to kExitFailure.
int ExitStatusFor(Code code);

}  // namespace sealstate::cli
