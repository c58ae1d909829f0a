#include "cli/terminal_foreground.h"

#include <signal.h>
#include <unistd.h>

#include <initializer_list>

namespace sealstate::cli {

int ForegroundTerminal() {
  const pid_t own_group = getpgrp();
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (isatty(fd) && tcgetpgrp(fd) == own_group) return fd;
  }
  return -1;
}

bool GiveTerminalTo(int fd, pid_t group) {
  sigset_t ttou;
  sigset_t previous;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &previous);
  const bool given = tcsetpgrp(fd, group) == 0;
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  return given;
}

void ReclaimTerminalFrom(int fd, pid_t group) {
  if (fd >= 0 && tcgetpgrp(fd) == group) (void)GiveTerminalTo(fd, getpgrp());
}

}  // namespace sealstate::cli
