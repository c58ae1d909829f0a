// Running the command of `lock -- CMD` as a child while the parent holds the lock.
#pragma once

#include <string>
#include <vector>

#include <sealstate/status.h>

namespace sealstate::cli {

// Forks and execs `argv` (searched in PATH; stdio inherited), forwards SIGINT, SIGTERM and
// SIGHUP to it while it runs (see signals.h), and waits for it. Returns its exit status, or
// 128 + the signal number if a signal killed it (as a shell reports it); 127 if the command was
// not found and 126 if it could not be executed (the child prints why on stderr).
// REQUIRES: !argv.empty(). Errors: kIoError if fork or waitpid fail.
Result<int> RunChild(const std::vector<std::string>& argv);

}  // namespace sealstate::cli
