// Lock torture, through real processes and real marker files.
//
//   1. Counter: 2 processes x N lock/unlock cycles, each incrementing a shared counter file
//      (read, +1, write back through stdio) under the stack lock, and opening and closing the
//      marker inside every cycle: the final count is exactly 2N (0 lost updates), and an
//      O_EXCL "inside" file never finds the other process in the critical section.
//   2. The holder opening and closing the marker (read-only, read-write, stdio; 1,000 times)
//      keeps its lock: another process still sees it held (its OFD lock survives, unlike a
//      POSIX record lock) and cannot take or break it.
//   3. Stale-classification matrix, each case R rounds, judged by another process through
//      GetLockInfo and then AcquireLock (which must break exactly the provably dead ones):
//      dead pid (exited holder), SIGKILLed holder, reused pid (a live pid with another start
//      time), other boot id, other host, bare pid (dead and alive), malformed markers (not
//      JSON, empty, half a record, binary, oversized), a live holder, and a live pid without
//      its OFD lock (held, conservatively). 100% must be classified right.
//   4. 8 processes racing to break one stale lock (timeout 0): exactly one acquires, 7 get
//      kLocked, exactly one lock-break is journaled; over R rounds. Then 8 waiters (with a
//      timeout) on one stale lock: all 8 acquire in turn, one break.
//   5. Force-unlock with a wrong lock id is refused (also with --force semantics) and leaves
//      the live holder's lock intact; the right id removes it.
//   6. A fenced holder cannot publish: after its lock was force-unlocked (and, in half the
//      rounds, taken by another process), its SetCurrent fails with kLocked, current does not
//      move, and its Unlock never removes the new holder's marker.
//
// Sizes: N = 10,000 cycles per process, R = 25 rounds by default; SEALSTATE_LONG=1: N = 20,000,
// R = 100; SEALSTATE_LOCK_CYCLES overrides N. Prints one "lock torture: ..." line per part.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <sealstate/maintenance.h>

#include "lock/lock_record.h"
#include "lock/process_identity.h"
#include "process_support.h"
#include "support/child_process.h"

namespace sealstate::process_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr long kDefaultCycles = 10000;
constexpr long kLongCycles = 20000;
constexpr int kDefaultRounds = 25;
constexpr int kLongRounds = 100;
constexpr int kRacers = 8;
constexpr int kMarkerTouches = 1000;
constexpr long kControlCycles = 2000;  // the unlocked negative control

// Exit codes of children.
constexpr int kChildOk = 0;
constexpr int kChildLocked = 1;
constexpr int kChildFailed = 2;

// ---- processes and pipes ---------------------------------------------------------------------

using internal::MarkerHolder;
using sealstate::testing::Pipe;
using sealstate::testing::Reap;
using sealstate::testing::Spawn;

int CodeFor(const Status& status) {
  if (status.ok()) return kChildOk;
  return status.code() == Code::kLocked ? kChildLocked : kChildFailed;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return out.good();
}

// ---- the test --------------------------------------------------------------------------------

LockOptions Wait(milliseconds timeout) {
  LockOptions options;
  options.timeout = timeout;
  options.operation = "torture";
  return options;
}

class LockTorture {
 public:
  LockTorture(std::string root, long cycles, int rounds)
      : root_(std::move(root)), cycles_(cycles), rounds_(rounds), checks_("lock torture") {}

  int Run() {
    CounterTorture();
    MarkerTouchesKeepTheLock();
    StaleMatrix();
    BreakRace();
    WaitersOnAStaleLock();
    ForceUnlockWrongId();
    FencedHolder();
    std::printf("lock torture: %ld checks, %ld violations\n", checks_.checks(), checks_.violations());
    return checks_.violations() == 0 ? 0 : 1;
  }

 private:
  std::string StackDir(const std::string& stack) const { return root_ + "/" + kFactory + "/" + stack; }
  std::string MarkerPath(const std::string& stack) const { return StackDir(stack) + "/lock"; }

  // Opens `stack`; aborts the child or records a violation in the parent.
  std::unique_ptr<Backend> Open(const std::string& stack) {
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
    if (!checks_.CheckOk(backend.status(), "open " + stack)) return nullptr;
    return std::move(*backend);
  }

