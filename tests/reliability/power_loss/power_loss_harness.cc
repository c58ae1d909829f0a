#include "power_loss_harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <cstdlib>

#include <sealstate/journal_compaction.h>
#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>

#include "io/durable_file.h"
#include "journal/journal_mac.h"
#include "lock/process_identity.h"
#include "power_loss_support.h"
#include "store/local_store_internal.h"
#include "support/crash_env.h"
#include "support/fault_injection_env.h"
#include "test_support.h"

namespace sealstate::testing {
namespace {

using internal::ProcessProbe;

constexpr const char* kFactory = "cluster-deploy";
constexpr const char* kStack = "prod-east-alpha";
constexpr const char* kStoreDir = "store";
constexpr std::size_t kMaxSamples = 12;

// ---- the broken variants (negative controls) ----

// Fsync of a file of type `type` (S_IFREG or S_IFDIR) does nothing and reports success.
class SkipFsyncEnv : public EnvWrapper {
 public:
  SkipFsyncEnv(Env* target, mode_t type) : EnvWrapper(target), type_(type) {}
  Status Fsync(int fd, const std::string& what) override {
    Result<struct stat> st = Stat(fd, what);
    if (st.ok() && (st->st_mode & S_IFMT) == type_) return Status::OK();
    return EnvWrapper::Fsync(fd, what);
  }

