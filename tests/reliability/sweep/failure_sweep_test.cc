// The reliability suite's failure-point sweep (SQLite's ioerr sweep, LevelDB's
// fault-injection test).
//
// For every store operation, a clean run counts its Env calls N (and its Write calls W). Then
// for every k in [0, N) and each errno in {EIO, ENOSPC, EDQUOT, EROFS}, and for every k in
// [0, W) a short write followed by ENOSPC, each once and persistently (every later call fails
// too), the operation runs on a fresh copy of a known state: three committed revisions r1, r2,
// r3, current = r3. Afterwards, with a clean Env, the case proves:
//   (a) success reported => the new state is fully there (checked in the child, right after
//       the call, through a second store on the real Env: revision listed and opening to the
//       snapshot written, pointer moved, lock held or free, journal event present);
//   (b) the stack reopens at the previous or the new state, never a mix: current names an
//       existing revision that opens; List() is exactly the snapshot files; the revisions are
//       one of the allowed sets; every surviving revision still opens to its own content; the
//       journal reads back with consecutive seqs; no stray names in the stack directory;
//   (c) VerifyStack reports 0 problems;
//   (d) after a locked open (AcquireLock + Unlock on a fresh store with a clean Env) no name
//       containing ".tmp." is left in the stack directory or snapshots/, and no lock marker;
//   (e) no fd leaks: /proc/self/fd counted in the child before the store is opened and after
//       every object is destroyed (with the faults still armed, as in a real failure).
//
// Each case runs its operation in a forked child: temp-file debris is removed only when its
// owner pid is dead, so the owner must really die before (d) is checked; a fork also isolates
// a crash (a child killed by a signal or exiting non-zero is a violation). Cost: one fork and
// one copy of the (tiny) fixture per case, all on tmpfs when /dev/shm is available.
//
// Sizes: the default run sweeps 13 operation variants (the 11 operations, plus write and commit
// on a filesystem without renameat2(RENAME_NOREPLACE)). SEALSTATE_LONG=1 adds the same sweep
// for unobin-compatible (v1) writes and for a ~600 KB snapshot (several Write calls per file).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>

#include "io/durable_file.h"
#include "store/local_store_internal.h"
#include "support/fault_injection_env.h"
#include "support/scratch_dir.h"
#include "sweep_util.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::FaultInjectionEnv;
using sealstate::testing::Op;