  long LockBreaks(Backend& backend) {
    Result<std::vector<JournalEvent>> events = backend.Journal(0);
    if (!checks_.CheckOk(events.status(), "journal")) return -1;
    long breaks = 0;
    for (const JournalEvent& e : *events) breaks += e.event == "lock-break" ? 1 : 0;
    return breaks;
  }

  // ---- 1. counter --------------------------------------------------------------------------

  // In a child: `cycles` times lock, touch the marker, enter, +1, leave, unlock (without
  // `locked`, the same minus the lock: the negative control). Exits with the number of
  // anomalies seen (capped): another process inside, a foreign marker, a failed read or write.
  int CounterWorker(const std::string& stack, const std::string& counter, const std::string& inside, const Pipe& go,
                    long cycles, bool locked) {
    go.Receive();
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
    if (!backend.ok()) return kChildFailed;
    int anomalies = 0;
    for (long i = 0; i < cycles; ++i) {
      std::unique_ptr<Lock> lock;
      if (locked) {
        Result<std::unique_ptr<Lock>> taken = (*backend)->AcquireLock(Wait(milliseconds(60000)));
        if (!taken.ok()) {
          std::fprintf(stderr, "lock torture: worker: %s\n", taken.status().ToString().c_str());
          return 100;
        }
        lock = std::move(*taken);
        // Open and close the marker while holding the lock; the record must still be ours.
        Result<MarkerHolder> record = internal::ParseLockRecord(ReadFile(MarkerPath(stack)));
        if (!record.ok() || record->lock_id != lock->id()) ++anomalies;
      }
      const int entered = ::open(inside.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (entered < 0) ++anomalies;  // the other process is inside
      if (entered >= 0) ::close(entered);
      long value = 0;
      if (std::FILE* f = std::fopen(counter.c_str(), "r+")) {
        if (std::fscanf(f, "%ld", &value) != 1) ++anomalies;
        std::rewind(f);
        std::fprintf(f, "%ld\n", value + 1);
        if (std::fclose(f) != 0) ++anomalies;
      } else {
        ++anomalies;
      }
      if (entered >= 0) (void)::unlink(inside.c_str());
      if (lock && !lock->Unlock().ok()) ++anomalies;
    }
    return std::min(anomalies, 100);
  }

  struct CounterRun {
    long count = 0;
    int anomalies = 0;
    double seconds = 0;
  };

  CounterRun RunCounter(const std::string& stack, long cycles, bool locked) {
    CounterRun run;
    if (!Open(stack)) return run;
    const std::string counter = root_ + "/" + stack + ".counter";
    const std::string inside = root_ + "/" + stack + ".inside";
    checks_.Check(WriteFile(counter, "0\n"), "create the counter");
    Pipe go;
    std::vector<pid_t> workers;
    for (int w = 0; w < 2; ++w) {
      workers.push_back(Spawn([&] {
        go.CloseWrite();
        return CounterWorker(stack, counter, inside, go, cycles, locked);
      }));
    }
    const auto started = Clock::now();
    go.CloseWrite();  // both start together
    for (const pid_t w : workers) run.anomalies += Reap(w);
    run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    run.count = std::strtol(ReadFile(counter).c_str(), nullptr, 10);
    return run;
  }

  void CounterTorture() {
    const CounterRun run = RunCounter("counter", cycles_, /*locked=*/true);
    checks_.Check(run.anomalies == 0, "counter workers saw " + std::to_string(run.anomalies) +
                                          " anomalies (two inside at once, a foreign marker, or I/O; see above)");
    checks_.Check(run.count == 2 * cycles_,
                  "counter " + std::to_string(run.count) + ", expected " + std::to_string(2 * cycles_));
    std::printf(
        "lock torture: 2 processes x %ld lock/unlock cycles: counter %ld (expected %ld), %ld lost updates, "
        "%d times two inside at once, %.1f s (%.3f ms per cycle)\n",
        cycles_, run.count, 2 * cycles_, 2 * cycles_ - run.count, run.anomalies, run.seconds,
        run.seconds * 1000.0 / static_cast<double>(2 * cycles_));
    // The same workers without the lock: shows the harness sees lost updates. Reported, not
    // asserted (a race that is merely very likely).
    const CounterRun control = RunCounter("counter-control", kControlCycles, /*locked=*/false);
    std::printf(
        "lock torture: negative control, the same without the lock: 2 x %ld cycles, counter %ld, %ld lost "
        "updates, %d times two inside at once (counted up to 100 per process)\n",
        kControlCycles, control.count, 2 * kControlCycles - control.count, control.anomalies);
  }

  // ---- 2. the holder touching its marker ---------------------------------------------------

  // In a child: holds the lock, opens and closes the marker many ways, says 'T', waits.
  int TouchingHolder(const std::string& stack, const Pipe& ready, Pipe& release) {
    release.CloseWrite();
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
    if (!backend.ok()) return kChildFailed;
    Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(Wait(milliseconds(0)));
    if (!lock.ok()) {
      ready.Send('E');
      return kChildFailed;
    }
    const std::string marker = MarkerPath(stack);
    for (int i = 0; i < kMarkerTouches; ++i) {
      const int ro = ::open(marker.c_str(), O_RDONLY | O_CLOEXEC);
      const int rw = ::open(marker.c_str(), O_RDWR | O_CLOEXEC);
      if (ro >= 0) ::close(ro);
      if (rw >= 0) ::close(rw);
      if (std::FILE* f = std::fopen(marker.c_str(), "r")) std::fclose(f);
    }
    (void)(*backend)->GetLockInfo();  // the library itself opening and closing it
    ready.Send('T');
    release.Receive();
    return (*lock)->Unlock().ok() ? kChildOk : kChildFailed;
  }

  void MarkerTouchesKeepTheLock() {
    const std::string stack = "touch";
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return;
    int kept = 0;
    for (int round = 0; round < rounds_; ++round) {
      Pipe ready;
      Pipe release;
      const pid_t holder = Spawn([&] { return TouchingHolder(stack, ready, release); });
      ready.CloseWrite();
      const bool touched = checks_.Check(ready.Receive() == 'T', "holder could not lock");
      Result<LockInfo> info = backend->GetLockInfo();
      const bool held =
          info.ok() && info->state == LockState::kHeld && info->reason == "the holder has the marker locked";
      Result<std::unique_ptr<Lock>> stolen = backend->AcquireLock(Wait(milliseconds(20)));
      const bool refused = !stolen.ok() && stolen.status().code() == Code::kLocked;
      release.CloseWrite();
      checks_.Check(Reap(holder) == kChildOk, "holder could not unlock after touching its marker");
      if (checks_.Check(touched && held && refused,
                        "touching the marker lost the lock (round " + std::to_string(round) + ")")) {
        ++kept;
      }
    }
    std::printf(
        "lock torture: holder opened and closed its marker %d times x %d rounds: lock kept in %d of %d, "
        "never taken or broken by another process\n",
        3 * kMarkerTouches, rounds_, kept, rounds_);
  }

  // ---- 3. stale-classification matrix -------------------------------------------------------

  struct MatrixCase {
    std::string name;
    LockState expected;
    // Sets up the marker in StackDir(stack); returns a live helper pid to kill afterwards, or 0.
    std::function<pid_t(const std::string& stack)> setup;
  };

  // A sealstate record for `pid` as if written on this host and boot.
  static MarkerHolder RecordFor(std::int64_t pid, std::uint64_t start_time) {
    const internal::ProcessIdentity& self = internal::ProcessProbe::Default()->Self();
    MarkerHolder holder;
    holder.lock_id = internal::NewLockId();
    holder.pid = pid;
    holder.host = self.host;
    holder.user = self.user;
    holder.boot_id = self.boot_id;
    holder.start_time = start_time;
    holder.created.unix_seconds = 1777550400;
    holder.operation = "matrix";
    holder.version = "0.0.0-test";
    return holder;
  }

  // A child that sleeps until killed; its pid is alive.
  static pid_t Sleeper() {
    return Spawn([] {
      for (;;) ::pause();
      return 0;
    });
  }

  // A pid that has exited and been reaped.
  static pid_t ReapedPid() {
    const pid_t child = Spawn([] { return 0; });
    (void)Reap(child);
    return child;
  }

  // A child that takes the lock and exits (or is SIGKILLed) holding it.
  pid_t LeaveStale(const std::string& stack, bool sigkill) {
    Pipe ready;
    const pid_t child = Spawn([&] {
      Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
      if (!backend.ok()) return kChildFailed;
      Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(Wait(milliseconds(0)));
      ready.Send(lock.ok() ? 'L' : 'E');
      if (!lock.ok()) return kChildFailed;
      if (sigkill) {
        for (;;) ::pause();
      }
      ::_exit(kChildOk);  // dies holding it: no destructor runs
    });
    ready.CloseWrite();  // end of file if the child dies without a word
    checks_.Check(ready.Receive() == 'L', "stale-lock holder could not lock");
    if (sigkill) ::kill(child, SIGKILL);
    (void)Reap(child);
    return 0;
  }

  // A child holding the lock until killed (a live holder).
  pid_t LiveHolder(const std::string& stack) {
    Pipe ready;
    const pid_t child = Spawn([&] {
      Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
      if (!backend.ok()) return kChildFailed;
      Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(Wait(milliseconds(0)));
      ready.Send(lock.ok() ? 'L' : 'E');
      for (;;) ::pause();
      return 0;
    });
    ready.CloseWrite();
    checks_.Check(ready.Receive() == 'L', "live holder could not lock");
    return child;
  }

  // Writes `content` as the marker (no OFD lock: nobody holds it); no helper process.
  pid_t Plant(const std::string& stack, const std::string& content) {
    checks_.Check(WriteFile(MarkerPath(stack), content), "plant a marker");
    return 0;
  }

  pid_t PlantRecord(const std::string& stack, const MarkerHolder& holder) {
    return Plant(stack, internal::EncodeLockRecord(holder));
  }

  // A live sleeper and a record naming it with `edit` applied; returns the sleeper.
  pid_t PlantLive(const std::string& stack, const std::function<void(MarkerHolder&)>& edit) {
    const pid_t sleeper = Sleeper();
    const std::optional<std::uint64_t> start = internal::ProcessProbe::Default()->StartTimeOf(sleeper);
    checks_.Check(start.has_value() && *start > 0, "the sleeper's start time");
    MarkerHolder holder = RecordFor(sleeper, start.value_or(1));
    edit(holder);
    PlantRecord(stack, holder);
    return sleeper;
  }

  std::vector<MatrixCase> Matrix() {
    return {
        {"dead pid (holder exited)", LockState::kStale, [this](const std::string& s) { return LeaveStale(s, false); }},
        {"dead pid (holder SIGKILLed)", LockState::kStale,
         [this](const std::string& s) { return LeaveStale(s, true); }},
        {"reused pid (live pid, other start time)", LockState::kStale,
         [this](const std::string& s) { return PlantLive(s, [](MarkerHolder& h) { h.start_time += 1; }); }},
        {"other boot id (live pid)", LockState::kStale,
         [this](const std::string& s) {
           return PlantLive(s, [](MarkerHolder& h) { h.boot_id = "00000000-0000-4000-8000-000000000000"; });
         }},
        {"other host (dead pid)", LockState::kUnknown,
         [this](const std::string& s) {
           MarkerHolder h = RecordFor(ReapedPid(), 1);
           h.host = "elsewhere.example";
           return PlantRecord(s, h);
         }},
        {"bare pid, dead (unobin)", LockState::kUnknown,
         [this](const std::string& s) { return Plant(s, std::to_string(ReapedPid()) + "\n"); }},
        {"bare pid, alive (unobin)", LockState::kUnknown,
         [this](const std::string& s) {
           const pid_t sleeper = Sleeper();
           (void)Plant(s, std::to_string(sleeper) + "\n");
           return sleeper;
         }},
        {"malformed: not JSON", LockState::kUnknown, [this](const std::string& s) { return Plant(s, "{not json"); }},
        {"malformed: empty", LockState::kUnknown, [this](const std::string& s) { return Plant(s, ""); }},
        {"malformed: half a record", LockState::kUnknown,
         [this](const std::string& s) {
           const std::string record = internal::EncodeLockRecord(RecordFor(ReapedPid(), 1));
           return Plant(s, record.substr(0, record.size() / 2));
         }},
        {"malformed: binary", LockState::kUnknown,
         [this](const std::string& s) { return Plant(s, std::string("\0\xff\x01lock\n", 8)); }},
        {"malformed: oversized", LockState::kUnknown,
         [this](const std::string& s) { return Plant(s, std::string(5000, '7')); }},
        {"live holder", LockState::kHeld, [this](const std::string& s) { return LiveHolder(s); }},
        {"live pid without its OFD lock", LockState::kHeld,
         [this](const std::string& s) { return PlantLive(s, [](MarkerHolder&) {}); }},
    };
  }

  // Judges one planted marker from this (another) process: the verdict, then whether a lock
  // attempt breaks it exactly when it is stale. Returns true when both are right.
  bool Judge(const MatrixCase& c, const std::string& stack) {
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return false;
    const long breaks_before = LockBreaks(*backend);
    const std::string marker_before = ReadFile(MarkerPath(stack));
    Result<LockInfo> info = backend->GetLockInfo();
    const bool verdict_ok = info.ok() && info->state == c.expected;
    Result<std::unique_ptr<Lock>> lock = backend->AcquireLock(Wait(milliseconds(0)));
    bool action_ok;
    if (c.expected == LockState::kStale) {
      action_ok = lock.ok() && LockBreaks(*backend) == breaks_before + 1;
    } else {
      action_ok = !lock.ok() && lock.status().code() == Code::kLocked && ReadFile(MarkerPath(stack)) == marker_before &&
                  LockBreaks(*backend) == breaks_before;
    }
    if (lock.ok()) checks_.CheckOk((*lock)->Unlock(), c.name + ": unlock");
    checks_.Check(verdict_ok, c.name + ": classified " +
                                  (info.ok() ? std::string(LockStateName(info->state)) + " (" + info->reason + ")"
                                             : info.status().ToString()) +
                                  ", expected " + std::string(LockStateName(c.expected)));
    checks_.Check(action_ok, c.name + ": AcquireLock " + (lock.ok() ? "succeeded" : lock.status().ToString()) +
                                 (c.expected == LockState::kStale ? " (should break it)" : " (must not break it)"));
    return verdict_ok && action_ok;
  }

  void StaleMatrix() {
    long right = 0;
    long total = 0;
    const std::vector<MatrixCase> matrix = Matrix();
    for (int round = 0; round < rounds_; ++round) {
      for (std::size_t i = 0; i < matrix.size(); ++i) {
        const std::string stack = "matrix-" + std::to_string(i);
        if (!Open(stack)) continue;
        ::unlink(MarkerPath(stack).c_str());
        const pid_t helper = matrix[i].setup(stack);
        ++total;
        right += Judge(matrix[i], stack) ? 1 : 0;
        if (helper > 0) {
          ::kill(helper, SIGKILL);
          (void)Reap(helper);
        }
        ::unlink(MarkerPath(stack).c_str());
      }
    }
    std::printf(
        "lock torture: stale-classification matrix: %zu cases x %d rounds = %ld markers judged by another "
        "process, %ld classified and handled right (%.1f%%)\n",
        matrix.size(), rounds_, total, right,
        total > 0 ? 100.0 * static_cast<double>(right) / static_cast<double>(total) : 0.0);
  }

  // ---- 4. racing breakers ----------------------------------------------------------------

  // 8 children wait on `start`, then each tries AcquireLock with `timeout`; each reports its
  // code on `results` and, if it acquired, keeps the lock until `hold` closes (timeout 0) or
  // releases at once (waiting racers). Returns the codes.
  std::vector<int> Race(const std::string& stack, milliseconds timeout) {
    Pipe start;
    Pipe results;
    Pipe hold;
    std::vector<pid_t> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.push_back(Spawn([&] {
        start.CloseWrite();
        hold.CloseWrite();
        Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
        start.Receive();  // end of file: everyone goes at once
        if (!backend.ok()) {
          results.Send(static_cast<char>('0' + kChildFailed));
          return kChildFailed;
        }
        Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(Wait(timeout));
        const int code = CodeFor(lock.status());
        results.Send(static_cast<char>('0' + code));
        if (lock.ok() && timeout.count() == 0) hold.Receive();
        if (lock.ok()) (void)(*lock)->Unlock();
        return code;
      }));
    }
    start.CloseWrite();
    std::vector<int> codes;
    for (int i = 0; i < kRacers; ++i) codes.push_back(results.Receive() - '0');
    hold.CloseWrite();
    for (const pid_t racer : racers) (void)Reap(racer);
    return codes;
  }

