#include "cli/signals.h"

#include <csignal>

namespace sealstate::cli {
namespace {

volatile std::sig_atomic_t g_cancelled = 0;
volatile std::sig_atomic_t g_child = 0;

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void HandleSignal(int sig) {
  const pid_t child = static_cast<pid_t>(g_child);
  if (child > 0) {
    kill(child, sig);
    return;
  }
  if (g_cancelled != 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_cancelled = 1;
}

}  // namespace

void InstallSignalHandlers() {
  struct sigaction action = {};
  action.sa_handler = HandleSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: let waitpid see EINTR and loop
  for (int sig : kSignals) sigaction(sig, &action, nullptr);
}

bool CancelRequested() { return g_cancelled != 0; }

void ForwardSignalsTo(pid_t child) { g_child = static_cast<std::sig_atomic_t>(child); }

}  // namespace sealstate::cli
