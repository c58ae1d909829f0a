// rekey_driver ROOT STACK a|b: rekeys every revision of the stack to key a (the test key) or
// key b (the second test key), opening with both (a KeyRing {target, other}), under the stack
// lock, as sealstate rekey does; prints "done" (flushed) after the lock is released. Used by
// the rekey kill -9 loop, which kills it at random moments.
// Exit status: 0 done, 1 on the first failure (message on stderr), 2 for bad arguments.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include <sealstate/key_ring.h>
#include <sealstate/rekey.h>

#include "process_support.h"

namespace sealstate::process_test {
namespace {

Status Rekey(const std::string& root, const std::string& stack, bool to_a) {
  std::shared_ptr<const Encrypter> a = TestEncrypter();
  std::shared_ptr<const Encrypter> b = SecondTestEncrypter();
  SEALSTATE_ASSIGN_OR_RETURN(std::shared_ptr<const KeyRing> ring, to_a ? KeyRing::Make({a, b}) : KeyRing::Make({b, a}));
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenStack(root, stack, ring));
  LockOptions options;
  options.timeout = std::chrono::milliseconds(60000);  // generous: only a hang fails
  options.operation = "rekey";
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, backend->AcquireLock(options));
  // Batches of two: a kill can land between batches (both keys in use, what the loop must reach)
  // as well as inside one.
  RekeyOptions rekey_options;
  rekey_options.batch_revisions = 2;
  SEALSTATE_RETURN_IF_ERROR(RekeyStack(*backend, *ring, lock->id(), rekey_options).status());
  return lock->Unlock();
}

}  // namespace
}  // namespace sealstate::process_test

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[3]) != "a" && std::string(argv[3]) != "b")) {
    std::fprintf(stderr, "usage: rekey_driver ROOT STACK a|b\n");
    return 2;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed harness leaves no driver behind
  if (::getppid() == 1) return 1;
  const sealstate::Status done = sealstate::process_test::Rekey(argv[1], argv[2], std::string(argv[3]) == "a");
  if (!done.ok()) {
    std::fprintf(stderr, "rekey_driver: %s\n", done.ToString().c_str());
    return 1;
  }
  std::printf("done\n");
  std::fflush(stdout);
  return 0;
}