namespace {

constexpr const char* kFactory = "sweep-factory";
constexpr const char* kStack = "sweep-stack";
constexpr const char* kFreshStack = "fresh-stack";

// ---------------------------------------------------------------------------------------------
// The known state every case starts from.

struct Fixture {
  std::string template_root;        // built once; copied for each case
  std::vector<std::string> revs;    // r1, r2, r3 (current = r3)
  std::vector<Snapshot> snapshots;  // their contents
  Snapshot fresh;                   // what write and commit store
  std::uint64_t journal_seq = 0;    // the last journal seq of the template
  std::shared_ptr<const Encrypter> encrypter;
  bool unobin = false;
};

Snapshot Numbered(int i) {
  Snapshot s = sealstate::testing::FixtureSnapshot();
  s.factory.name = kFactory;
  s.stack = kStack;
  s.entries[0].outputs["id"] = Json("vpc-" + std::to_string(i));
  return s;
}

LocalStoreOptions StoreOptions(const Fixture& fx, const std::string& root, const std::string& stack = kStack,
                               bool create = true) {
  LocalStoreOptions o;
  o.root = root;
  o.factory = kFactory;
  o.stack = stack;
  o.encrypter = fx.encrypter;
  o.envelope.unobin_compatible = fx.unobin;
  o.create = create;
  return o;
}

Result<std::unique_ptr<Backend>> OpenOn(internal::Env& env, const LocalStoreOptions& options) {
  return internal::OpenLocalStoreWith(options, env, *internal::ProcessProbe::Default());
}

// Builds the template: r1, r2, r3 committed, current = r3.
void BuildFixture(Fixture& fx, const std::string& root, const Snapshot& fresh) {
  fx.template_root = root;
  fx.fresh = fresh;
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(StoreOptions(fx, root));
  REQUIRE(store.ok());
  for (int i = 1; i <= 3; ++i) {
    fx.snapshots.push_back(Numbered(i));
    Result<std::string> rev = (*store)->Commit(fx.snapshots.back(), LockOptions{}, {});
    REQUIRE(rev.ok());
    fx.revs.push_back(*rev);
  }
  Result<std::vector<JournalEvent>> events = (*store)->Journal(0);
  REQUIRE(events.ok());
  REQUIRE(!events->empty());
  fx.journal_seq = events->back().seq;
}

// ---------------------------------------------------------------------------------------------
// Faults.

enum class FaultKind { kErrno, kShortWrite };

struct Fault {
  FaultKind kind = FaultKind::kErrno;
  int err = 0;          // kErrno
  std::uint64_t k = 0;  // the global call index (kErrno) or the per-Write index
  bool persistent = false;
  std::uint64_t write_call = 0;  // kShortWrite: the global index of Write k (from the clean run)
};

std::string Describe(const Fault& f) {
  std::string what = f.kind == FaultKind::kShortWrite
                         ? "short write #" + std::to_string(f.k)
                         : std::string(strerrorname_np(f.err)) + " at call " + std::to_string(f.k);
  return what + (f.persistent ? " (persistent)" : " (once)");
}

void Apply(FaultInjectionEnv& env, const Fault& f) {
  if (f.kind == FaultKind::kErrno) {
    env.FailCall(f.k, f.err, f.persistent);
    return;
  }
  env.ShortWriteThenFail(f.k);  // Write k writes half; the next Write fails with ENOSPC
  if (f.persistent) env.FailCall(f.write_call + 1, ENOSPC, /*persistent=*/true);  // and every later call
}

// ---------------------------------------------------------------------------------------------
// What a child reports to the parent (one "key value" per line).

struct Report {
  bool ok = false;
  std::string status;                      // the operation's Status, for messages
  std::string rev;                         // write / commit: the revision returned
  std::uint64_t calls = 0;                 // Env calls made by the operation
  std::vector<std::uint64_t> write_calls;  // global index of each Write call
  std::uint64_t injected = 0;
  long fds_before = 0;
  long fds_after = 0;
  std::vector<std::string> violations;
};

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::string Serialize(const Report& r) {
  std::ostringstream out;
  out << "ok " << r.ok << "\ncalls " << r.calls << "\ninjected " << r.injected << "\nfds " << r.fds_before << " "
      << r.fds_after << "\nrev " << r.rev << "\nstatus " << OneLine(r.status) << "\n";
  for (std::uint64_t w : r.write_calls) out << "write " << w << "\n";
  for (const std::string& v : r.violations) out << "violation " << OneLine(v) << "\n";
  return out.str();
}

Report Parse(const std::string& text) {
  Report r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    std::istringstream v(value);
    if (key == "ok") v >> r.ok;
    if (key == "calls") v >> r.calls;
    if (key == "injected") v >> r.injected;
    if (key == "fds") v >> r.fds_before >> r.fds_after;
    if (key == "rev") r.rev = value;
    if (key == "status") r.status = value;
    if (key == "write") r.write_calls.push_back(std::stoull(value));
    if (key == "violation") r.violations.push_back(value);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// The operations. Each opens what it needs on the faulty Env (cleanly), calls `arm` right
// before the operation under test (which resets the counters and injects the fault), runs it,
// records the outcome, then checks (a) through a second store on the real Env.

struct OpContext {
  FaultInjectionEnv& env;
  const Fixture& fx;
  std::string root;
  std::function<void()> arm;
  std::function<void()> done;  // records calls / writes / injected right after the operation
  Report& report;

  void Violation(const std::string& what) { report.violations.push_back(what); }
  void Record(const Status& s) {
    done();
    report.ok = s.ok();
    report.status = s.ToString();
  }
  // A store on the real Env, for the success checks.
  std::unique_ptr<Backend> Clean(const std::string& stack = kStack) {
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(StoreOptions(fx, root, stack, false));
    if (!store.ok()) {
      Violation("clean reopen failed: " + store.status().ToString());
      return nullptr;
    }
    return std::move(*store);
  }
  // The journal events after the template's, or a violation.
  std::vector<JournalEvent> NewEvents(Backend& clean) {
    Result<std::vector<JournalEvent>> events = clean.Journal(fx.journal_seq);
    if (!events.ok()) Violation("journal unreadable: " + events.status().ToString());
    return events.ok() ? *events : std::vector<JournalEvent>{};
  }
  void RequireEvent(Backend& clean, const std::string& event, const std::string& rev) {
    for (const JournalEvent& e : NewEvents(clean)) {
      if (e.event == event && e.rev == rev) return;
    }
    Violation("success reported but no journal event " + event + " " + rev);
  }
  void RequireCurrent(Backend& clean, const std::string& rev) {
    Result<std::string> current = clean.CurrentRev();
    if (!current.ok() || *current != rev) {
      Violation("success reported but current is " + (current.ok() ? *current : current.status().ToString()) +
                ", not " + rev);
    }
  }
  void RequireLockState(Backend& clean, LockState want, const std::string& lock_id) {
    Result<LockInfo> info = clean.GetLockInfo();
    if (!info.ok() || info->state != want ||
        (!lock_id.empty() && (!info->holder || info->holder->lock_id != lock_id))) {
      Violation("success reported but the lock is not " + std::string(LockStateName(want)) +
                (info.ok() ? " (it is " + std::string(LockStateName(info->state)) + ")" : ""));
    }
  }
  void RequireRevOpens(Backend& clean, const std::string& rev, const Snapshot& want) {
    Result<Snapshot> got = clean.Get(rev);
    if (!got.ok() || !(*got == want)) {
      Violation("success reported but " + rev + " does not open to what was written: " + got.status().ToString());
    }
  }
};

using OpFn = void (*)(OpContext&);

std::unique_ptr<Backend> OpenFaulty(OpContext& c, const std::string& stack = kStack) {
  Result<std::unique_ptr<Backend>> store = OpenOn(c.env, StoreOptions(c.fx, c.root, stack));
  if (!store.ok()) {
    c.Violation("setup: open failed: " + store.status().ToString());
    return nullptr;
  }
  return std::move(*store);
}

std::unique_ptr<Lock> LockCleanly(OpContext& c, Backend& store) {
  Result<std::unique_ptr<Lock>> lock = store.AcquireLock(LockOptions{});
  if (!lock.ok()) {
    c.Violation("setup: lock failed: " + lock.status().ToString());
    return nullptr;
  }
  return std::move(*lock);
}

void OpWrite(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  c.arm();
  Result<std::string> rev = store->Write(c.fx.fresh, {});
  c.Record(rev.status());
  if (!rev.ok()) return;
  c.report.rev = *rev;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    c.RequireRevOpens(*clean, *rev, c.fx.fresh);
    c.RequireEvent(*clean, "write", *rev);
  }
}

void OpCommit(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  c.arm();
  Result<std::string> rev = store->Commit(c.fx.fresh, LockOptions{}, {});
  c.Record(rev.status());
  if (!rev.ok()) return;
  c.report.rev = *rev;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    c.RequireCurrent(*clean, *rev);
    c.RequireRevOpens(*clean, *rev, c.fx.fresh);
    c.RequireEvent(*clean, "write", *rev);
    c.RequireEvent(*clean, "set-current", *rev);
    c.RequireLockState(*clean, LockState::kFree, "");
  }
}

