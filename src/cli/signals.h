// SIGINT, SIGTERM and SIGHUP while a command waits for or holds the lock: the first one asks the
// lock wait to stop (CancelRequested); a second one while no child runs ends the process the
// default way. While the child of `lock -- CMD` runs, these and SIGQUIT are forwarded to it
// instead, once each: the child runs in its own process group (see child_process.h), so a signal
// sent to sealstate's group reaches it only through sealstate.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace sealstate::cli {

// Installs the handlers of SIGINT, SIGTERM and SIGHUP (idempotent). Call before waiting for a lock.
void InstallSignalHandlers();

// True once SIGINT, SIGTERM or SIGHUP arrived while no child was registered. Async-signal-safe.
bool CancelRequested();

// The signals ForwardSignalsTo forwards: SIGINT, SIGTERM, SIGHUP and SIGQUIT.
sigset_t ForwardedSignals();

// Registers `child` (pid > 0) to receive the forwarded signals from now on (handling SIGQUIT
// too); 0 stops forwarding and gives SIGQUIT its default action back. Call with the forwarded
// signals blocked, so none arrives half-way.
void ForwardSignalsTo(pid_t child);

}  // namespace sealstate::cli
