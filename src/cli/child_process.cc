#include "cli/child_process.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "cli/signals.h"

namespace sealstate::cli {
namespace {

constexpr int kExitNotFound = 127;
constexpr int kExitCannotExecute = 126;

[[noreturn]] void ExecChild(const std::vector<char*>& args, const sigset_t& mask) {
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  execvp(args[0], args.data());
  const int err = errno;
  std::fprintf(stderr, "sealstate: %s: %s\n", args[0], std::strerror(err));
  _exit(err == ENOENT ? kExitNotFound : kExitCannotExecute);
}

Result<int> WaitFor(pid_t child) {
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return Status::IoError("waitpid", std::to_string(child), errno);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

Result<int> RunChild(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  InstallSignalHandlers();
  // Block the forwarded signals until the child is registered, so none is lost in between.
  sigset_t forwarded;
  sigset_t previous;
  sigemptyset(&forwarded);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&forwarded, sig);
  sigprocmask(SIG_BLOCK, &forwarded, &previous);
  const pid_t child = fork();
  if (child == 0) ExecChild(args, previous);
  const int fork_errno = errno;
  if (child > 0) ForwardSignalsTo(child);
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (child < 0) return Status::IoError("fork", argv[0], fork_errno);
  auto status = WaitFor(child);
  ForwardSignalsTo(0);
  return status;
}

}  // namespace sealstate::cli