// Under the lock (so the fencing check reads the marker), compare-and-swap from r3 to r2.
void OpSetCurrent(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  std::unique_ptr<Lock> lock = LockCleanly(c, *store);
  if (!lock) return;
  c.arm();
  c.Record(store->SetCurrent(c.fx.revs[1], SetCurrentOptions{.expected_current = c.fx.revs[2], .lock_id = ""}));
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    c.RequireCurrent(*clean, c.fx.revs[1]);
    c.RequireEvent(*clean, "set-current", c.fx.revs[1]);
  }
}

void OpRemove(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  c.arm();
  c.Record(store->Remove(c.fx.revs[0], ""));
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    Result<std::vector<std::string>> revs = clean->List();
    if (!revs.ok() || std::count(revs->begin(), revs->end(), c.fx.revs[0]) != 0) {
      c.Violation("remove reported success but r1 is still listed");
    }
    c.RequireEvent(*clean, "remove", c.fx.revs[0]);
  }
}

// Under the lock, as the CLI does: the plan (made cleanly) deletes r1 and r2, keeping r3.
void OpPrune(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  std::unique_ptr<Lock> lock = LockCleanly(c, *store);
  if (!lock) return;
  Result<PrunePlan> plan = PlanPrune(*store, 0);
  if (!plan.ok() || plan->remove.size() != 2) {
    c.Violation("setup: prune plan: " + plan.status().ToString());
    return;
  }
  c.arm();
  c.Record(ExecutePrune(*store, *plan, "", nullptr));
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    Result<std::vector<std::string>> revs = clean->List();
    if (!revs.ok() || *revs != std::vector<std::string>{c.fx.revs[2]})
      c.Violation("prune reported success but left revisions");
    c.RequireEvent(*clean, "remove", c.fx.revs[0]);
    c.RequireEvent(*clean, "remove", c.fx.revs[1]);
    c.RequireEvent(*clean, "prune", "");
  }
}

