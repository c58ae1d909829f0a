#include "cli/signals.h"

#include <csignal>

namespace sealstate::cli {
namespace {

volatile std::sig_atomic_t g_cancelled = 0;
volatile std::sig_atomic_t g_child = 0;

constexpr int kCancelSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void HandleSignal(int sig) {
  const pid_t child = static_cast<pid_t>(g_child);
  if (child > 0) {
    kill(child, sig);
    return;
  }
  if (g_cancelled != 0 || sig == SIGQUIT) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_cancelled = 1;
}

void SetHandler(int sig, void (*handler)(int)) {
  struct sigaction action = {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: let waitpid see EINTR and loop
  sigaction(sig, &action, nullptr);
}

}  // namespace

void InstallSignalHandlers() {
  for (int sig : kCancelSignals) SetHandler(sig, HandleSignal);
}

bool CancelRequested() { return g_cancelled != 0; }

sigset_t ForwardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kCancelSignals) sigaddset(&set, sig);
  sigaddset(&set, SIGQUIT);
  return set;
}

void ForwardSignalsTo(pid_t child) {
  g_child = static_cast<std::sig_atomic_t>(child);
  SetHandler(SIGQUIT, child > 0 ? HandleSignal : SIG_DFL);
}

}  // namespace sealstate::cli