  void BreakRace() {
    const std::string stack = "race";
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return;
    int exactly_one = 0;
    for (int round = 0; round < rounds_; ++round) {
      LeaveStale(stack, /*sigkill=*/true);
      const long breaks_before = LockBreaks(*backend);
      const std::vector<int> codes = Race(stack, milliseconds(0));
      const long winners = std::count(codes.begin(), codes.end(), kChildOk);
      const long locked = std::count(codes.begin(), codes.end(), kChildLocked);
      const long breaks = LockBreaks(*backend) - breaks_before;
      const bool ok = winners == 1 && locked == kRacers - 1 && breaks == 1;
      checks_.Check(ok, "race round " + std::to_string(round) + ": " + std::to_string(winners) + " acquired, " +
                            std::to_string(locked) + " locked out, " + std::to_string(breaks) + " breaks journaled");
      exactly_one += ok ? 1 : 0;
    }
    std::printf(
        "lock torture: %d processes racing to break one stale lock, %d rounds: exactly one winner and one "
        "journaled break in %d of %d\n",
        kRacers, rounds_, exactly_one, rounds_);
  }

  void WaitersOnAStaleLock() {
    const std::string stack = "waiters";
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return;
    int all_acquired = 0;
    const int rounds = std::max(1, rounds_ / 5);
    for (int round = 0; round < rounds; ++round) {
      LeaveStale(stack, /*sigkill=*/true);
      const long breaks_before = LockBreaks(*backend);
      const std::vector<int> codes = Race(stack, milliseconds(60000));
      const long winners = std::count(codes.begin(), codes.end(), kChildOk);
      const long breaks = LockBreaks(*backend) - breaks_before;
      const bool ok = winners == kRacers && breaks == 1;
      checks_.Check(ok, "waiters round " + std::to_string(round) + ": " + std::to_string(winners) + " acquired, " +
                            std::to_string(breaks) + " breaks journaled");
      all_acquired += ok ? 1 : 0;
    }
    std::printf(
        "lock torture: %d waiters on one stale lock, %d rounds: all acquired in turn with one journaled "
        "break in %d of %d\n",
        kRacers, rounds, all_acquired, rounds);
  }

