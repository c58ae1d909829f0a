// kill -9 loop: every acknowledged commit survives a SIGKILL at any moment.
//
// kill_loop PATH/TO/commit_driver
//
// Runs commit_driver on several stacks at once (one thread per stack), SIGKILLs each driver at a
// random moment (seeded delays of 0-50 ms, so kills land before, during and between commits:
// while the lock is being taken, the snapshot written, the pointer replaced, the journal
// appended; every other kill also waits for the lock marker to exist, so many kills land inside
// a commit), and restarts it. Half the stacks live under $TMPDIR (normally a disk), half on
// /dev/shm (tmpfs, where a commit takes well under a millisecond). After every kill, this
// process (the checker):
//   - takes the stack lock as soon as it can, measuring the time from the kill, and from the
//     holder's death (it became a zombie: its files and OFD locks are gone), to the successful
//     acquisition: the next AcquireLock must see the dead holder's marker as stale and break it;
//   - reaps the driver, then, through a fresh store and under the lock (the next locked open):
//     checks VerifyStack finds no problem (every revision opens and decodes, current opens);
//     every revision the driver acknowledged (printed after Commit returned OK) is still listed
//     (and so, by verify, opens); current is the last acknowledged revision or the one being
//     committed when the driver died; no temp file of a dead process is left; the journal reads.
// Every so often it prunes the stack (keeping the newest revisions) to bound verify's cost, and
// every kRotateEvery kills it starts over on a fresh stack (bounding the journal).
//
// Sizes: 2,000 kills by default; SEALSTATE_LONG=1 runs 20,000; SEALSTATE_KILLS=N runs N.
// Prints "kill -9 loop: N kills ..., V violations" and the lock-recovery latency (max, p99).
// Exit 0 only with no violation and the latency figures within bounds (see LatencyOk).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sealstate/maintenance.h>

#include "io/durable_file.h"
#include "lock/process_identity.h"
#include "process_support.h"

extern char** environ;

namespace sealstate::process_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kStacks = 4;
constexpr long kDefaultKills = 2000;
constexpr long kLongKills = 20000;
constexpr std::uint64_t kSeed = 0x5ea15ea1;
// Kill after a uniformly random delay in [0, kMaxDelayUs] from the driver's start: a driver
// needs a few ms to start and a few ms per commit, so this spans start-up and several commits.
constexpr long kMaxDelayUs = 50000;
// How long a kill waits for the marker to appear, and how often it looks.
constexpr milliseconds kMarkerWait{100};
constexpr std::chrono::microseconds kMarkerPoll{200};
// The driver's pause between commits: on tmpfs a commit takes well under a millisecond, and
// back-to-back drivers would keep both CPUs of a CI machine busy (and measure the scheduler).
constexpr long kDriverPauseUs = 500;
// Read the whole journal (it must parse: a torn line is repaired or skipped) every this many kills.
constexpr long kJournalCheckEvery = 16;
// Start over on a fresh stack every this many kills (per stack).
constexpr long kRotateEvery = 250;
// Prune when a stack has more revisions than this, keeping kKeepNewest.
constexpr std::size_t kPruneAbove = 48;
constexpr std::size_t kKeepNewest = 8;
// The figure: the lock is usable again within 100 ms of the holder's death (see
// LatencyOk). The p99 must be under it; the max only has to be under a hang bound, as one
// scheduling hiccup on a loaded CI machine must not fail the suite (the max is reported).
constexpr double kLatencyBoundMs = 100.0;
constexpr double kHangBoundMs = 5000.0;

// Set by SIGTERM/SIGINT (meson's timeout): every loop stops after its current kill, so drivers
// are reaped and temp dirs removed.
volatile std::sig_atomic_t g_stop = 0;

void RequestStop(int) { g_stop = 1; }

struct StackResult {
  long kills = 0;
  long kills_holding = 0;  // the marker existed at the kill: the lock had to be recovered
  long acked = 0;
  long checks = 0;
  long violations = 0;
  long lock_breaks = 0;
  long lost = 0;                               // acknowledged revisions missing after a kill
  std::vector<double> latency_ms;              // every kill
  std::vector<double> holding_latency_ms;      // kills with the marker present
  std::vector<double> baseline_ms;             // taking the free lock for the check, for comparison
  std::vector<double> death_ms;                // from the kill to the holder's death (a zombie)
  std::vector<double> holding_after_death_ms;  // marker present: from the death to acquisition
};

// A running driver: its pid and the read end of its stdout.
struct Driver {
  pid_t pid = -1;
  int out = -1;
  std::string pending;  // an incomplete line
};

