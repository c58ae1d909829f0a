#include "encrypters/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "text/go_quote.h"

extern char** environ;  // NOLINT: POSIX

namespace sealstate::internal {
namespace {

// Variables that may hold a key in this process and must not reach the command.
bool IsWithheld(std::string_view entry) {
  return entry.starts_with("SEALSTATE_KEY=") || entry.starts_with("SEALSTATE_PASSPHRASE=") ||
         entry.starts_with("SEALSTATE_KEY_OPERATION=");
}

std::vector<std::string> ChildEnvironment(std::string_view operation) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (!IsWithheld(*entry)) entries.emplace_back(*entry);
  }
  entries.push_back("SEALSTATE_KEY_OPERATION=" + std::string(operation));
  return entries;
}

// Both ends close-on-exec; the parent's end non-blocking.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IoError("pipe", "key command", errno);
  return Pipe{fds[0], fds[1]};
}

void CloseIfOpen(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// After fork, in the child: only async-signal-safe calls.
[[noreturn]] void ExecInChild(const Pipe& in, const Pipe& out, const Pipe& err, const char* const* argv,
                              const char* const* envp) {
  ::setpgid(0, 0);
  ::signal(SIGPIPE, SIG_DFL);
  if (::dup2(in.read_end, 0) < 0 || ::dup2(out.write_end, 1) < 0 || ::dup2(err.write_end, 2) < 0) ::_exit(126);
  ::execve("/bin/sh", const_cast<char* const*>(argv), const_cast<char* const*>(envp));
  ::_exit(127);
}

// What the parent collects while the child runs.
struct Collected {
  SecretBytes out;
  std::size_t out_size = 0;
  bool out_overflow = false;
  std::string err;
};

std::string Describe(const std::string& command, std::string_view operation) {
  return "key command " + GoQuote(command) + " (operation " + std::string(operation) + ")";
}

std::string StderrSuffix(const std::string& err) {
  if (err.empty()) return "";
  std::string shown = err.substr(0, kMaxKeyCommandStderrShown);
  while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.pop_back();
  if (err.size() > kMaxKeyCommandStderrShown) shown += " [stderr cut at 4096 bytes]";
  return "; its stderr: " + shown;
}

// Writes `data` to a non-blocking pipe without dying of SIGPIPE if the child closed its stdin.
// Returns bytes written, or -1 with errno.
ssize_t WriteWithoutSigpipe(int fd, const unsigned char* data, std::size_t size) {
  sigset_t pipe_only;
  sigset_t previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  const ssize_t written = ::write(fd, data, size);
  const int saved_errno = errno;
  if (written < 0 && saved_errno == EPIPE) {
    const struct timespec zero = {0, 0};
    ::sigtimedwait(&pipe_only, nullptr, &zero);  // consume the SIGPIPE this write raised
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved_errno;
  return written;
}

// Moves data between the pipes until stdout and stderr close, the deadline passes or stdout
// overflows. Returns false on timeout.
bool Pump(int& to_child, int& from_out, int& from_err, const SecretBytes& input, Collected& collected,
          std::chrono::steady_clock::time_point deadline) {
  std::size_t input_done = 0;
  if (input.size() == 0) CloseIfOpen(to_child);
  char scratch[4096];
  while (from_out >= 0 || from_err >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[3] = {{to_child, POLLOUT, 0}, {from_out, POLLIN, 0}, {from_err, POLLIN, 0}};
    const int ready = ::poll(fds, 3, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    if (to_child >= 0 && fds[0].revents != 0) {
      const ssize_t n = WriteWithoutSigpipe(to_child, input.data() + input_done, input.size() - input_done);
      if (n > 0) input_done += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || input_done == input.size()) CloseIfOpen(to_child);
    }
    if (from_out >= 0 && fds[1].revents != 0) {
      const std::size_t room = collected.out.size() - collected.out_size;
      const ssize_t n = ::read(from_out, collected.out.data() + collected.out_size, room);
      if (n > 0) collected.out_size += static_cast<std::size_t>(n);
      if (collected.out_size == collected.out.size()) {
        collected.out_overflow = true;
        return true;
      }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) CloseIfOpen(from_out);
    }
    if (from_err >= 0 && fds[2].revents != 0) {
      const ssize_t n = ::read(from_err, scratch, sizeof scratch);
      if (n > 0 && collected.err.size() <= kMaxKeyCommandStderrShown)
        collected.err.append(scratch, static_cast<std::size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) CloseIfOpen(from_err);
    }
  }
  return true;
}

// Waits for the child until the deadline; kills its group after it. Returns its wait status, or
// nullopt if it had to be killed.
std::optional<int> Reap(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return 0;
    if (std::chrono::steady_clock::now() >= deadline) break;
    ::usleep(2000);
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return std::nullopt;
}

}  // namespace

