#include "rekey_power_loss.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sealstate/key_ring.h>
#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>
#include <sealstate/rekey.h>

#include "io/durable_file.h"
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

// The old key the stack starts with, the new key it is rotated to, and the ring a rekey runs with.
struct Keys {
  std::shared_ptr<const Encrypter> old_key{EnvKey("SEALSTATE_REKEY_POWER_OLD_KEY", kKeyA)};
  std::shared_ptr<const Encrypter> new_key{EnvKey("SEALSTATE_REKEY_POWER_NEW_KEY", kKeyB)};
  std::shared_ptr<const Encrypter> rotation;
};

// Distinct snapshots; odd ones span several 512-byte sectors once sealed.
Snapshot RevisionContent(int n) {
  Snapshot s = LargeSnapshot(n % 2 == 1 ? 2400 : 100);
  s.entries[0].outputs["id"] = Json("subnet-" + std::to_string(n));
  return s;
}

LocalStoreOptions StoreOptions(const std::string& root, std::shared_ptr<const Encrypter> encrypter) {
  LocalStoreOptions options;
  options.root = root + "/" + kStoreDir;
  options.factory = kFactory;
  options.stack = kStack;
  options.encrypter = std::move(encrypter);
  options.create = false;
  return options;
}

// Under the lock, as sealstate rekey does.
Status Rekey(Backend& store, const Encrypter& rotation) {
  LockOptions options;
  options.operation = "rekey";
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, store.AcquireLock(options));
  SEALSTATE_RETURN_IF_ERROR(RekeyStack(store, rotation, lock->id(), RekeyOptions{}).status());
  return lock->Unlock();
}

// A store whose revisions (content by name) were all committed with the old key, fully durable.
Status BuildStartingTree(const std::string& root, const Keys& keys, int revisions,
                         std::map<std::string, Snapshot>& committed) {
  FaultInjectionEnv env;
  env.FreezeClock(Timestamp{1703980800, 0, 0});
  LocalStoreOptions options = StoreOptions(root, keys.old_key);
  options.create = true;
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> store,
                             internal::OpenLocalStoreWith(options, env, *ProcessProbe::Default()));
  for (int n = 0; n < revisions; ++n) {
    SEALSTATE_ASSIGN_OR_RETURN(std::string rev, store->Commit(RevisionContent(n), LockOptions{}, {}));
    committed[rev] = RevisionContent(n);
  }
  return Status::OK();
}

class RekeyStateCheck {
 public:
  RekeyStateCheck(const Keys& keys, const std::map<std::string, Snapshot>& committed,
                  std::vector<std::string>& problems)
      : keys_(keys), committed_(committed), problems_(problems) {}

  // Returns true if at least one revision already opened with the new key alone.
  bool Run(const std::string& root) {
    RebootedProbe probe;
    Result<std::unique_ptr<Backend>> with_old = Open(root, keys_.old_key, probe);
    Result<std::unique_ptr<Backend>> with_new = Open(root, keys_.new_key, probe);
    Result<std::unique_ptr<Backend>> with_ring = Open(root, keys_.rotation, probe);
    if (!with_old.ok() || !with_new.ok() || !with_ring.ok()) {
      Fail("reopen failed");
      return false;
    }
    const bool some_new = CheckOldOrNew(**with_old, **with_new);
    CheckRerunFinishes(**with_ring, **with_old, **with_new, root + "/" + kStoreDir);
    return some_new;
  }

  std::uint64_t wrong_content() const { return wrong_content_; }
  std::uint64_t unreadable() const { return unreadable_; }

 private:
  void Fail(std::string message) { problems_.push_back(std::move(message)); }

  Result<std::unique_ptr<Backend>> Open(const std::string& root, std::shared_ptr<const Encrypter> key,
                                        ProcessProbe& probe) {
    return internal::OpenLocalStoreWith(StoreOptions(root, std::move(key)), *Env::Default(), probe);
  }

  // Every revision is listed and opens with its content with the old key alone or the new one.
  bool CheckOldOrNew(Backend& with_old, Backend& with_new) {
    Result<std::vector<std::string>> listed = with_old.List();
    if (!listed.ok()) {
      Fail("list failed: " + listed.status().ToString());
      return false;
    }
    bool some_new = false;
    for (const auto& [rev, content] : committed_) {
      if (std::find(listed->begin(), listed->end(), rev) == listed->end()) {
        Fail("revision " + rev + " is gone");
        continue;
      }
      Result<Snapshot> snapshot = with_old.Get(rev);
      if (!snapshot.ok()) {
        snapshot = with_new.Get(rev);
        if (snapshot.ok()) some_new = true;
      }
      if (!snapshot.ok()) {
        Fail("revision " + rev + " opens with neither the old nor the new key: " + snapshot.status().ToString());
        ++unreadable_;
      } else if (!(*snapshot == content)) {
        Fail("revision " + rev + " opens with the wrong content");
        ++wrong_content_;
      }
    }
    return some_new;
  }