 private:
  mode_t type_;
};

// Replacing `current` by rename becomes: read the temp, open current O_TRUNC, write, fsync,
// close, remove the temp. The naive in-place update the store must never do.
class CurrentInPlaceEnv : public EnvWrapper {
 public:
  explicit CurrentInPlaceEnv(Env* target) : EnvWrapper(target) {}
  Status RenameAt(const Dir& dir, std::string_view from, std::string_view to, bool no_replace) override {
    if (no_replace || to != "current") return EnvWrapper::RenameAt(dir, from, to, no_replace);
    SEALSTATE_ASSIGN_OR_RETURN(std::string bytes, ReadAll(dir, from));
    SEALSTATE_ASSIGN_OR_RETURN(int fd, OpenAt(dir, to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    internal::FdSink sink(*this, fd, dir.Join(to));
    Status written = sink.Append(bytes);
    if (written.ok()) written = sink.Flush();
    if (written.ok()) written = Fsync(fd, dir.Join(to));
    Status closed = Close(fd, dir.Join(to));
    SEALSTATE_RETURN_IF_ERROR(written);
    SEALSTATE_RETURN_IF_ERROR(closed);
    return UnlinkAt(dir, from);
  }

 private:
  Result<std::string> ReadAll(const Dir& dir, std::string_view name) {
    SEALSTATE_ASSIGN_OR_RETURN(int fd, OpenAt(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0));
    std::string bytes;
    char buffer[4096];
    Status status;
    for (;;) {
      Result<std::size_t> n = Read(fd, buffer, sizeof buffer, dir.Join(name));
      if (!n.ok()) status = n.status();
      if (!n.ok() || *n == 0) break;
      bytes.append(buffer, *n);
    }
    Status closed = Close(fd, dir.Join(name));
    SEALSTATE_RETURN_IF_ERROR(status);
    SEALSTATE_RETURN_IF_ERROR(closed);
    return bytes;
  }
};

// The temp lock marker's fsync (its name: ".lock.tmp.<pid>.<hex>", see TempNameFor) is held
// back and done just before the next fsync of its directory (the stack directory), or before the
// marker's fd is closed: the order a commit would get from linking the marker first and joining a
// background fsync of it before the stack directory's fsync.
class MarkerFsyncAfterLinkEnv : public EnvWrapper {
 public:
  explicit MarkerFsyncAfterLinkEnv(Env* target) : EnvWrapper(target) {}
  Status Fsync(int fd, const std::string& what) override {
    const std::size_t slash = what.rfind('/');
    if (slash != std::string::npos && what.compare(slash + 1, kMarkerTemp.size(), kMarkerTemp) == 0) {
      held_.push_back({fd, what});
      return Status::OK();
    }
    SEALSTATE_RETURN_IF_ERROR(FsyncHeld([&](const Held& h) { return h.what.rfind(what + "/", 0) == 0; }));
    return EnvWrapper::Fsync(fd, what);
  }
  Status Close(int fd, const std::string& what) override {
    SEALSTATE_RETURN_IF_ERROR(FsyncHeld([&](const Held& h) { return h.fd == fd; }));
    return EnvWrapper::Close(fd, what);
  }

 private:
  static constexpr std::string_view kMarkerTemp = ".lock.tmp.";
  struct Held {
    int fd;
    std::string what;
  };
  template <typename Match>
  Status FsyncHeld(Match match) {
    for (auto it = held_.begin(); it != held_.end();) {
      if (!match(*it)) {
        ++it;
        continue;
      }
      const Held h = *it;
      it = held_.erase(it);
      SEALSTATE_RETURN_IF_ERROR(EnvWrapper::Fsync(h.fd, h.what));
    }
    return Status::OK();
  }
  std::vector<Held> held_;
};

}  // namespace

std::unique_ptr<Env> MakeBrokenEnv(Breakage breakage, Env* target) {
  switch (breakage) {
    case Breakage::kNone: return std::make_unique<EnvWrapper>(target);
    case Breakage::kNoFileFsync: return std::make_unique<SkipFsyncEnv>(target, S_IFREG);
    case Breakage::kNoDirFsync: return std::make_unique<SkipFsyncEnv>(target, S_IFDIR);
    case Breakage::kCurrentInPlace: return std::make_unique<CurrentInPlaceEnv>(target);
    case Breakage::kMarkerFsyncAfterLink: return std::make_unique<MarkerFsyncAfterLinkEnv>(target);
  }
  return nullptr;
}

namespace {

// ---- the workload ----

// Distinct snapshots; odd ones span several 512-byte sectors once sealed.
Snapshot Variant(int n) {
  Snapshot s = LargeSnapshot(n % 2 == 1 ? 2400 : 100);
  s.entries[0].outputs["id"] = Json("vpc-" + std::to_string(n));
  return s;
}

enum class StepKind { kCommit, kWrite, kSetCurrent, kPrune, kCompactJournal };

struct Step {
  StepKind kind;
  int arg = 0;  // kCommit/kWrite: the snapshot variant; kSetCurrent: a label; kPrune: keep_newest;
                // kCompactJournal: the journal events to keep
};

// Labels name revisions: 0..2 the starting ones, then one per Commit/Write step in order.
const std::vector<Step>& Workload() {
  static const std::vector<Step> steps = {
      {StepKind::kCommit, 3},                                 // -> label 3
      {StepKind::kCommit, 4},                                 // -> label 4
      {StepKind::kSetCurrent, 3},                             // roll back
      {StepKind::kWrite, 5},                                  // -> label 5, current does not move
      {StepKind::kSetCurrent, 5},     {StepKind::kPrune, 1},  // keeps label 5 (newest and current), removes the rest
      {StepKind::kCompactJournal, 4},                         // drops the journal's head (and the prune's removes)
      {StepKind::kCommit, 6},                                 // -> label 6
  };
  return steps;
}

constexpr int kStartingRevisions = 3;
constexpr int kRecoveryVariant = 99;

// What the workload was told, up to the crash.
struct Expectation {
  std::map<std::string, Snapshot> acked;  // revision -> content: the starting ones and each acknowledged write
  std::set<std::string> pruned;           // removed by an acknowledged prune
  std::set<std::string> maybe_pruned;     // in the plan of the prune in flight
  std::string current;                    // after the last acknowledged step
  std::optional<Step> in_flight;
  std::string in_flight_target;            // kSetCurrent: the revision
  std::uint64_t journal_first = 1;         // the journal's first seq after the last acknowledged compaction
  std::uint64_t journal_acked_last = 0;    // the compaction line of the last acknowledged compaction
  std::uint64_t in_flight_first_kept = 0;  // kCompactJournal in flight: its first kept seq
  std::vector<std::string> labels;
  std::vector<std::string> harness_errors;
};

LocalStoreOptions StoreOptions(const std::string& root, const PowerLossConfig& config) {
  LocalStoreOptions options;
  options.root = root + "/" + kStoreDir;
  options.factory = kFactory;
  options.stack = kStack;
  options.encrypter = config.encrypter;
  options.create = false;
  return options;
}

Status PruneLocked(Backend& store, std::size_t keep_newest, Expectation& e) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, store.AcquireLock(LockOptions{}));
  SEALSTATE_ASSIGN_OR_RETURN(PrunePlan plan, PlanPrune(store, keep_newest));
  e.maybe_pruned.insert(plan.remove.begin(), plan.remove.end());
  SEALSTATE_RETURN_IF_ERROR(ExecutePrune(store, plan, "", nullptr));
  SEALSTATE_RETURN_IF_ERROR(lock->Unlock());
  e.pruned.insert(plan.remove.begin(), plan.remove.end());
  e.maybe_pruned.clear();
  return Status::OK();
}

Status CompactJournalLocked(Backend& store, std::uint64_t keep_last, Expectation& e) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, store.AcquireLock(LockOptions{}));
  SEALSTATE_ASSIGN_OR_RETURN(const JournalCompactionPlan plan,
                             PlanJournalCompaction(store, {.keep_last = keep_last, .keep_within = {}}));
  e.in_flight_first_kept = plan.first_kept_seq;
  SEALSTATE_ASSIGN_OR_RETURN(const JournalCompaction done, CompactStackJournal(store, plan, false, lock->id()));
  SEALSTATE_RETURN_IF_ERROR(lock->Unlock());
  if (done.dropped == 0) return Status::Internal("the workload's journal compaction dropped nothing");
  e.journal_first = done.first_kept_seq;
  e.journal_acked_last = done.mark_seq;
  return Status::OK();
}

