// The terminal's foreground process group, for running the child of `lock -- CMD` as the
// foreground job: the terminal then sends the keys' signals (Ctrl-C, Ctrl-\, Ctrl-Z) to the
// child's group alone, and sealstate gets them only if they are sent to it.
#pragma once

#include <sys/types.h>

namespace sealstate::cli {

// The descriptor among 0, 1 and 2 (in that order) that is this process's controlling terminal
// with this process's group in the foreground, or -1 if there is none (no terminal, another
// session's terminal, or run in the background).
int ForegroundTerminal();

// Makes `group` the foreground process group of the terminal `fd`. SIGTTOU is blocked meanwhile,
// so this works from a background group too. Async-signal-safe. Returns false if it failed.
bool GiveTerminalTo(int fd, pid_t group);

// If the terminal `fd` (>= 0) has `group` in the foreground, gives it to this process's group.
void ReclaimTerminalFrom(int fd, pid_t group);

}  // namespace sealstate::cli