  // ---- 5. force-unlock with a wrong id -----------------------------------------------------

  void ForceUnlockWrongId() {
    const std::string stack = "force";
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return;
    int refused = 0;
    for (int round = 0; round < rounds_; ++round) {
      const pid_t holder = LiveHolder(stack);
      const std::string before = ReadFile(MarkerPath(stack));
      Result<MarkerHolder> record = internal::ParseLockRecord(before);
      const std::string wrong = internal::NewLockId();
      const Status direct = backend->ForceUnlock(wrong);
      Result<ForceUnlockOutcome> forced = ForceUnlockWithPolicy(*backend, wrong, /*force=*/true);
      Result<ForceUnlockOutcome> live = ForceUnlockWithPolicy(*backend, "", /*force=*/false);
      Result<LockInfo> info = backend->GetLockInfo();
      const bool ok = direct.code() == Code::kLocked && !forced.ok() && forced.status().code() == Code::kLocked &&
                      !live.ok() && live.status().code() == Code::kLocked && ReadFile(MarkerPath(stack)) == before &&
                      info.ok() && info->state == LockState::kHeld;
      checks_.Check(ok, "force-unlock with a wrong id (or of a live holder without one) was not refused");
      refused += ok ? 1 : 0;
      if (record.ok()) {
        Result<ForceUnlockOutcome> right = ForceUnlockWithPolicy(*backend, record->lock_id, false);
        checks_.Check(right.ok() && right->removed, "force-unlock with the right id did not remove the lock");
      }
      ::kill(holder, SIGKILL);
      (void)Reap(holder);
    }
    std::printf(
        "lock torture: force-unlock with a wrong lock id: refused %d of %d times, the holder's lock intact; "
        "the right id removed it\n",
        refused, rounds_);
  }

