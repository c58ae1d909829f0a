// kill -9 loop for rekey: a rekey killed at any moment leaves every revision readable with the
// old key or the new key, never neither, and rerunning it finishes the job.
//
// rekey_kill_loop PATH/TO/rekey_driver
//
// A stack of kRevisions revisions (kRevisionBytes each) is committed with key a. Then, per
// round, rekey_driver rotates it to the other key (b, then a, and so on: a KeyRing {new, old})
// and is SIGKILLed after a seeded random delay of 0..kMaxDelayUs (so kills land while it starts,
// takes the lock, replaces a revision, journals, or after it finished); every other kill first
// waits for the lock marker, then 0..kHeldDelayUs, so that most of those land mid-rekey. This
// process then:
//   - checks every revision is still listed and opens, with its content, with key a alone or
//     key b alone (counting the rounds where both keys open some revisions: kills mid-rekey);
//   - reruns rekey_driver to completion (it must break the dead holder's lock), and checks every
//     revision now opens with the new key alone, the old key alone opens none (kWrongKey), and
//     no temp file is left in the snapshots directory.
// The stack lives on /dev/shm when it is usable (tmpfs: a round takes a few ms), else $TMPDIR.
//
// Sizes: 200 kills by default; SEALSTATE_LONG=1 runs 2,000; SEALSTATE_KILLS=N runs N.
// Prints "kill -9 loop (rekey): N kills, M mid-rekey, V violations". Exit 0 only with no
// violation and at least one kill mid-rekey (else the loop proved nothing).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/durable_file.h"
#include "process_support.h"

extern char** environ;

namespace sealstate::process_test {
namespace {

constexpr int kRevisions = 8;
constexpr std::size_t kRevisionBytes = 64 * 1024;
constexpr long kDefaultKills = 200;
constexpr long kLongKills = 2000;
constexpr long kMaxDelayUs = 15000;
constexpr long kHeldDelayUs = 4000;
// How long a kill waits for the marker to appear, and how often it looks.
constexpr std::chrono::milliseconds kMarkerWait{200};
constexpr std::chrono::microseconds kMarkerPoll{100};
constexpr std::uint64_t kSeed = 0x7e6e7;
constexpr const char* kStack = "rekey-kill";

// Polls for `path` to exist, at most kMarkerWait.
void WaitForFile(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + kMarkerWait;
  while (::access(path.c_str(), F_OK) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kMarkerPoll);
  }
}

// Runs rekey_driver towards `target` ("a" or "b"); kills it after `kill_after_us` (counted from
// when `wait_for` exists, if it is not empty) unless that is negative (then waits for it).
// Returns its wait status, or -1 if it could not start.
int RunDriver(const std::string& exe, const std::string& root, const std::string& target, long kill_after_us,
              const std::string& wait_for = "") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {exe, root, kStack, target};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  if (kill_after_us >= 0) {
    if (!wait_for.empty()) WaitForFile(wait_for);
    std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us));
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

struct Stores {
  std::unique_ptr<Backend> a;  // key a alone
  std::unique_ptr<Backend> b;  // key b alone
};

class RekeyKillLoop {
 public:
  RekeyKillLoop(std::string driver, std::string root) : driver_(std::move(driver)), root_(std::move(root)) {}

  bool Setup() {
    Result<std::unique_ptr<Backend>> store = OpenStack(root_, kStack, TestEncrypter());
    if (!checks_.CheckOk(store.status(), "create the stack")) return false;
    for (int n = 0; n < kRevisions; ++n) {
      Result<std::string> rev = (*store)->Commit(content_, LockOptions{}, {});
      if (!checks_.CheckOk(rev.status(), "commit")) return false;
      revs_.push_back(*rev);
    }
    Result<std::unique_ptr<Backend>> a = OpenStack(root_, kStack, TestEncrypter());
    Result<std::unique_ptr<Backend>> b = OpenStack(root_, kStack, SecondTestEncrypter());
    if (!checks_.CheckOk(a.status(), "open with key a") || !checks_.CheckOk(b.status(), "open with key b"))
      return false;
    stores_.a = std::move(*a);
    stores_.b = std::move(*b);
    return true;
  }

