// commit_driver ROOT STACK [COUNT [MIN_BYTES [PAUSE_US]]]: commits to one stack in a loop and prints each
// acknowledged revision on stdout (flushed) only after Commit returned OK, so a line the parent
// has read is a promise the store made. COUNT 0 (the default) commits until killed; MIN_BYTES
// makes the snapshots at least that big; PAUSE_US sleeps between commits (so a driver on tmpfs,
// where a commit takes well under a millisecond, does not keep a CPU busy). Used by the
// kill -9 loop (killed at random moments) and the syscall audit (COUNT commits under strace).
// Exit status: 0 after COUNT commits, 1 on the first failed commit (message on stderr), 2 for
// bad arguments.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "process_support.h"

namespace sealstate::process_test {
namespace {

int Run(const std::string& root, const std::string& stack, long count, std::size_t min_bytes, long pause_us) {
  Result<std::unique_ptr<Backend>> backend = OpenStack(root, stack);
  if (!backend.ok()) {
    std::fprintf(stderr, "commit_driver: open: %s\n", backend.status().ToString().c_str());
    return 1;
  }
  const Snapshot snapshot = SnapshotFor(stack, min_bytes);
  LockOptions options;
  options.timeout = std::chrono::milliseconds(60000);  // generous: only a hang fails
  options.operation = "commit";
  for (long i = 0; count == 0 || i < count; ++i) {
    Result<std::string> rev = (*backend)->Commit(snapshot, options, {});
    if (!rev.ok()) {
      std::fprintf(stderr, "commit_driver: commit: %s\n", rev.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", rev->c_str());
    std::fflush(stdout);
    if (pause_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
  }
  return 0;
}

}  // namespace
}  // namespace sealstate::process_test

int main(int argc, char** argv) {
  if (argc < 3 || argc > 6) {
    std::fprintf(stderr, "usage: commit_driver ROOT STACK [COUNT [MIN_BYTES [PAUSE_US]]]\n");
    return 2;
  }
  const long count = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 0;
  const long min_bytes = argc > 4 ? std::strtol(argv[4], nullptr, 10) : 0;
  const long pause_us = argc > 5 ? std::strtol(argv[5], nullptr, 10) : 0;
  if (count < 0 || min_bytes < 0 || pause_us < 0) return 2;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed harness leaves no driver behind
  if (::getppid() == 1) return 1;
  return sealstate::process_test::Run(argv[1], argv[2], count, static_cast<std::size_t>(min_bytes), pause_us);
}
