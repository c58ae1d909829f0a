#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fail.h"

namespace sealstate::bench {

Child SpawnSelf(const std::vector<std::string>& args) {
  int fds[2];
  CheckErrno(::pipe2(fds, O_CLOEXEC) == 0, "pipe");
  std::vector<char*> argv;
  std::string self = "sealstate-bench";
  argv.push_back(self.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  CheckErrno(pid >= 0, "fork");
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

std::string ReadLine(const Child& child) {
  std::string line;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(child.out_fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Die("a child process ended before reporting (see its messages above)");
    if (c == '\n') return line;
    line.push_back(c);
  }
}

void Reap(Child& child) {
  if (child.out_fd >= 0) ::close(child.out_fd);
  child.out_fd = -1;
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0) CheckErrno(errno == EINTR, "waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("a child process failed");
}

}  // namespace sealstate::bench