void OpLock(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  c.arm();
  Result<std::unique_ptr<Lock>> lock = store->AcquireLock(LockOptions{});
  c.Record(lock.status());
  if (!lock.ok()) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) c.RequireLockState(*clean, LockState::kHeld, (*lock)->id());
  // The lock is destroyed with the faults still armed: a failed release leaves a marker whose
  // holder (this child) dies, which the parent's locked open must break.
}

void OpUnlock(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  std::unique_ptr<Lock> lock = LockCleanly(c, *store);
  if (!lock) return;
  c.arm();
  c.Record(lock->Unlock());
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) c.RequireLockState(*clean, LockState::kFree, "");
}

// The operator's force-unlock with the holder's id, while the holder (this process, through
// another store object) still holds it.
void OpForceUnlock(OpContext& c) {
  std::unique_ptr<Backend> holder_store = OpenFaulty(c);
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store || !holder_store) return;
  std::unique_ptr<Lock> lock = LockCleanly(c, *holder_store);
  if (!lock) return;
  c.arm();
  c.Record(store->ForceUnlock(lock->id()));
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) {
    c.RequireLockState(*clean, LockState::kFree, "");
    c.RequireEvent(*clean, "force-unlock", "");
  }
}

void OpJournal(OpContext& c) {
  std::unique_ptr<Backend> store = OpenFaulty(c);
  if (!store) return;
  c.arm();
  c.Record(store->AppendJournal("sweep-probe", c.fx.revs[2], "appended by the failure sweep", ""));
  if (!c.report.ok) return;
  if (std::unique_ptr<Backend> clean = c.Clean()) c.RequireEvent(*clean, "sweep-probe", c.fx.revs[2]);
}

// Opening the existing stack.
void OpOpen(OpContext& c) {
  c.arm();
  Result<std::unique_ptr<Backend>> store = OpenOn(c.env, StoreOptions(c.fx, c.root));
  c.Record(store.status());
  if (!store.ok()) return;
  c.env.ClearFaults();  // the store it returned must work
  Result<std::vector<std::string>> revs = (*store)->List();
  Result<std::string> current = (*store)->CurrentRev();
  if (!revs.ok() || *revs != c.fx.revs || !current.ok() || *current != c.fx.revs[2]) {
    c.Violation("open reported success but the store does not read back");
  }
}

// Opening (creating) a stack that does not exist yet.
void OpOpenCreate(OpContext& c) {
  c.arm();
  Result<std::unique_ptr<Backend>> store = OpenOn(c.env, StoreOptions(c.fx, c.root, kFreshStack));
  c.Record(store.status());
  if (!store.ok()) return;
  c.env.ClearFaults();
  if (std::unique_ptr<Backend> clean = c.Clean(kFreshStack)) {
    Result<std::vector<std::string>> revs = clean->List();
    if (!revs.ok() || !revs->empty()) c.Violation("created stack does not list empty");
  }
}