Status RunStep(Backend& store, const Step& step, Expectation& e) {
  switch (step.kind) {
    case StepKind::kCommit:
    case StepKind::kWrite: {
      LockOptions options;
      options.operation = "commit";
      Result<std::string> rev = step.kind == StepKind::kCommit ? store.Commit(Variant(step.arg), options, {})
                                                               : store.Write(Variant(step.arg), {});
      if (!rev.ok()) return rev.status();
      e.acked[*rev] = Variant(step.arg);
      e.labels.push_back(*rev);
      if (step.kind == StepKind::kCommit) e.current = *rev;
      return Status::OK();
    }
    case StepKind::kSetCurrent: {
      e.in_flight_target = e.labels.at(static_cast<std::size_t>(step.arg));
      SEALSTATE_RETURN_IF_ERROR(store.SetCurrent(e.in_flight_target, {}));
      e.current = e.in_flight_target;
      return Status::OK();
    }
    case StepKind::kPrune: return PruneLocked(store, static_cast<std::size_t>(step.arg), e);
    case StepKind::kCompactJournal: return CompactJournalLocked(store, static_cast<std::uint64_t>(step.arg), e);
  }
  return Status::Internal("unknown step");
}

// Runs the workload until it ends or the simulated crash stops it.
void RunWorkload(Backend& store, const CrashSimulatingEnv& env, Expectation& e) {
  for (const Step& step : Workload()) {
    Status done = RunStep(store, step, e);
    if (done.ok()) continue;
    if (!env.crashed()) e.harness_errors.push_back("a workload step failed without a crash: " + done.ToString());
    e.in_flight = step;
    return;
  }
}

// ---- the starting tree ----

// A store with three committed revisions (variants 0, 1, 2), current = the last, fully durable.
Status BuildStartingTree(const std::string& root, const PowerLossConfig& config, Expectation& e) {
  FaultInjectionEnv env;
  env.FreezeClock(Timestamp{1703980800, 0, 0});  // 2023-12-31: before the workload's clock
  LocalStoreOptions options = StoreOptions(root, config);
  options.create = true;
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> store,
                             internal::OpenLocalStoreWith(options, env, *ProcessProbe::Default()));
  for (int n = 0; n < kStartingRevisions; ++n) {
    SEALSTATE_ASSIGN_OR_RETURN(std::string rev, store->Commit(Variant(n), LockOptions{}, {}));
    e.acked[rev] = Variant(n);
    e.labels.push_back(rev);
    e.current = rev;
  }
  return Status::OK();
}

// ---- checking one crash state ----

class StateCheck {
 public:
  StateCheck(const Expectation& e, const Encrypter* key, std::vector<std::string>& problems)
      : e_(e), journal_key_(internal::JournalMacKeyFor(key)), problems_(problems) {}

  // Returns true if the operation in flight took effect (current is the "after" state).
  bool Run(Backend& store, const std::string& store_root) {
    const bool after = CheckCurrent(store);
    CheckAcknowledged(store);
    CheckVerify(store);
    CheckJournal(store);
    CheckRecovery(store, store_root);
    return after;
  }

  std::uint64_t tolerated() const { return tolerated_; }
  std::uint64_t wrong_content() const { return wrong_content_; }

 private:
  void Fail(std::string message) { problems_.push_back(std::move(message)); }

