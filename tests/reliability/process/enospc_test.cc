// Real ENOSPC: a stack on a 2 MiB tmpfs, filled to 100%.
//
// As root only (exit 77, "skipped", otherwise, or when mounting fails): a forked child enters
// a private mount namespace (so the mount vanishes with it, whatever happens) and mounts
// `tmpfs -o size=2m` on a fresh temp dir, then:
//   1. commits 200 KiB snapshots until one fails: the failure is kIoError naming ENOSPC ("No
//      space left on device"); the stack is exactly as before it (list, current, current opens,
//      no temp file, verify clean, lock free, journal readable);
//   2. fills the rest with a filler file to 100% (statvfs: no free block) and checks a small
//      commit, a lock, a write and a set-current all fail the same clear way, the stack intact;
//   3. sweeps the boundary: with 0, 1, 2, ... free pages, commits a 3-page snapshot, so that
//      ENOSPC strikes at each step of a commit in turn (lock marker, snapshot, journal, pointer);
//      after each attempt the stack is either committed (and intact) or exactly as before;
//   4. deletes the filler: a small commit succeeds; prunes to the current revision: a 200 KiB
//      commit succeeds again.
// The parent always removes the temp dir. Prints "real ENOSPC: ..." with the counts.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <sealstate/maintenance.h>

#include "process_support.h"

