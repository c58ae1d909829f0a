// Forked children for the tests that need other processes (lock tests, lock torture): a one-way
// pipe to signal between them, Spawn and Reap. A pipe or fork that cannot be made throws
// std::system_error, which fails the test that asked for it.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <system_error>

namespace sealstate::testing {

// A one-way byte channel between a parent and forked children.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void Send(char byte) const { (void)!::write(fds_[1], &byte, 1); }
  // The next byte, or '\0' at end of file.
  char Receive() const {
    char byte = '\0';
    ssize_t n;
    do n = ::read(fds_[0], &byte, 1);
    while (n < 0 && errno == EINTR);
    return n == 1 ? byte : '\0';
  }
  void CloseRead() { CloseEnd(0); }
  void CloseWrite() { CloseEnd(1); }

 private:
  void CloseEnd(int end) {
    if (fds_[end] >= 0) ::close(fds_[end]);
    fds_[end] = -1;
  }
  int fds_[2] = {-1, -1};
};

// Runs `body` in a forked child, which exits with its result (never returns to the caller).
// Returns the child's pid. Buffered stdio is flushed first, so the child cannot print it twice.
inline pid_t Spawn(const std::function<int()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) ::_exit(body());
  return pid;
}

// Reaps a child: its exit code, or 128 + the signal that killed it.
inline int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace sealstate::testing