Driver SpawnDriver(const std::string& exe, const std::string& root, const std::string& stack) {
  Driver driver;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return driver;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  // Forever, fixture-size snapshots, kDriverPauseUs between commits.
  std::vector<std::string> args = {exe, root, stack, "0", "0", std::to_string(kDriverPauseUs)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&driver.pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    driver.pid = -1;
    return driver;
  }
  driver.out = fds[0];
  return driver;
}

// Reads what is available (or, with `until_eof`, everything) and appends complete lines.
void ReadAcks(Driver& driver, std::vector<std::string>& acks, bool until_eof) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(driver.out, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    driver.pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t newline;
    while ((newline = driver.pending.find('\n')) != std::string::npos) {
      acks.push_back(driver.pending.substr(0, newline));
      driver.pending.erase(0, newline + 1);
    }
    if (!until_eof) return;
  }
}

// Collects acknowledgements until `deadline`.
void CollectUntil(Driver& driver, std::vector<std::string>& acks, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return;
    struct pollfd p = {driver.out, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>((left.count() + 999) / 1000));
    if (ready > 0) {
      ReadAcks(driver, acks, /*until_eof=*/false);
      if ((p.revents & POLLHUP) != 0 && (p.revents & POLLIN) == 0) return;  // driver gone
    }
    // Re-check the clock: poll rounds up to whole milliseconds.
    if (ready == 0 && Clock::now() >= deadline) return;
  }
}

