#include "cli/child_process.h"

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "cli/signals.h"
#include "cli/terminal_foreground.h"

namespace sealstate::cli {
namespace {

constexpr int kExitNotFound = 127;
constexpr int kExitCannotExecute = 126;

// In the child, before exec: its own process group, the terminal if sealstate had it, death with
// the parent, default signal actions, and the signal mask sealstate started with.
[[noreturn]] void ExecChild(const std::vector<char*>& args, const sigset_t& mask, int terminal, pid_t parent) {
  setpgid(0, 0);
  if (terminal >= 0) GiveTerminalTo(terminal, getpid());
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kExitCannotExecute);  // sealstate died before prctl took effect
  sigset_t forwarded = ForwardedSignals();
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&forwarded, sig) == 1) std::signal(sig, SIG_DFL);
  }
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  execvp(args[0], args.data());
  const int err = errno;
  std::fprintf(stderr, "sealstate: %s: %s\n", args[0], std::strerror(err));
  _exit(err == ENOENT ? kExitNotFound : kExitCannotExecute);
}

// The child stopped (Ctrl-Z, SIGSTOP, reading the terminal from the background): stops sealstate
// the same way, so its shell sees the job stopped, and once sealstate is continued, continues
// the child, in the terminal's foreground if sealstate is in it now (`fg`). `terminal` is the
// terminal given to the child, or -1; updated.
void StopAlong(pid_t child, int stop_signal, int& terminal) {
  ReclaimTerminalFrom(terminal, child);
  kill(getpid(), stop_signal);  // returns once continued
  terminal = ForegroundTerminal();
  if (terminal >= 0 && !GiveTerminalTo(terminal, child)) terminal = -1;
  killpg(child, SIGCONT);
}

// Waits for the child to end, stopping along with it. `terminal` as for StopAlong.
Result<ChildExit> WaitFor(pid_t child, int& terminal) {
  int status = 0;
  for (;;) {
    if (waitpid(child, &status, WUNTRACED) < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("waitpid", std::to_string(child), errno);
    }
    if (!WIFSTOPPED(status)) break;
    StopAlong(child, WSTOPSIG(status), terminal);
  }
  if (WIFSIGNALED(status)) return ChildExit{128 + WTERMSIG(status), WTERMSIG(status)};
  return ChildExit{WEXITSTATUS(status), std::nullopt};
}

}  // namespace

Result<ChildExit> RunChild(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  InstallSignalHandlers();
  int terminal = ForegroundTerminal();
  const pid_t parent = getpid();
  // Block the forwarded signals until the child is registered, so none is lost in between.
  sigset_t forwarded = ForwardedSignals();
  sigset_t previous;
  sigprocmask(SIG_BLOCK, &forwarded, &previous);
  const pid_t child = fork();
  if (child == 0) ExecChild(args, previous, terminal, parent);
  const int fork_errno = errno;
  if (child > 0) {
    setpgid(child, child);  // also here, so the group exists whichever runs first (an error
                            // means the child has already exec'd, after doing it itself)
    if (terminal >= 0) GiveTerminalTo(terminal, child);
    ForwardSignalsTo(child);
  }
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (child < 0) return Status::IoError("fork", argv[0], fork_errno);
  auto ended = WaitFor(child, terminal);
  sigprocmask(SIG_BLOCK, &forwarded, nullptr);
  ForwardSignalsTo(0);
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  ReclaimTerminalFrom(terminal, child);
  return ended;
}

}  // namespace sealstate::cli