// Negative control: set-current done wrong, writing `current` in place (open with O_TRUNC,
// write, close) instead of temp + rename. A fault between the truncation and the write leaves
// an empty or torn pointer; the sweep must report it, or it proves nothing.
void OpBrokenSetCurrent(OpContext& c) {
  const std::string stack_path = c.root + "/" + kFactory + "/" + kStack;
  c.arm();
  const auto run = [&]() -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(int dir_fd, c.env.Open(stack_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
    const internal::Dir dir{dir_fd, stack_path};
    Result<int> fd = c.env.OpenAt(dir, "current", O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0);
    Status s = fd.status();
    if (fd.ok()) {
      internal::FdSink sink(c.env, *fd, "current");
      s = sink.Append(c.fx.revs[1] + "\n");
      if (s.ok()) s = sink.Flush();
      Status closed = c.env.Close(*fd, "current");
      if (s.ok()) s = closed;
    }
    (void)c.env.Close(dir_fd, stack_path);
    return s;
  };
  c.Record(run());
}

// What a case may end as, beside the template state.
enum class Outcome {
  kUnchanged,   // lock, unlock, force_unlock, journal, open
  kWrite,       // one extra revision allowed; current unchanged
  kCommit,      // one extra revision allowed; current = r3 or it
  kSetCurrent,  // current = r3 or r2
  kRemove,      // r1 present or gone
  kPrune,       // r1, r2 removed oldest first: {r1,r2,r3}, {r2,r3} or {r3}
  kCreate,      // the template stack unchanged; the fresh stack absent, partial or empty
};

struct OpSpec {
  std::string name;
  OpFn run;
  Outcome outcome;
  bool no_renameat2 = false;  // simulate a filesystem without RENAME_NOREPLACE
};

// ---------------------------------------------------------------------------------------------
// The child.

void ChildMain(const OpSpec& op, const Fixture& fx, const std::string& root, const std::optional<Fault>& fault,
               int out_fd) {
  Report report;
  try {
    report.fds_before = sealstate::testing::OpenFdCount();
    {
      FaultInjectionEnv env;
      env.UnsupportedNoReplace(op.no_renameat2);
      OpContext c{env, fx, root, nullptr, nullptr, report};
      c.arm = [&] {
        env.ResetCounters();
        if (fault) Apply(env, *fault);
      };
      c.done = [&] {
        report.calls = env.calls();
        report.injected = env.injected();
        for (const auto& entry : env.trace()) {
          if (entry.op == Op::kWrite) report.write_calls.push_back(entry.index);
        }
      };
      op.run(c);
    }
    report.fds_after = sealstate::testing::OpenFdCount();
  } catch (const std::exception& e) {
    report.violations.push_back(std::string("exception: ") + e.what());
  }
  const std::string text = Serialize(report);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(out_fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}

// Runs the operation in a forked child; the child is dead (and reaped) when this returns.
Report RunInChild(const OpSpec& op, const Fixture& fx, const std::string& root, const std::optional<Fault>& fault) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::close(fds[0]);
    ChildMain(op, fx, root, fault, fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Report report = Parse(text);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    report.violations.push_back("child crashed (wait status " + std::to_string(status) + ")");
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// The parent's checks, (b) to (e), with a clean Env.

class Checker {
 public:
  Checker(const Fixture& fx, std::string root) : fx_(fx), root_(std::move(root)) {}

  std::vector<std::string> Check(const OpSpec& op, const Report& r) {
    if (r.fds_after != r.fds_before) {
      Add("fd leak: " + std::to_string(r.fds_before) + " open before, " + std::to_string(r.fds_after) + " after");
    }
    CheckStack(kStack, op, r);
    if (op.outcome == Outcome::kCreate) CheckFreshStack();
    return std::move(problems_);
  }

 private:
  void Add(std::string problem) { problems_.push_back(std::move(problem)); }

  std::string StackPath(const std::string& stack) const { return root_ + "/" + kFactory + "/" + stack; }

  // (b) the revisions and the pointer are one of the allowed states.
  void CheckRevisions(Backend& store, const OpSpec& op, const Report& r) {
    Result<std::vector<std::string>> listed = store.List();
    Result<std::string> current = store.CurrentRev();
    if (!listed.ok() || !current.ok()) {
      Add("reopened stack unreadable: " + listed.status().ToString() + " / " + current.status().ToString());
      return;
    }
    std::vector<std::string> revs = *listed;
    std::vector<std::string> extra;
    for (const std::string& rev : revs) {
      if (std::find(fx_.revs.begin(), fx_.revs.end(), rev) == fx_.revs.end()) extra.push_back(rev);
    }
    std::vector<std::string> base;
    for (const std::string& rev : revs) {
      if (std::find(extra.begin(), extra.end(), rev) == extra.end()) base.push_back(rev);
    }
    const std::vector<std::string>& t = fx_.revs;
    std::vector<std::vector<std::string>> allowed_base{t};
    std::set<std::string> allowed_current{t[2]};
    std::size_t max_extra = 0;
    switch (op.outcome) {
      case Outcome::kUnchanged:
      case Outcome::kCreate: break;
      case Outcome::kWrite: max_extra = 1; break;
      case Outcome::kCommit:
        max_extra = 1;
        if (!extra.empty()) allowed_current.insert(extra[0]);
        break;
      case Outcome::kSetCurrent: allowed_current.insert(t[1]); break;
      case Outcome::kRemove: allowed_base.push_back({t[1], t[2]}); break;
      case Outcome::kPrune:
        allowed_base.push_back({t[1], t[2]});
        allowed_base.push_back({t[2]});
        break;
    }
    if (std::find(allowed_base.begin(), allowed_base.end(), base) == allowed_base.end()) {
      Add("revisions are neither the previous nor the new state (" + std::to_string(base.size()) + " of the template)");
    }
    if (extra.size() > max_extra) Add(std::to_string(extra.size()) + " unexpected revisions");
    if (allowed_current.count(*current) == 0)
      Add("current is " + *current + ": neither the previous nor the new state");
    for (const std::string& rev : extra) {
      Result<Snapshot> got = store.Get(rev);
      if (!got.ok() || !(*got == fx_.fresh)) Add("extra revision " + rev + " does not open to the snapshot written");
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (std::find(base.begin(), base.end(), t[i]) == base.end()) continue;
      Result<Snapshot> got = store.Get(t[i]);
      if (!got.ok() || !(*got == fx_.snapshots[i])) Add("template revision " + t[i] + " changed or unreadable");
    }
    // (a), parent side: the pointer and the revisions of a reported success.
    if (r.ok) CheckSuccess(op, r, revs, *current);
  }

  void CheckSuccess(const OpSpec& op, const Report& r, const std::vector<std::string>& revs,
                    const std::string& current) {
    const std::vector<std::string>& t = fx_.revs;
    const bool has_new = std::find(revs.begin(), revs.end(), r.rev) != revs.end();
    switch (op.outcome) {
      case Outcome::kWrite:
        if (!has_new) Add("write reported success but its revision is gone");
        break;
      case Outcome::kCommit:
        if (!has_new || current != r.rev) Add("commit reported success but current is not its revision");
        break;
      case Outcome::kSetCurrent:
        if (current != t[1]) Add("set-current reported success but current did not move");
        break;
      case Outcome::kRemove:
        if (revs != std::vector<std::string>{t[1], t[2]}) Add("remove reported success but r1 is back");
        break;
      case Outcome::kPrune:
        if (revs != std::vector<std::string>{t[2]}) Add("prune reported success but revisions are back");
        break;
      default: break;
    }
  }

  // (b) List() is exactly the snapshot files; nothing but temps is hidden; the stack directory
  // holds nothing unexpected.
  void CheckFiles(Backend& store, const std::string& stack) {
    Result<std::vector<std::string>> listed = store.List();
    if (!listed.ok()) return;
    std::set<std::string> files;
    for (const std::string& name : sealstate::testing::DirNames(StackPath(stack) + "/snapshots")) {
      if (name.find(".tmp.") != std::string::npos && name[0] == '.') continue;
      if (!name.ends_with(".json.enc") || name[0] == '.') {
        Add("stray file in snapshots/: " + name);
        continue;
      }
      files.insert(name.substr(0, name.size() - 9));
    }
    if (files != std::set<std::string>(listed->begin(), listed->end())) Add("List() does not match the files");
    const std::set<std::string> known{"current", "lock", "journal", "snapshots"};
    for (const std::string& name : sealstate::testing::DirNames(StackPath(stack))) {
      if (known.count(name) == 0 && !(name[0] == '.' && name.find(".tmp.") != std::string::npos)) {
        Add("stray name in the stack directory: " + name);
      }
    }
  }

  // (b) the journal reads back, seqs 1, 2, 3, ...
  void CheckJournal(Backend& store) {
    Result<std::vector<JournalEvent>> events = store.Journal(0);
    if (!events.ok()) {
      Add("journal unreadable: " + events.status().ToString());
      return;
    }
    for (std::size_t i = 0; i < events->size(); ++i) {
      if ((*events)[i].seq != i + 1) {
        Add("journal seqs are not consecutive");
        return;
      }
    }
  }

  // (c) verify passes.
  void CheckVerify(Backend& store) {
    Result<VerifyReport> report = VerifyStack(store);
    if (!report.ok()) {
      Add("verify failed: " + report.status().ToString());
    } else if (!report->problems.empty()) {
      Add("verify: " + std::to_string(report->problems.size()) + " problems, first " + report->problems[0].rev + ": " +
          report->problems[0].status.ToString());
    }
  }

  // (d) a locked open on a fresh store object succeeds and leaves no temp debris, no marker.
  void CheckLockedOpen(const std::string& stack) {
    LocalStoreOptions options = StoreOptions(fx_, root_, stack, false);
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(options);
    if (!store.ok()) {
      Add("locked open: open failed: " + store.status().ToString());
      return;
    }
    Result<std::unique_ptr<Lock>> lock = (*store)->AcquireLock(LockOptions{});
    if (!lock.ok()) {
      Add("locked open: the lock is not usable: " + lock.status().ToString());
      return;
    }
    Status unlocked = (*lock)->Unlock();
    if (!unlocked.ok()) Add("locked open: unlock failed: " + unlocked.ToString());
    for (const std::string& dir : {StackPath(stack), StackPath(stack) + "/snapshots"}) {
      for (const std::string& name : sealstate::testing::DirNames(dir)) {
        if (name.find(".tmp.") != std::string::npos) Add("debris after a locked open: " + name);
        if (name == "lock") Add("a lock marker is left after a locked open");
      }
    }
  }

  void CheckStack(const std::string& stack, const OpSpec& op, const Report& r) {
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(StoreOptions(fx_, root_, stack, false));
    if (!store.ok()) {
      Add("the stack does not reopen: " + store.status().ToString());
      return;
    }
    CheckRevisions(**store, op, r);
    CheckFiles(**store, stack);
    CheckJournal(**store);
    CheckVerify(**store);
    CheckLockedOpen(stack);
    CheckVerify(**store);
  }

  // open-create: the fresh stack is absent or partial (then a creating open completes it), or
  // complete and empty.
  void CheckFreshStack() {
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(StoreOptions(fx_, root_, kFreshStack, true));
    if (!store.ok()) {
      Add("the fresh stack cannot be created after the failure: " + store.status().ToString());
      return;
    }
    Result<std::vector<std::string>> revs = (*store)->List();
    if (!revs.ok() || !revs->empty()) Add("the fresh stack is not empty");
    if ((*store)->CurrentRev().status().code() != Code::kNoCurrent) Add("the fresh stack has a current");
    CheckFiles(**store, kFreshStack);
    CheckVerify(**store);
    CheckLockedOpen(kFreshStack);
  }

  const Fixture& fx_;
  std::string root_;
  std::vector<std::string> problems_;
};

// ---------------------------------------------------------------------------------------------
// The sweep.

struct SweepTotals {
  std::uint64_t cases = 0;
  std::uint64_t violations = 0;
  std::uint64_t reported_success = 0;
  std::uint64_t not_fired = 0;  // cases whose fault never fired (nondeterminism): a harness bug
  std::vector<std::string> samples;
};

// Runs one case on a fresh copy of the template.
void RunCase(const OpSpec& op, const Fixture& fx, const std::string& work, const std::optional<Fault>& fault,
             SweepTotals& totals, Report* clean_report) {
  const std::string root = work + "/case";
  std::filesystem::copy(fx.template_root, root, std::filesystem::copy_options::recursive);
  const Report r = RunInChild(op, fx, root, fault);
  std::vector<std::string> problems = r.violations;
  for (std::string& p : Checker(fx, root).Check(op, r)) problems.push_back(std::move(p));
  if (fault && r.injected == 0) {
    ++totals.not_fired;
    problems.push_back("the fault never fired");
  }
  if (!fault && !r.ok) problems.push_back("the clean run failed: " + r.status);
  ++totals.cases;
  if (r.ok) ++totals.reported_success;
  if (!problems.empty()) {
    ++totals.violations;
    if (totals.samples.size() < 30) {
      totals.samples.push_back(op.name + " / " + (fault ? Describe(*fault) : "clean") + " -> " + r.status + ": " +
                               problems[0]);
    }
  }
  if (clean_report != nullptr) *clean_report = r;
  std::filesystem::remove_all(root);
}

// Returns the number of cases.
std::uint64_t SweepOperation(const OpSpec& op, const Fixture& fx, const std::string& work, SweepTotals& totals) {
  Report clean;
  RunCase(op, fx, work, std::nullopt, totals, &clean);
  const std::uint64_t n = clean.calls;
  const std::uint64_t w = clean.write_calls.size();
  std::uint64_t cases = 0;
  for (const bool persistent : {false, true}) {
    for (const int err : {EIO, ENOSPC, EDQUOT, EROFS}) {
      for (std::uint64_t k = 0; k < n; ++k, ++cases) {
        RunCase(op, fx, work, Fault{FaultKind::kErrno, err, k, persistent, 0}, totals, nullptr);
      }
    }
    for (std::uint64_t k = 0; k < w; ++k, ++cases) {
      RunCase(op, fx, work, Fault{FaultKind::kShortWrite, 0, k, persistent, clean.write_calls[k]}, totals, nullptr);
    }
  }
  std::cout << "  " << op.name << ": N=" << n << " Env calls, W=" << w << " writes, " << cases + 1 << " cases"
            << std::endl;
  return cases + 1;
}

std::vector<OpSpec> Operations() {
  return {
      {"write", OpWrite, Outcome::kWrite},
      {"set_current", OpSetCurrent, Outcome::kSetCurrent},
      {"commit", OpCommit, Outcome::kCommit},
      {"remove", OpRemove, Outcome::kRemove},
      {"prune", OpPrune, Outcome::kPrune},
      {"lock", OpLock, Outcome::kUnchanged},
      {"unlock", OpUnlock, Outcome::kUnchanged},
      {"force_unlock", OpForceUnlock, Outcome::kUnchanged},
      {"journal_append", OpJournal, Outcome::kUnchanged},
      {"open", OpOpen, Outcome::kUnchanged},
      {"open_create", OpOpenCreate, Outcome::kCreate},
      {"write (no renameat2)", OpWrite, Outcome::kWrite, true},
      {"commit (no renameat2)", OpCommit, Outcome::kCommit, true},
  };
}

void RunSweep(const std::string& label, bool unobin, const Snapshot& fresh, const std::vector<OpSpec>& ops,
              SweepTotals& totals) {
  sealstate::testing::FastScratch work;
  Fixture fx;
  fx.unobin = unobin;
  fx.encrypter =
      std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey("SEALSTATE_SWEEP_KEY", sealstate::testing::kKeyA));
  BuildFixture(fx, work.Join("template"), fresh);
  std::cout << "failure sweep, " << label << ":" << std::endl;
  for (const OpSpec& op : ops) SweepOperation(op, fx, work.path(), totals);
}

// The sweep run against OpBrokenSetCurrent: how many violations it reports.
std::uint64_t NegativeControlViolations() {
  sealstate::testing::FastScratch work;
  Fixture fx;
  fx.encrypter =
      std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey("SEALSTATE_SWEEP_KEY", sealstate::testing::kKeyA));
  BuildFixture(fx, work.Join("template"), Numbered(4));
  SweepTotals totals;
  std::cout << "failure sweep, negative control:" << std::endl;
  SweepOperation(OpSpec{"set_current written in place", OpBrokenSetCurrent, Outcome::kSetCurrent}, fx, work.path(),
                 totals);
  for (std::size_t i = 0; i < totals.samples.size() && i < 3; ++i)
    std::cout << "    e.g. " << totals.samples[i] << std::endl;
  std::cout << "failure sweep negative control: " << totals.cases << " cases, " << totals.violations
            << " violations (must be > 0)" << std::endl;
  return totals.violations;
}

Snapshot LargeFresh() {
  Snapshot s = sealstate::testing::LargeSnapshot(600 * 1024);
  s.factory.name = kFactory;
  s.stack = kStack;
  return s;
}

}  // namespace

