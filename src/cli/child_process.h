// Running the command of `lock -- CMD` as a child while the parent holds the lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sealstate/status.h>

namespace sealstate::cli {

// How the child ended.
struct ChildExit {
  // Its exit status; 128 + the signal number if a signal killed it (as a shell reports it); 127
  // if the command was not found and 126 if it could not be executed (the child prints why).
  int exit_status = 0;
  std::optional<int> signal;  // the signal that killed it, if one did
};

// Forks and execs `argv` (searched in PATH; stdio inherited) and waits for it.
//
// Every signal reaches the child once. It runs in a process group of its own, so a signal sent
// to sealstate's group (a CI runner stopping a job) does not reach it directly, and SIGINT,
// SIGTERM, SIGHUP and SIGQUIT that sealstate receives are forwarded to it (signals.h). When
// sealstate is the foreground job of its controlling terminal (ForegroundTerminal), the child's
// group becomes the terminal's foreground group while it runs, so the terminal's Ctrl-C reaches
// the child alone, and the terminal is given back afterwards. If the child stops (Ctrl-Z),
// sealstate stops too, so the shell sees the job stopped; when sealstate is continued it continues
// the child (in the foreground again if sealstate is). If sealstate dies, the kernel kills the
// child (SIGKILL), which must not run on without the lock.
//
// REQUIRES: !argv.empty(). Errors: kIoError if fork or waitpid fail.
Result<ChildExit> RunChild(const std::vector<std::string>& argv);

}  // namespace sealstate::cli