  // ---- 6. fencing ---------------------------------------------------------------------------

  // In a child: locks, writes a revision, says 'W', waits for 'G', tries SetCurrent, reports
  // its code as a byte, then unlocks (must not touch a new holder's marker).
  int FencedWorker(const std::string& stack, const Pipe& to_parent, Pipe& from_parent) {
    from_parent.CloseWrite();
    Result<std::unique_ptr<Backend>> backend = OpenStack(root_, stack);
    if (!backend.ok()) return kChildFailed;
    Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(Wait(milliseconds(0)));
    Result<std::string> rev =
        lock.ok() ? (*backend)->Write(SnapshotFor(stack), {}) : Result<std::string>(lock.status());
    to_parent.Send(rev.ok() ? 'W' : 'E');
    if (!rev.ok() || from_parent.Receive() != 'G') return kChildFailed;
    const Status moved =
        (*backend)->SetCurrent(*rev, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*lock)->id()});
    to_parent.Send(static_cast<char>('0' + CodeFor(moved)));
    (void)(*lock)->Unlock();
    return kChildOk;
  }

  void FencedHolder() {
    const std::string stack = "fence";
    std::unique_ptr<Backend> backend = Open(stack);
    if (!backend) return;
    LockOptions options = Wait(milliseconds(0));
    Result<std::string> base = backend->Commit(SnapshotFor(stack), options, {});
    if (!checks_.CheckOk(base.status(), "fence: first commit")) return;
    int fenced = 0;
    for (int round = 0; round < rounds_; ++round) {
      Pipe to_parent;
      Pipe from_parent;
      const pid_t worker = Spawn([&] { return FencedWorker(stack, to_parent, from_parent); });
      from_parent.CloseRead();
      to_parent.CloseWrite();
      if (!checks_.Check(to_parent.Receive() == 'W', "fence: worker could not lock and write")) {
        from_parent.CloseWrite();
        (void)Reap(worker);
        continue;
      }
      Result<MarkerHolder> record = internal::ParseLockRecord(ReadFile(MarkerPath(stack)));
      const bool removed = record.ok() && backend->ForceUnlock(record->lock_id).ok();
      std::unique_ptr<Lock> successor;  // in odd rounds another holder takes the lock meanwhile
      if (round % 2 == 1) {
        Result<std::unique_ptr<Lock>> taken = backend->AcquireLock(options);
        if (checks_.CheckOk(taken.status(), "fence: successor lock")) successor = std::move(*taken);
      }
      from_parent.Send('G');
      const char code = to_parent.Receive();
      checks_.Check(Reap(worker) == kChildOk, "fence: worker failed");
      Result<std::string> current = backend->CurrentRev();
      bool successor_kept = true;
      if (successor) {
        Result<MarkerHolder> now = internal::ParseLockRecord(ReadFile(MarkerPath(stack)));
        successor_kept = now.ok() && now->lock_id == successor->id();
        checks_.CheckOk(successor->Unlock(), "fence: successor unlock");
      }
      const bool ok = removed && code == '0' + kChildLocked && current.ok() && *current == *base && successor_kept;
      checks_.Check(ok, "fence round " + std::to_string(round) + ": the fenced holder's set-current returned code " +
                            std::string(1, code) + ", current " +
                            (current.ok() ? *current : current.status().ToString()) +
                            (successor_kept ? "" : ", the successor's marker was removed"));
      fenced += ok ? 1 : 0;
    }
    std::printf(
        "lock torture: fenced holder (lock force-unlocked, taken by another holder in half the rounds): "
        "publish refused %d of %d times, current unchanged, the successor's lock untouched\n",
        fenced, rounds_);
  }

  std::string root_;
  long cycles_;
  int rounds_;
  Checks checks_;
};

int Main() {
  const long cycles = EnvCount("SEALSTATE_LOCK_CYCLES", LongRun() ? kLongCycles : kDefaultCycles);
  const int rounds = LongRun() ? kLongRounds : kDefaultRounds;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmpdir != nullptr && *tmpdir == '/' ? tmpdir : "/tmp") + "/sealstate-lock-torture-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::printf("lock torture: cannot create a temp dir: %s\n", std::strerror(errno));
    return 1;
  }
  (void)TestEncrypter();  // sets the key variable before any fork
  const int result = LockTorture(pattern, cycles, rounds).Run();
  std::error_code ignored;
  std::filesystem::remove_all(pattern, ignored);
  return result;
}

}  // namespace
}  // namespace sealstate::process_test

int main() {
  ::signal(SIGPIPE, SIG_IGN);
  return sealstate::process_test::Main();
}