// Proves (a)-(e) above for every operation, failure point, errno and mode.
// The harness can see a broken operation: a pointer written in place is reported.
TEST_CASE("failure sweep negative control: a pointer written in place is caught", "[reliability][sweep]") {
  CHECK(NegativeControlViolations() > 0);
}

// Proves (a)-(e) above for every operation, failure point, errno and mode.
TEST_CASE("failure-point sweep over every store operation", "[reliability][sweep]") {
  const auto start = std::chrono::steady_clock::now();
  const int fds_before = sealstate::testing::OpenFdCount();
  SweepTotals totals;
  RunSweep("v2 envelopes", false, Numbered(4), Operations(), totals);
  if (sealstate::testing::LongRun()) {
    std::vector<OpSpec> writers;
    for (const OpSpec& op : Operations()) {
      if (op.outcome == Outcome::kWrite || op.outcome == Outcome::kCommit) writers.push_back(op);
    }
    RunSweep("unobin v1 envelopes", true, Numbered(4), Operations(), totals);
    RunSweep("600 KB snapshot", false, LargeFresh(), writers, totals);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& sample : totals.samples) std::cout << "  VIOLATION " << sample << std::endl;
  std::cout << "failure sweep: " << totals.cases << " cases, " << totals.violations << " violations ("
            << totals.reported_success << " reported success, " << totals.not_fired << " faults that never fired; "
            << seconds << " s)" << std::endl;
  CHECK(totals.violations == 0);
  CHECK(totals.not_fired == 0);
  CHECK(totals.cases > 1000);
  CHECK(sealstate::testing::OpenFdCount() == fds_before);  // the parent's own checks leak nothing
}