  // A rerun of the rekey finishes the job: the new key alone opens every revision, the old one none.
  void CheckRerunFinishes(Backend& with_ring, Backend& with_old, Backend& with_new, const std::string& store_root) {
    const Status rerun = Rekey(with_ring, *keys_.rotation);
    if (!rerun.ok()) return Fail("rekey after the crash failed: " + rerun.ToString());
    for (const auto& [rev, content] : committed_) {
      Result<Snapshot> snapshot = with_new.Get(rev);
      if (!snapshot.ok() || !(*snapshot == content)) Fail("after the rerun, the new key does not open " + rev);
      const Status old_opens = with_old.Get(rev).status();
      if (old_opens.code() != Code::kWrongKey) {
        Fail("after the rerun, the old key alone gets " + old_opens.ToString() + " for " + rev);
      }
    }
    Result<VerifyReport> report = VerifyStack(with_ring);
    if (!report.ok()) return Fail("verify failed: " + report.status().ToString());
    for (const VerifyProblem& problem : report->problems)
      Fail("verify: " + problem.rev + ": " + problem.status.ToString());
    const std::string stack_dir = store_root + "/" + kFactory + "/" + kStack;
    for (const std::string& dir : {stack_dir, stack_dir + "/snapshots"}) {
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.find(internal::kTempMarker) != std::string::npos) Fail("debris after the rerun: " + name);
      }
    }
  }

  const Keys& keys_;
  const std::map<std::string, Snapshot>& committed_;
  std::vector<std::string>& problems_;
  std::uint64_t wrong_content_ = 0;
  std::uint64_t unreadable_ = 0;
};

void Record(PowerLossFigures& figures, const std::string& where, const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  ++figures.violating_states;
  for (const std::string& problem : problems) {
    if (figures.samples.size() < kMaxSamples) figures.samples.push_back(where + ": " + problem);
  }
}

// Copies the starting tree, rekeys it crashing before mutation `index` (never when `index` is
// past the end), and checks every seed's crash state. Returns the mutations executed.
std::uint64_t RunIndex(const std::string& start_root, const Keys& keys,
                       const std::map<std::string, Snapshot>& committed, const RekeyPowerLossConfig& config,
                       std::optional<std::uint64_t> index, RekeyPowerLossFigures& result) {
  PowerLossFigures& figures = result.sweep;
  TempTree work;
  std::filesystem::copy(start_root, work.path(), std::filesystem::copy_options::recursive);
  CrashSimulatingEnv crash(work.path());
  std::vector<std::string> harness_errors;
  Status started = crash.Start();
  if (!started.ok()) harness_errors.push_back("crash env start: " + started.ToString());
  if (index) crash.CrashAt(*index);
  std::unique_ptr<Env> env = MakeBrokenEnv(config.breakage, &crash);
  {
    Result<std::unique_ptr<Backend>> store =
        internal::OpenLocalStoreWith(StoreOptions(work.path(), keys.rotation), *env, *ProcessProbe::Default());
    const Status rekeyed = store.ok() ? Rekey(**store, *keys.rotation) : store.status();
    if (!rekeyed.ok() && !crash.crashed())
      harness_errors.push_back("rekey failed without a crash: " + rekeyed.ToString());
  }  // the store closes its directories before the crash states are made
  for (const std::string& error : crash.model_errors()) harness_errors.push_back("crash env model: " + error);
  const std::string where = "rekey index " + (index ? std::to_string(*index) : std::string("end"));
  Record(figures, where, harness_errors);
  if (!index) return crash.mutations();
  for (int seed = 0; seed < config.seeds; ++seed) {
    const std::uint64_t mixed = config.seed_base * 1000003u + *index * 1009u + static_cast<std::uint64_t>(seed);
    TempTree out;
    CrashSimulatingEnv::CrashStats stats;
    std::vector<std::string> problems;
    const Status made = crash.Materialise(out.path(), mixed, &stats);
    figures.dir_ops_lost += static_cast<std::uint64_t>(stats.dir_ops_lost);
    figures.files_damaged += static_cast<std::uint64_t>(stats.files_damaged);
    ++figures.states;
    if (!made.ok()) {
      problems.push_back("materialise: " + made.ToString());
    } else {
      RekeyStateCheck check(keys, committed, problems);
      if (check.Run(out.path())) ++figures.after_states;
      figures.wrong_content += check.wrong_content();
      result.unreadable += check.unreadable();
    }
    Record(figures, where + " seed " + std::to_string(seed), problems);
  }
  return crash.mutations();
}

}  // namespace

RekeyPowerLossFigures RunRekeyPowerLoss(const RekeyPowerLossConfig& config) {
  RekeyPowerLossFigures result;
  PowerLossFigures& figures = result.sweep;
  Keys keys;
  Result<std::shared_ptr<const KeyRing>> ring = KeyRing::Make({keys.new_key, keys.old_key});
  if (!ring.ok()) {
    Record(figures, "start", {"key ring: " + ring.status().ToString()});
    return result;
  }
  keys.rotation = *ring;
  TempTree start;
  std::map<std::string, Snapshot> committed;
  const Status built = BuildStartingTree(start.path(), keys, config.revisions, committed);
  if (!built.ok() || committed.size() != static_cast<std::size_t>(config.revisions)) {
    Record(figures, "start", {"building the starting tree: " + built.ToString()});
    return result;
  }
  // A dry run counts the mutations; index == total crashes after the rekey's last operation.
  const std::uint64_t total = RunIndex(start.path(), keys, committed, config, std::nullopt, result);
  for (std::uint64_t index = 0; index <= total; ++index) {
    RunIndex(start.path(), keys, committed, config, index, result);
    ++figures.indices;
  }
  return result;
}

}  // namespace sealstate::testing