  void Round(long round, std::mt19937_64& rng) {
    const bool to_b = round % 2 == 0;  // the stack starts with key a
    const bool after_lock = rng() % 2 == 1;
    const long max_delay = after_lock ? kHeldDelayUs : kMaxDelayUs;
    const long delay = static_cast<long>(rng() % static_cast<std::uint64_t>(max_delay + 1));
    const std::string marker = root_ + "/" + kFactory + "/" + kStack + "/lock";
    const int status = RunDriver(driver_, root_, to_b ? "b" : "a", delay, after_lock ? marker : "");
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    checks_.Check(killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
                  "round " + std::to_string(round) + ": the driver failed (status " + std::to_string(status) + ")");
    const std::string where = "round " + std::to_string(round) + " after the kill: ";
    int with_a = 0;
    int with_b = 0;
    for (const std::string& rev : revs_) {
      if (Opens(*stores_.a, rev)) {
        ++with_a;
      } else if (Opens(*stores_.b, rev)) {
        ++with_b;
      } else {
        checks_.Check(false, where + "revision " + rev + " opens with neither key");
      }
    }
    if (with_a > 0 && with_b > 0) ++mid_rekey_;
    const int rerun = RunDriver(driver_, root_, to_b ? "b" : "a", -1);
    const std::string after = "round " + std::to_string(round) + " after the rerun: ";
    checks_.Check(WIFEXITED(rerun) && WEXITSTATUS(rerun) == 0, after + "the rerun failed");
    Backend& now = to_b ? *stores_.b : *stores_.a;
    Backend& old = to_b ? *stores_.a : *stores_.b;
    for (const std::string& rev : revs_) {
      checks_.Check(Opens(now, rev), after + "the new key alone does not open " + rev);
      checks_.Check(old.Get(rev).status().code() == Code::kWrongKey, after + "the old key alone still opens " + rev);
    }
    const std::string snapshots = root_ + "/" + kFactory + "/" + kStack + "/snapshots";
    for (const auto& entry : std::filesystem::directory_iterator(snapshots)) {
      const std::string name = entry.path().filename().string();
      checks_.Check(name.find(internal::kTempMarker) == std::string::npos, after + "temp file left: " + name);
    }
    ++kills_;
  }

  long kills() const { return kills_; }
  long mid_rekey() const { return mid_rekey_; }
  const Checks& checks() const { return checks_; }

 private:
  bool Opens(Backend& store, const std::string& rev) {
    Result<Snapshot> snapshot = store.Get(rev);
    if (!snapshot.ok()) return false;
    return checks_.Check(*snapshot == content_, "revision " + rev + " opens with the wrong content");
  }

  std::string driver_;
  std::string root_;
  Snapshot content_ = SnapshotFor(kStack, kRevisionBytes);
  std::vector<std::string> revs_;
  Stores stores_;
  Checks checks_{"kill -9 loop (rekey)"};
  long kills_ = 0;
  long mid_rekey_ = 0;
};

// A scratch directory on /dev/shm if usable, else under $TMPDIR (or /tmp).
std::string MakeRoot() {
  const char* tmpdir = std::getenv("TMPDIR");
  for (const std::string& parent : {std::string("/dev/shm"), std::string(tmpdir != nullptr ? tmpdir : "/tmp")}) {
    std::string templ = parent + "/sealstate-rekey-kill-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) return templ;
  }
  return "";
}

int Run(const std::string& driver) {
  const std::string root = MakeRoot();
  if (root.empty()) {
    std::fprintf(stderr, "rekey_kill_loop: no scratch directory\n");
    return 1;
  }
  const long kills = EnvCount("SEALSTATE_KILLS", LongRun() ? kLongKills : kDefaultKills);
  RekeyKillLoop loop(driver, root);
  std::mt19937_64 rng(kSeed);
  if (loop.Setup()) {
    for (long round = 0; round < kills; ++round) loop.Round(round, rng);
  }
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
  std::printf(
      "kill -9 loop (rekey): %ld kills of a rekey of %d revisions, %ld mid-rekey (both keys in use), %ld checks, "
      "%ld violations\n",
      loop.kills(), kRevisions, loop.mid_rekey(), loop.checks().checks(), loop.checks().violations());
  const bool ok = loop.checks().violations() == 0 && loop.kills() == kills && loop.mid_rekey() > 0;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace sealstate::process_test

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rekey_kill_loop PATH/TO/rekey_driver\n");
    return 2;
  }
  return sealstate::process_test::Run(argv[1]);
}
