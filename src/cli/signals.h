// SIGINT, SIGTERM and SIGHUP while a command waits for or holds the lock: the first one asks the
// lock wait to stop (CancelRequested), or is forwarded to the child of `lock -- CMD`; a second
// one while no child runs ends the process the default way.
#pragma once

#include <sys/types.h>

namespace sealstate::cli {

// Installs the handlers (idempotent). Call before waiting for a lock.
void InstallSignalHandlers();

// True once SIGINT, SIGTERM or SIGHUP arrived while no child was registered. Async-signal-safe.
bool CancelRequested();

// Registers `child` (pid > 0) to receive the signals from now on; 0 stops forwarding.
void ForwardSignalsTo(pid_t child);

}  // namespace sealstate::cli