int ReapStatus(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Temp files whose creator is gone, in `dir` (should be none after a locked open).
std::vector<std::string> DeadTemps(const std::string& dir) {
  std::vector<std::string> dead;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const long owner = internal::TempFileOwner(name);
    if (owner > 0 && !internal::ProcessProbe::Default()->StartTimeOf(owner).has_value()) dead.push_back(name);
  }
  return dead;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

class StackLoop {
 public:
  StackLoop(std::string exe, std::string root, int index, std::shared_ptr<const Encrypter> encrypter)
      : exe_(std::move(exe)),
        root_(std::move(root)),
        base_stack_("stack-" + std::to_string(index)),
        stack_(base_stack_),
        stack_dir_(root_ + "/" + kFactory + "/" + stack_),
        encrypter_(std::move(encrypter)),
        rng_(kSeed + static_cast<std::uint64_t>(index)),
        checks_("kill -9 loop " + stack_) {}

  StackResult Run(long kills) {
    for (long k = 0; k < kills && !g_stop; ++k) {
      if (k > 0 && k % kRotateEvery == 0) Rotate();
      if (!OneKill()) break;  // the lock could not be taken: stop rather than pile up drivers
    }
    CountLockBreaks();
    result_.checks = checks_.checks();
    result_.violations = checks_.violations();
    return result_;
  }

 private:
  // Starts a driver, kills it at a random moment, recovers the lock and checks the stack.
  bool OneKill() {
    Driver driver = SpawnDriver(exe_, root_, stack_);
    if (!checks_.Check(driver.pid > 0, "could not spawn " + exe_)) return false;
    std::vector<std::string> acks;
    const long delay_us = std::uniform_int_distribution<long>(0, kMaxDelayUs)(rng_);
    CollectUntil(driver, acks, Clock::now() + std::chrono::microseconds(delay_us));
    // Every other kill (seeded) waits for the lock marker first, so that kills inside a commit
    // (and lock recoveries) are frequent even where a commit is much shorter than the pause.
    if (std::uniform_int_distribution<int>(0, 1)(rng_) == 1) WaitForMarker(driver, acks);

    Clock::time_point died_at;
    std::thread death_watch([&died_at, pid = driver.pid] {
      siginfo_t info{};
      while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
      }
      died_at = Clock::now();  // a zombie now: its files (and OFD locks) are gone
    });
    ::kill(driver.pid, SIGKILL);
    const auto killed_at = Clock::now();
    const bool holding = Exists(stack_dir_ + "/lock");
    Clock::time_point acquired_at;
    const Status recovered = LockAndUnlock(acquired_at);
    death_watch.join();
    const double latency = std::chrono::duration<double, std::milli>(acquired_at - killed_at).count();
    const double after_death = std::max(0.0, std::chrono::duration<double, std::milli>(acquired_at - died_at).count());
    result_.death_ms.push_back(std::chrono::duration<double, std::milli>(died_at - killed_at).count());

    const int status = ReapStatus(driver.pid);
    ReadAcks(driver, acks, /*until_eof=*/true);
    ::close(driver.out);
    ++result_.kills;
    result_.latency_ms.push_back(latency);
    if (holding) {
      ++result_.kills_holding;
      result_.holding_latency_ms.push_back(latency);
      result_.holding_after_death_ms.push_back(after_death);
    }
    checks_.Check(
        WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
        "driver did not die of SIGKILL (a commit failed? see its stderr), wait status " + std::to_string(status));
    if (!checks_.CheckOk(recovered, "lock after kill")) return false;
    for (std::string& rev : acks) Acknowledge(std::move(rev));
    return CheckUnderLock();
  }

  // Polls for the lock marker (while collecting acknowledgements), at most kMarkerWait.
  void WaitForMarker(Driver& driver, std::vector<std::string>& acks) {
    const auto deadline = Clock::now() + kMarkerWait;
    while (!Exists(stack_dir_ + "/lock") && Clock::now() < deadline) {
      CollectUntil(driver, acks, Clock::now() + kMarkerPoll);
    }
  }

  // Takes the lock as soon as it is free (the measured recovery; `acquired_at` is set when
  // AcquireLock returns) and releases it. Uses one store per stack for this, so its directory
  // watch is reused: closing an inotify instance takes a kernel grace period, which is not part
  // of the recovery.
  Status LockAndUnlock(Clock::time_point& acquired_at) {
    if (!recovery_store_) {
      SEALSTATE_ASSIGN_OR_RETURN(recovery_store_, OpenStack(root_, stack_, encrypter_));
    }
    Result<std::unique_ptr<Lock>> lock = recovery_store_->AcquireLock(CheckerLockOptions());
    acquired_at = Clock::now();
    SEALSTATE_RETURN_IF_ERROR(lock.status());
    return (*lock)->Unlock();
  }

  static LockOptions CheckerLockOptions() {
    LockOptions options;
    options.timeout = milliseconds(static_cast<long>(kHangBoundMs) * 2);
    options.operation = "kill-loop check";
    return options;
  }

  // With the driver reaped (so its temp files are a dead process's debris), the next locked
  // open of a fresh store: checks everything, prunes now and then.
  bool CheckUnderLock() {
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack_, encrypter_);
    if (!checks_.CheckOk(backend.status(), "open " + stack_)) return false;
    const auto asked = Clock::now();
    Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(CheckerLockOptions());
    result_.baseline_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - asked).count());
    if (!checks_.CheckOk(lock.status(), "lock for the check")) return false;
    CheckStack(**backend);
    MaybePrune(**backend);
    checks_.CheckOk((*lock)->Unlock(), "unlock after check");
    return true;
  }

  void Acknowledge(std::string rev) {
    ++result_.acked;
    acked_.insert(rev);
    last_acked_ = std::move(rev);
  }

  // Everything the issue promises after a kill, checked under the lock.
  void CheckStack(Backend& backend) {
    Result<VerifyReport> report = VerifyStack(backend);
    if (checks_.CheckOk(report.status(), "verify")) {
      for (const VerifyProblem& problem : report->problems) {
        checks_.Check(false, "verify: " + problem.rev + ": " + problem.status.ToString());
      }
      checks_.Check(report->problems.empty(), "verify clean");
    }
    Result<std::vector<std::string>> list = backend.List();
    if (!checks_.CheckOk(list.status(), "list")) return;
    const std::set<std::string> listed(list->begin(), list->end());
    for (const std::string& rev : acked_) {
      if (!checks_.Check(listed.count(rev) == 1, "acknowledged revision lost: " + rev)) ++result_.lost;
    }
    CheckCurrent(backend, *list);
    for (const std::string& dir : {stack_dir_, stack_dir_ + "/snapshots"}) {
      for (const std::string& name : DeadTemps(dir))
        checks_.Check(false, "debris after a locked open: " + dir + "/" + name);
    }
    if (result_.kills % kJournalCheckEvery == 0) checks_.CheckOk(backend.Journal(0).status(), "journal reads");
  }

  // current is the last acknowledged revision, or a later one (the commit in flight at the kill).
  void CheckCurrent(Backend& backend, const std::vector<std::string>& list) {
    Result<std::string> current = backend.CurrentRev();
    if (last_acked_.empty()) {
      checks_.Check(current.ok() || current.status().code() == Code::kNoCurrent, "current readable");
      return;
    }
    if (!checks_.CheckOk(current.status(), "current after an acknowledged commit")) return;
    const auto at = std::find(list.begin(), list.end(), *current);
    const auto last = std::find(list.begin(), list.end(), last_acked_);
    checks_.Check(at != list.end() && at >= last && (*current == last_acked_ || acked_.count(*current) == 0),
                  "current " + *current + " is neither the last acknowledged revision " + last_acked_ +
                      " nor the one being committed");
    checks_.CheckOk(backend.Current().status(), "current opens");
  }

  // Keeps verify's cost bounded: prune to the newest few (the checks above already covered the
  // revisions removed here, after every kill since they were acknowledged), never the last
  // acknowledged one, which CheckCurrent measures current against: on a loaded machine several
  // drivers in a row can die after writing a revision and before acknowledging it, and those
  // unacknowledged revisions are newer than it.
  void MaybePrune(Backend& backend) {
    Result<std::vector<std::string>> list = backend.List();
    if (!list.ok() || list->size() <= kPruneAbove) return;
    const auto last = std::find(list->begin(), list->end(), last_acked_);
    const auto from_last = static_cast<std::size_t>(list->end() - last);
    Result<PrunePlan> plan = PlanPrune(backend, last == list->end() ? kKeepNewest : std::max(kKeepNewest, from_last));
    if (!checks_.CheckOk(plan.status(), "plan prune")) return;
    if (!checks_.CheckOk(ExecutePrune(backend, *plan, "", nullptr), "prune")) return;
    for (const std::string& rev : plan->remove) acked_.erase(rev);
  }

  // Starts over on a new stack (the old one was checked after every kill), so the journal and
  // the disk use stay bounded however many kills run.
  void Rotate() {
    CountLockBreaks();
    recovery_store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(stack_dir_, ignored);
    stack_ = base_stack_ + "-" + std::to_string(++generation_);
    stack_dir_ = root_ + "/" + kFactory + "/" + stack_;
    acked_.clear();
    last_acked_.clear();
  }

  void CountLockBreaks() {
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack_, encrypter_);
    if (!checks_.CheckOk(backend.status(), "open for the journal")) return;
    Result<std::vector<JournalEvent>> events = (*backend)->Journal(0);
    if (!checks_.CheckOk(events.status(), "journal at the end")) return;
    for (const JournalEvent& e : *events) result_.lock_breaks += e.event == "lock-break" ? 1 : 0;
  }

  std::string exe_;
  std::string root_;
  std::string base_stack_;
  int generation_ = 0;
  std::string stack_;
  std::string stack_dir_;
  std::shared_ptr<const Encrypter> encrypter_;
  std::mt19937_64 rng_;
  Checks checks_;
  StackResult result_;
  std::unique_ptr<Backend> recovery_store_;
  std::set<std::string> acked_;
  std::string last_acked_;
};