Result<SecretBytes> RunKeyCommand(const std::string& command, std::string_view operation, const SecretBytes& input,
                                  std::chrono::seconds timeout) {
  const std::vector<std::string> environment = ChildEnvironment(operation);
  std::vector<const char*> envp;
  for (const std::string& entry : environment) envp.push_back(entry.c_str());
  envp.push_back(nullptr);
  const char* const argv[] = {"sh", "-c", command.c_str(), nullptr};

  SEALSTATE_ASSIGN_OR_RETURN(Pipe in, MakePipe());
  Result<Pipe> out = MakePipe();
  Result<Pipe> err = out.ok() ? MakePipe() : out.status();
  Collected collected;
  Result<SecretBytes> buffer = SecretBytes::Allocate(kMaxKeyCommandOutputBytes + 1);
  const pid_t pid = (err.ok() && buffer.ok()) ? ::fork() : -1;
  const int fork_errno = errno;
  if (pid == 0) ExecInChild(in, *out, *err, argv, envp.data());
  CloseIfOpen(in.read_end);
  if (out.ok()) CloseIfOpen(out->write_end);
  if (err.ok()) CloseIfOpen(err->write_end);
  if (pid < 0) {
    CloseIfOpen(in.write_end);
    if (out.ok()) CloseIfOpen(out->read_end);
    if (err.ok()) CloseIfOpen(err->read_end);
    if (!buffer.ok()) return buffer.status();
    if (!err.ok()) return err.status();
    return Status::IoError("fork", "key command", fork_errno);
  }
  ::setpgid(pid, pid);  // also here, so a kill below cannot race the child's own setpgid
  for (int fd : {in.write_end, out->read_end, err->read_end}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  collected.out = std::move(*buffer);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const bool in_time = Pump(in.write_end, out->read_end, err->read_end, input, collected, deadline);
  if (!in_time || collected.out_overflow) ::kill(-pid, SIGKILL);
  CloseIfOpen(in.write_end);
  CloseIfOpen(out->read_end);
  CloseIfOpen(err->read_end);
  const std::optional<int> status =
      Reap(pid, in_time && !collected.out_overflow ? deadline : std::chrono::steady_clock::now());
  const std::string what = Describe(command, operation);
  if (collected.out_overflow) {
    return Status::InvalidArgument(what + " printed more than " + std::to_string(kMaxKeyCommandOutputBytes) +
                                   " bytes on stdout (killed)" + StderrSuffix(collected.err));
  }
  if (!in_time || !status.has_value()) {
    return Status::InvalidArgument(what + " did not finish within " + std::to_string(timeout.count()) +
                                   " seconds (killed)" + StderrSuffix(collected.err));
  }
  if (WIFSIGNALED(*status)) {
    return Status::InvalidArgument(what + " was killed by signal " + std::to_string(WTERMSIG(*status)) +
                                   StderrSuffix(collected.err));
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) != 0) {
    return Status::InvalidArgument(what + " exited with status " + std::to_string(WEXITSTATUS(*status)) +
                                   StderrSuffix(collected.err));
  }
  collected.out.Truncate(collected.out_size);
  return std::move(collected.out);
}

}  // namespace sealstate::internal