  // current is the state before or after the operation in flight, and opens with that content.
  bool CheckCurrent(Backend& store) {
    Result<std::string> current = store.CurrentRev();
    if (!current.ok()) {
      Fail("current unreadable: " + current.status().ToString());
      return false;
    }
    const Snapshot* expected = nullptr;
    bool after = false;
    if (*current == e_.current) {
      expected = &e_.acked.at(e_.current);
    } else if (e_.in_flight && e_.in_flight->kind == StepKind::kSetCurrent && *current == e_.in_flight_target) {
      expected = &e_.acked.at(*current);
      after = true;
    } else if (e_.in_flight && e_.in_flight->kind == StepKind::kCommit && e_.acked.count(*current) == 0) {
      in_flight_variant_ = Variant(e_.in_flight->arg);
      expected = &in_flight_variant_;
      after = true;
    } else {
      Fail("current is " + *current + ": neither the state before (" + e_.current +
           ") nor after the operation in flight");
      return false;
    }
    Result<Snapshot> snapshot = store.Get(*current);
    if (!snapshot.ok()) {
      Fail("current " + *current + " does not open: " + snapshot.status().ToString());
    } else if (!(*snapshot == *expected)) {
      Fail("current " + *current + " opens with the wrong content");
      ++wrong_content_;
    }
    return after;
  }

  // Every acknowledged revision exists and opens with its content, unless pruned.
  void CheckAcknowledged(Backend& store) {
    Result<std::vector<std::string>> listed = store.List();
    if (!listed.ok()) return Fail("list failed: " + listed.status().ToString());
    const std::set<std::string> names(listed->begin(), listed->end());
    for (const auto& [rev, content] : e_.acked) {
      const bool present = names.count(rev) > 0;
      if (e_.pruned.count(rev) > 0) {
        if (present) Fail("revision " + rev + " removed by an acknowledged prune is back");
        continue;
      }
      if (!present) {
        if (e_.maybe_pruned.count(rev) == 0) Fail("acknowledged revision " + rev + " is gone");
        continue;
      }
      Result<Snapshot> snapshot = store.Get(rev);
      if (!snapshot.ok()) {
        Fail("acknowledged revision " + rev + " does not open: " + snapshot.status().ToString());
      } else if (!(*snapshot == content)) {
        Fail("acknowledged revision " + rev + " opens with the wrong content");
        ++wrong_content_;
      }
    }
  }

  // verify: problems only on revisions never acknowledged (counted as tolerated).
  void CheckVerify(Backend& store) {
    Result<VerifyReport> report = VerifyStack(store);
    if (!report.ok()) return Fail("verify failed: " + report.status().ToString());
    for (const VerifyProblem& problem : report->problems) {
      if (problem.rev == "current" || e_.acked.count(problem.rev) > 0) {
        Fail("verify: " + problem.rev + ": " + problem.status.ToString());
      } else {
        ++tolerated_;
      }
    }
  }

  // The journal reads; it starts where the last acknowledged compaction (or the one in flight)
  // left its head, never a mix; no acknowledged compaction's line is lost; its seqs follow on and
  // its MAC chain verifies with the key.
  void CheckJournal(Backend& store) {
    Result<std::vector<JournalEvent>> events = store.Journal(0);
    if (!events.ok()) return Fail("journal unreadable: " + events.status().ToString());
    if (events->empty()) return Fail("the journal is empty");
    const std::uint64_t first = events->front().seq;
    const bool compacting = e_.in_flight && e_.in_flight->kind == StepKind::kCompactJournal;
    if (first != e_.journal_first && !(compacting && first == e_.in_flight_first_kept)) {
      Fail("the journal starts at seq " + std::to_string(first) + ", expected " + std::to_string(e_.journal_first) +
           (compacting ? " or " + std::to_string(e_.in_flight_first_kept) : std::string()));
    }
    if (events->back().seq < e_.journal_acked_last) {
      Fail("the journal ends at seq " + std::to_string(events->back().seq) + ", before the acknowledged seq " +
           std::to_string(e_.journal_acked_last));
    }
    const internal::JournalChainFindings found = internal::CheckJournalChain(*events, {journal_key_});
    for (const std::string& problem : found.problems) Fail("journal chain: " + problem);
  }

  // A commit after the crash succeeds, becomes current, and the locked open left no debris.
  void CheckRecovery(Backend& store, const std::string& store_root) {
    LockOptions options;
    options.operation = "recovery";
    Result<std::string> rev = store.Commit(Variant(kRecoveryVariant), options, {});
    if (!rev.ok()) return Fail("commit after the crash failed: " + rev.status().ToString());
    Result<Snapshot> current = store.Current();
    if (!current.ok() || !(*current == Variant(kRecoveryVariant))) Fail("the recovery commit is not current");
    const std::string stack_dir = store_root + "/" + kFactory + "/" + kStack;
    for (const std::string& dir : {stack_dir, stack_dir + "/snapshots"}) {
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.find(internal::kTempMarker) != std::string::npos) Fail("debris after a locked open: " + name);
      }
    }
  }

  const Expectation& e_;
  std::shared_ptr<const internal::JournalMacKey> journal_key_;
  std::vector<std::string>& problems_;
  Snapshot in_flight_variant_;
  std::uint64_t tolerated_ = 0;
  std::uint64_t wrong_content_ = 0;
};