// A temp directory under `base`, removed with its contents on every return path.
class TempRoot {
 public:
  explicit TempRoot(const std::string& base) {
    std::string pattern = base + "/sealstate-kill-loop-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void Add(StackResult& total, const StackResult& r) {
  total.kills += r.kills;
  total.kills_holding += r.kills_holding;
  total.acked += r.acked;
  total.checks += r.checks;
  total.violations += r.violations;
  total.lock_breaks += r.lock_breaks;
  total.lost += r.lost;
  total.latency_ms.insert(total.latency_ms.end(), r.latency_ms.begin(), r.latency_ms.end());
  total.holding_latency_ms.insert(total.holding_latency_ms.end(), r.holding_latency_ms.begin(),
                                  r.holding_latency_ms.end());
  total.baseline_ms.insert(total.baseline_ms.end(), r.baseline_ms.begin(), r.baseline_ms.end());
  total.death_ms.insert(total.death_ms.end(), r.death_ms.begin(), r.death_ms.end());
  total.holding_after_death_ms.insert(total.holding_after_death_ms.end(), r.holding_after_death_ms.begin(),
                                      r.holding_after_death_ms.end());
}

void PrintLatency(const char* group, const char* what, const std::vector<double>& values) {
  std::printf("kill -9 loop: [%s] %s: max %.2f ms, p99 %.2f ms, median %.2f ms\n", group, what, Percentile(values, 1.0),
              Percentile(values, 0.99), Percentile(values, 0.5));
}

// One group of stacks on one filesystem.
struct Group {
  const char* name;
  std::string base;
  StackResult total;
};

void PrintGroup(const Group& g) {
  const StackResult& t = g.total;
  std::printf(
      "kill -9 loop: [%s] %ld kills (%ld with the lock marker present, %ld stale locks broken), %ld "
      "acknowledged commits, %ld lost, %ld violations\n",
      g.name, t.kills, t.kills_holding, t.lock_breaks, t.acked, t.lost, t.violations);
  PrintLatency(g.name, "lock usable again after the holder's death (marker present)", t.holding_after_death_ms);
  PrintLatency(g.name, "lock usable again after the kill (marker present)", t.holding_latency_ms);
  PrintLatency(g.name, "lock usable again after the kill (all kills)", t.latency_ms);
  PrintLatency(g.name, "the kernel's kill-to-death time", t.death_ms);
  PrintLatency(g.name, "for comparison, taking a free lock", t.baseline_ms);
}

// The figure, "usable again within 100 ms of the holder's death", is checked where it
// measures the lock and not the disk: on tmpfs the acquirer's own marker fsync costs nothing,
// so the time is the dead holder's recovery alone. It is measured from the death (the holder
// became a zombie: its files and OFD locks are gone), as the issue says; the kernel's own
// kill-to-death time (some ms on a VM) is reported separately. On the disk the same time also
// holds the acquirer's marker fsync, queued behind the other stacks' commits (see "taking a free
// lock"): reported, and checked against the hang bound only.
bool LatencyOk(const Group& g, bool assert_figure) {
  const double p99 = Percentile(g.total.holding_after_death_ms, 0.99);
  const double max = Percentile(g.total.latency_ms, 1.0);
  bool ok = true;
  if (assert_figure && p99 >= kLatencyBoundMs) {
    std::printf("kill -9 loop: FAIL: [%s] p99 lock recovery after the holder's death %.2f ms is not under %.0f ms\n",
                g.name, p99, kLatencyBoundMs);
    ok = false;
  }
  if (max >= kHangBoundMs) {
    std::printf("kill -9 loop: FAIL: [%s] max lock recovery after the kill %.2f ms: a hang\n", g.name, max);
    ok = false;
  }
  return ok;
}

// Half the stacks under $TMPDIR (a real disk, normally), half on /dev/shm (tmpfs) when it is
// usable; otherwise all under $TMPDIR.
std::vector<Group> Groups() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::vector<Group> groups = {{"disk", tmpdir != nullptr && *tmpdir == '/' ? tmpdir : "/tmp", {}}};
  if (::access("/dev/shm", W_OK | X_OK) == 0) groups.push_back({"tmpfs", "/dev/shm", {}});
  return groups;
}