namespace sealstate::process_test {
namespace {

constexpr int kSkip = 77;
constexpr std::size_t kPage = 4096;
constexpr std::size_t kBigSnapshot = 200 * 1024;
constexpr std::size_t kMediumSnapshot = 3 * kPage;
constexpr int kMaxFreePages = 12;  // the sweep: 0 .. kMaxFreePages free pages,
constexpr int kSweepRounds = 8;    // this many times (the journal's tail page moves between rounds)
constexpr const char* kStack = "full";

bool IsEnospc(const Status& status) {
  return status.code() == Code::kIoError && status.error_number() == ENOSPC &&
         status.message().find(std::strerror(ENOSPC)) != std::string::npos;
}

// Names containing the temp marker anywhere in the stack (a visible partial file).
std::vector<std::string> Temps(const std::string& stack_dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(stack_dir, ec)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// What a committed state looks like from outside.
struct Expected {
  std::vector<std::string> revs;  // oldest first
  std::string current;
};

class EnospcTest {
 public:
  explicit EnospcTest(std::string mount) : mount_(std::move(mount)), checks_("real ENOSPC") {}

  int Run() {
    Result<std::unique_ptr<Backend>> opened = OpenStack(mount_ + "/store", kStack);
    if (!checks_.CheckOk(opened.status(), "open the stack")) return 1;
    store_ = std::move(*opened);
    stack_dir_ = mount_ + "/store/" + kFactory + "/" + kStack;
    FillWithCommits();
    FillToTheBrim();
    SweepTheBoundary();
    FreeSpace();
    std::printf(
        "real ENOSPC: tmpfs 2 MiB: %d commits of 200 KiB until full; at 100%%: commit, lock, write and "
        "set-current refused with \"%s\"\n",
        commits_until_full_, first_error_.c_str());
    std::printf(
        "real ENOSPC: boundary sweep: %d rounds x %d free-page levels, %d commits succeeded, %d failed with "
        "ENOSPC and left the stack as it was (steps hit: %s)\n",
        kSweepRounds, kMaxFreePages + 1, sweep_ok_, sweep_failed_, steps_hit_.c_str());
    std::printf("real ENOSPC: after freeing space: small and 200 KiB commits succeed; %ld checks, %ld violations\n",
                checks_.checks(), checks_.violations());
    return checks_.violations() == 0 ? 0 : 1;
  }

 private:
  // The stack is exactly `expected`, whole and readable.
  void CheckIntact(const std::string& when) {
    Result<std::vector<std::string>> list = store_->List();
    if (checks_.CheckOk(list.status(), when + ": list")) {
      checks_.Check(*list == expected_.revs, when + ": the revision list changed");
    }
    Result<std::string> current = store_->CurrentRev();
    if (expected_.current.empty()) {
      checks_.Check(current.status().code() == Code::kNoCurrent, when + ": current appeared");
    } else if (checks_.CheckOk(current.status(), when + ": current")) {
      checks_.Check(*current == expected_.current, when + ": current moved to " + *current);
      checks_.CheckOk(store_->Current().status(), when + ": current opens");
    }
    for (const std::string& temp : Temps(stack_dir_)) checks_.Check(false, when + ": partial file visible: " + temp);
    Result<VerifyReport> report = VerifyStack(*store_);
    if (checks_.CheckOk(report.status(), when + ": verify")) {
      checks_.Check(report->problems.empty() && report->revisions == expected_.revs.size(), when + ": verify clean");
    }
    Result<LockInfo> lock = store_->GetLockInfo();
    if (checks_.CheckOk(lock.status(), when + ": lock info")) {
      checks_.Check(lock->state == LockState::kFree, when + ": lock left " + std::string(LockStateName(lock->state)));
    }
    checks_.CheckOk(store_->Journal(0).status(), when + ": journal reads");
  }

  Result<std::string> Commit(std::size_t bytes) {
    LockOptions options;
    options.operation = "commit";
    return store_->Commit(SnapshotFor(kStack, bytes), options, {});
  }

  void Committed(const std::string& rev) {
    expected_.revs.push_back(rev);
    expected_.current = rev;
  }

  void FillWithCommits() {
    for (int i = 0; i < 100; ++i) {
      Result<std::string> rev = Commit(kBigSnapshot);
      if (rev.ok()) {
        Committed(*rev);
        ++commits_until_full_;
        continue;
      }
      checks_.Check(IsEnospc(rev.status()),
                    "commit on a full fs: not a clear ENOSPC error: " + rev.status().ToString());
      first_error_ = rev.status().ToString();
      break;
    }
    checks_.Check(commits_until_full_ > 0 && !first_error_.empty(), "the tmpfs filled up with commits");
    CheckIntact("after the commit that hit ENOSPC");
  }

  // Writes a filler file until the filesystem has no free block at all.
  bool Fill() {
    const int fd = ::open((mount_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!checks_.Check(fd >= 0, "create the filler")) return false;
    const std::string chunk(kPage, 'f');
    ssize_t n;
    while ((n = ::write(fd, chunk.data(), chunk.size())) > 0) {
    }
    const int err = errno;
    filler_size_ = static_cast<off_t>(::lseek(fd, 0, SEEK_END));
    ::close(fd);
    struct statvfs vfs;
    checks_.Check(n < 0 && err == ENOSPC, "filler stopped without ENOSPC");
    return checks_.Check(::statvfs(mount_.c_str(), &vfs) == 0 && vfs.f_bavail == 0, "the tmpfs is not at 100%");
  }

  void FillToTheBrim() {
    if (!Fill()) return;
    const Result<std::string> commit = Commit(0);
    checks_.Check(!commit.ok() && IsEnospc(commit.status()), "small commit at 100%: " + commit.status().ToString());
    Result<std::unique_ptr<Lock>> lock = store_->AcquireLock(LockOptions());
    checks_.Check(!lock.ok() && IsEnospc(lock.status()), "lock at 100%: " + lock.status().ToString());
    const Result<std::string> written = store_->Write(SnapshotFor(kStack), {});
    checks_.Check(!written.ok() && IsEnospc(written.status()), "write at 100%: " + written.status().ToString());
    if (expected_.revs.size() >= 2) {
      const Status moved = store_->SetCurrent(expected_.revs.front(), {});
      checks_.Check(!moved.ok() && IsEnospc(moved), "set-current at 100%: " + moved.ToString());
    }
    CheckIntact("at 100%");
  }

  // Commits with 0, 1, 2, ... free pages, several rounds.
  void SweepTheBoundary() {
    for (int round = 0; round < kSweepRounds; ++round) {
      for (int pages = 0; pages <= kMaxFreePages; ++pages) SweepOnce(round, pages);
    }
  }

  // With `pages` free pages, one commit: committed and intact, or refused and unchanged.
  void SweepOnce(int round, int pages) {
    const std::string when = "sweep round " + std::to_string(round) + ", " + std::to_string(pages) + " free pages";
    PruneToCurrent(when);  // room for the filler to give back `pages` pages
    if (!Fill()) return;
    const std::string filler = mount_ + "/filler";
    if (checks_.Check(::truncate(filler.c_str(), filler_size_ - pages * static_cast<off_t>(kPage)) == 0,
                      when + ": truncate the filler")) {
      Result<std::string> rev = Commit(kMediumSnapshot);
      if (rev.ok()) {
        ++sweep_ok_;
        Committed(*rev);
      } else {
        ++sweep_failed_;
        checks_.Check(IsEnospc(rev.status()), when + ": not a clear ENOSPC error: " + rev.status().ToString());
        NoteStep(rev.status().message());
      }
      CheckIntact(when);
    }
    ::unlink(filler.c_str());
  }

  void PruneToCurrent(const std::string& when) {
    Result<PrunePlan> plan = PlanPrune(*store_, 0);
    if (checks_.CheckOk(plan.status(), when + ": plan prune") &&
        checks_.CheckOk(ExecutePrune(*store_, *plan, "", nullptr), when + ": prune")) {
      expected_.revs = plan->keep;
    }
  }

  // Which step of the commit ran out of space, from the path in the message.
  void NoteStep(const std::string& message) {
    std::string step = "other";
    if (message.find(".lock.tmp.") != std::string::npos)
      step = "lock marker";
    else if (message.find(".json.enc.tmp.") != std::string::npos)
      step = "snapshot";
    else if (message.find(".current.tmp.") != std::string::npos)
      step = "pointer";
    else if (message.find("journal") != std::string::npos)
      step = "journal";
    if (steps_hit_.find(step) == std::string::npos) steps_hit_ += (steps_hit_.empty() ? "" : ", ") + step;
  }

  void FreeSpace() {
    ::unlink((mount_ + "/filler").c_str());
    Result<std::string> small = Commit(0);
    if (checks_.CheckOk(small.status(), "small commit after deleting the filler")) Committed(*small);
    CheckIntact("after deleting the filler");
    PruneToCurrent("after deleting the filler");
    Result<std::string> big = Commit(kBigSnapshot);
    if (checks_.CheckOk(big.status(), "200 KiB commit after pruning")) Committed(*big);
    CheckIntact("after pruning");
  }

  std::string mount_;
  std::string stack_dir_;
  Checks checks_;
  std::unique_ptr<Backend> store_;
  Expected expected_;
  off_t filler_size_ = 0;
  int commits_until_full_ = 0;
  int sweep_ok_ = 0;
  int sweep_failed_ = 0;
  std::string first_error_;
  std::string steps_hit_;
};

// In the child: a private mount namespace, the tmpfs, the test, the unmount.
int RunInNamespace(const std::string& dir) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the parent (which removes the dir)
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    std::printf("real ENOSPC: SKIP: cannot make a private mount namespace: %s\n", std::strerror(errno));
    return kSkip;
  }
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
    std::printf("real ENOSPC: SKIP: cannot mount a tmpfs: %s\n", std::strerror(errno));
    return kSkip;
  }
  const int result = EnospcTest(dir).Run();
  std::fflush(stdout);
  if (::umount2(dir.c_str(), MNT_DETACH) != 0) {
    std::printf("real ENOSPC: unmount failed: %s\n", std::strerror(errno));
    return 1;
  }
  return result;
}

int Main() {
  if (::geteuid() != 0) {
    std::printf("real ENOSPC: SKIP: needs root to mount a small tmpfs (run the suite as root to include it)\n");
    return kSkip;
  }
  char pattern[] = "/tmp/sealstate-enospc-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    std::printf("real ENOSPC: cannot create a temp dir: %s\n", std::strerror(errno));
    return 1;
  }
  const std::string dir = pattern;
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(RunInNamespace(dir));
  int status = 0;
  while (child > 0 && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  // The mount lived in the child's namespace and died with it: the dir is an empty dir here.
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (child < 0) return 1;
  if (WIFSIGNALED(status)) {
    std::printf("real ENOSPC: FAIL: the test process died of signal %d\n", WTERMSIG(status));
    return 1;
  }
  return WEXITSTATUS(status);
}

}  // namespace
}  // namespace sealstate::process_test

int main() { return sealstate::process_test::Main(); }