void Record(PowerLossFigures& figures, const std::string& where, const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  ++figures.violating_states;
  for (const std::string& problem : problems) {
    if (figures.samples.size() < kMaxSamples) figures.samples.push_back(where + ": " + problem);
  }
}

// Materialises and checks every seed of one crash index.
void CheckSeeds(const CrashSimulatingEnv& env, const Expectation& e, const PowerLossConfig& config, std::uint64_t index,
                PowerLossFigures& figures) {
  for (int seed = 0; seed < config.seeds; ++seed) {
    const std::uint64_t mixed = config.seed_base * 1000003u + index * 1009u + static_cast<std::uint64_t>(seed);
    TempTree out;
    CrashSimulatingEnv::CrashStats stats;
    std::vector<std::string> problems;
    Status made = env.Materialise(out.path(), mixed, &stats);
    figures.dir_ops_lost += static_cast<std::uint64_t>(stats.dir_ops_lost);
    figures.files_damaged += static_cast<std::uint64_t>(stats.files_damaged);
    ++figures.states;
    const std::string where = "index " + std::to_string(index) + " seed " + std::to_string(seed);
    if (!made.ok()) {
      Record(figures, where, {"materialise: " + made.ToString()});
      continue;
    }
    RebootedProbe probe;
    Result<std::unique_ptr<Backend>> store =
        internal::OpenLocalStoreWith(StoreOptions(out.path(), config), *Env::Default(), probe);
    if (!store.ok()) {
      Record(figures, where, {"reopen: " + store.status().ToString()});
      continue;
    }
    StateCheck check(e, config.encrypter.get(), problems);
    if (check.Run(**store, out.path() + "/" + kStoreDir)) ++figures.after_states;
    figures.tolerated_damaged += check.tolerated();
    figures.wrong_content += check.wrong_content();
    Record(figures, where, problems);
  }
}

// Copies the starting tree, runs the workload crashing before mutation `index` (never when
// `index` is past the end), and checks the crash states. Returns the mutations executed.
std::uint64_t RunIndex(const std::string& start_root, const Expectation& start, const PowerLossConfig& config,
                       std::optional<std::uint64_t> index, PowerLossFigures& figures) {
  TempTree work;
  std::filesystem::copy(start_root, work.path(), std::filesystem::copy_options::recursive);
  CrashSimulatingEnv crash(work.path());
  Expectation e = start;
  Status started = crash.Start();
  if (!started.ok()) e.harness_errors.push_back("crash env start: " + started.ToString());
  if (index) crash.CrashAt(*index);
  std::unique_ptr<Env> env = MakeBrokenEnv(config.breakage, &crash);
  {
    Result<std::unique_ptr<Backend>> store =
        internal::OpenLocalStoreWith(StoreOptions(work.path(), config), *env, *ProcessProbe::Default());
    if (store.ok()) {
      RunWorkload(**store, crash, e);
    } else if (!crash.crashed()) {
      e.harness_errors.push_back("open through the crash env: " + store.status().ToString());
    }
  }  // the store closes its directories before the crash states are made
  for (const std::string& error : crash.model_errors()) e.harness_errors.push_back("crash env model: " + error);
  const std::string where = "index " + (index ? std::to_string(*index) : std::string("end"));
  Record(figures, where, e.harness_errors);
  if (index) CheckSeeds(crash, e, config, *index, figures);
  return crash.mutations();
}

}  // namespace

std::string BreakageName(Breakage breakage) {
  switch (breakage) {
    case Breakage::kNone: return "none";
    case Breakage::kNoFileFsync: return "no file fsync";
    case Breakage::kNoDirFsync: return "no directory fsync";
    case Breakage::kCurrentInPlace: return "current written in place";
    case Breakage::kMarkerFsyncAfterLink: return "lock marker fsynced after its link";
  }
  return "?";
}

PowerLossFigures RunPowerLoss(const PowerLossConfig& config) {
  PowerLossFigures figures;
  TempTree start;
  Expectation e;
  Status built = BuildStartingTree(start.path(), config, e);
  if (!built.ok()) {
    Record(figures, "start", {"building the starting tree: " + built.ToString()});
    return figures;
  }
  // A dry run counts the mutations; index == total crashes after the workload's last operation.
  const std::uint64_t total = RunIndex(start.path(), e, config, std::nullopt, figures);
  for (std::uint64_t index = 0; index <= total; ++index) {
    RunIndex(start.path(), e, config, index, figures);
    ++figures.indices;
  }
  return figures;
}

}  // namespace sealstate::testing
