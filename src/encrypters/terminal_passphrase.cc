#include "encrypters/terminal_passphrase.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "io/env.h"
#include "io/unique_fd.h"

namespace sealstate::internal {
namespace {

constexpr std::array<int, 5> kRestoringSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

// The terminal being read and its settings before echo went off, for the signal handler. One
// prompt at a time per process (the handler has no other way to find them).
volatile sig_atomic_t prompt_fd = -1;
struct termios saved_settings;
struct termios quiet_settings;

void InstallRestoringHandler(int signal_number);

// Restores the terminal. For Ctrl-Z, stops the way the default action would and turns echo off
// again when continued; for the others, takes the default action (normally the end of the process).
void RestoreTerminalAndResignal(int signal_number) {
  const int saved_errno = errno;
  const int fd = prompt_fd;
  if (fd >= 0) ::tcsetattr(fd, TCSAFLUSH, &saved_settings);
  ::signal(signal_number, SIG_DFL);
  sigset_t just_this;
  sigemptyset(&just_this);
  sigaddset(&just_this, signal_number);
  ::sigprocmask(SIG_UNBLOCK, &just_this, nullptr);
  ::raise(signal_number);
  // Still here: continued after a stop, or the signal is one that does not end the process.
  InstallRestoringHandler(signal_number);
  if (fd >= 0) ::tcsetattr(fd, TCSAFLUSH, &quiet_settings);
  errno = saved_errno;
}

void InstallRestoringHandler(int signal_number) {
  struct sigaction action = {};
  action.sa_handler = RestoreTerminalAndResignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(signal_number, &action, nullptr);
}

// Echo off for the life of the object; the terminal settings and signal handlers are put back by
// the destructor.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    quiet_settings = saved_settings;
    quiet_settings.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet_settings.c_lflag |= ECHONL;  // the Enter still moves to the next line
    prompt_fd = fd;
    for (std::size_t i = 0; i < kRestoringSignals.size(); ++i) {
      struct sigaction action = {};
      action.sa_handler = RestoreTerminalAndResignal;
      sigemptyset(&action.sa_mask);
      ::sigaction(kRestoringSignals[i], &action, &previous_[i]);
      // A signal this process ignores (nohup) stays ignored.
      if (previous_[i].sa_handler == SIG_IGN) ::sigaction(kRestoringSignals[i], &previous_[i], nullptr);
    }
    ::tcsetattr(fd_, TCSAFLUSH, &quiet_settings);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    ::tcsetattr(fd_, TCSAFLUSH, &saved_settings);
    prompt_fd = -1;
    for (std::size_t i = 0; i < kRestoringSignals.size(); ++i)
      ::sigaction(kRestoringSignals[i], &previous_[i], nullptr);
  }

 private:
  int fd_;
  std::array<struct sigaction, kRestoringSignals.size()> previous_{};
};

// Reads up to a newline or the end of input, one byte at a time so nothing after the line is
// consumed.
Result<SecretBytes> ReadLine(int fd, std::size_t max_bytes) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes line, SecretBytes::Allocate(max_bytes + 1));
  std::size_t length = 0;
  while (true) {
    char byte = 0;
    SEALSTATE_ASSIGN_OR_RETURN(const std::size_t n, Env::Default()->Read(fd, &byte, 1, "/dev/tty"));
    if (n == 0 || byte == '\n') break;
    if (length == max_bytes) {
      return Status::InvalidArgument("passphrase: longer than " + std::to_string(max_bytes) + " bytes");
    }
    line.data()[length++] = static_cast<unsigned char>(byte);
  }
  if (length > 0 && line.data()[length - 1] == '\r') --length;
  line.Truncate(length);
  return line;
}

}  // namespace

Result<SecretBytes> ReadPassphraseFromTerminal(std::string_view prompt, std::size_t max_bytes,
                                               std::string_view no_terminal_message) {
  Env& env = *Env::Default();
  Result<int> opened = env.Open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
  if (!opened.ok()) {
    return Status::InvalidArgument(std::string(no_terminal_message) + " (" + opened.status().message() + ")");
  }
  const UniqueFd closer(env, *opened, "/dev/tty");
  if (::tcgetattr(*opened, &saved_settings) != 0) {
    return Status::InvalidArgument(std::string(no_terminal_message) + " (/dev/tty is not a terminal)");
  }
  SEALSTATE_RETURN_IF_ERROR(env.Write(*opened, prompt, "/dev/tty").status());
  const EchoOff quiet(*opened);
  return ReadLine(*opened, max_bytes);
}

}  // namespace sealstate::internal