int Main(const std::string& driver) {
  const long kills = EnvCount("SEALSTATE_KILLS", LongRun() ? kLongKills : kDefaultKills);
  std::vector<Group> groups = Groups();
  std::vector<std::unique_ptr<TempRoot>> roots;
  for (const Group& g : groups) {
    roots.push_back(std::make_unique<TempRoot>(g.base));
    if (roots.back()->path().empty()) {
      std::fprintf(stderr, "kill -9 loop: cannot create a temp dir under %s\n", g.base.c_str());
      return 1;
    }
  }
  const std::shared_ptr<const Encrypter> encrypter = TestEncrypter();  // before any thread (setenv)
  const auto started = Clock::now();
  std::vector<StackResult> results(kStacks);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStacks; ++i) {
    const long share = kills / kStacks + (i < kills % kStacks ? 1 : 0);
    const std::string root = roots[static_cast<std::size_t>(i) % roots.size()]->path();
    threads.emplace_back([&results, &driver, &encrypter, root, i, share] {
      results[static_cast<std::size_t>(i)] = StackLoop(driver, root, i, encrypter).Run(share);
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  StackResult total;
  for (int i = 0; i < kStacks; ++i) {
    Add(groups[static_cast<std::size_t>(i) % groups.size()].total, results[static_cast<std::size_t>(i)]);
    Add(total, results[static_cast<std::size_t>(i)]);
  }
  std::printf(
      "kill -9 loop: %ld kills on %d stacks in %.1f s, %ld acknowledged commits, %ld lost, %ld checks, "
      "%ld violations\n",
      total.kills, kStacks, seconds, total.acked, total.lost, total.checks, total.violations);
  bool ok = total.violations == 0 && total.kills == kills;
  for (const Group& g : groups) {
    PrintGroup(g);
    ok = LatencyOk(g, std::string(g.name) == "tmpfs") && ok;
  }
  if (groups.size() == 1) std::printf("kill -9 loop: no usable /dev/shm: the 100 ms figure is reported, not checked\n");
  if (g_stop) {
    std::printf("kill -9 loop: interrupted after %ld kills\n", total.kills);
    ok = false;
  }
  std::printf("kill -9 loop: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace sealstate::process_test

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kill_loop PATH/TO/commit_driver\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGTERM, sealstate::process_test::RequestStop);
  ::signal(SIGINT, sealstate::process_test::RequestStop);
  return sealstate::process_test::Main(argv[1]);
}
