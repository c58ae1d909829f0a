// Simulated power loss and its negative controls (a harness that must catch known-bad recipes).
//
// Sizes: the default run checks every crash index of the workload (110) with 30 damage seeds per
// index, for the noop and the env-key encrypter (6,600 crash states), and each negative control
// with 4 seeds per index (env-key). SEALSTATE_LONG=1 raises that to 300 and 20 seeds (66,000
// crash states). About 20 s by default on 2 cores (the scratch trees live on /dev/shm). The rekey
// sweep checks every crash index of a rekey of 4 revisions with 20 seeds (SEALSTATE_LONG=1: 200),
// and its negative control with 4.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <cstdlib>
#include <iostream>
#include <set>
#include <string>

#include "power_loss_harness.h"
#include "rekey_power_loss.h"
#include "support/crash_env.h"
#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using namespace sealstate::testing;

namespace {

bool LongRun() {
  const char* value = std::getenv("SEALSTATE_LONG");
  return value != nullptr && std::string(value) == "1";
}

std::shared_ptr<const Encrypter> MakeEncrypter(const std::string& kind) {
  if (kind == "noop") return NewNoopEncrypter();
  return EnvKey("SEALSTATE_POWER_LOSS_KEY", kKeyA);
}

void Print(const std::string& label, const PowerLossFigures& f, int seeds) {
  std::cout << label << ": " << f.indices << " indices x " << seeds << " seeds = " << f.states << " crash states, "
            << f.violating_states << " violations (" << f.after_states << " after the operation in flight, "
            << f.tolerated_damaged << " unacknowledged damaged revisions tolerated, " << f.wrong_content
            << " snapshots opened with wrong content, " << f.dir_ops_lost << " unsynced directory operations lost, "
            << f.files_damaged << " files damaged)" << std::endl;
  for (const std::string& sample : f.samples) std::cout << "  " << sample << "\n";
}

// Creates `name` in the scratch dir through `env` with `bytes`; fsyncs the file and/or the
// directory as asked.
void WriteThrough(Env& env, const ScratchDir& scratch, const std::string& name, const std::string& bytes,
                  bool sync_file, bool sync_dir) {
  Result<int> fd = env.OpenAt(scratch.dir(), name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  REQUIRE(fd.ok());
  REQUIRE(env.Write(*fd, bytes, name).ok());
  if (sync_file) REQUIRE(env.Fsync(*fd, name).ok());
  REQUIRE(env.Close(*fd, name).ok());
  if (sync_dir) REQUIRE(env.Fsync(scratch.dir().fd, scratch.dir().path).ok());
}

// What `name` holds in the crash states of seeds 0..63 ("<missing>" when it does not exist).
std::set<std::string> Outcomes(const CrashSimulatingEnv& env, const std::string& name) {
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    ScratchDir out;
    REQUIRE(env.Materialise(out.dir().path, seed, nullptr).ok());
    outcomes.insert(out.Read(name).value_or("<missing>"));
  }
  return outcomes;
}

}  // namespace

// The crash env itself: synced data and directory entries always survive; unsynced ones come
// back in every modelled way (a crash env that always keeps everything would make the sweep
// below vacuous).
TEST_CASE("power loss: the crash env keeps exactly what was synced", "[power-loss]") {
  ScratchDir scratch;
  CrashSimulatingEnv env(scratch.dir().path);
  REQUIRE(env.Start().ok());
  const std::string bytes(1500, 'a');
  WriteThrough(env, scratch, "durable", bytes, true, true);
  WriteThrough(env, scratch, "no-file-sync", bytes, false, true);
  WriteThrough(env, scratch, "no-dir-sync", bytes, true, false);
  REQUIRE(env.RenameAt(scratch.dir(), "durable", "renamed", false).ok());  // not synced: either name
  CHECK(env.model_errors().empty());

  CHECK(Outcomes(env, "no-dir-sync") == std::set<std::string>{"<missing>", bytes});
  CHECK(Outcomes(env, "durable").size() == 2);  // the rename is lost or kept, atomically
  const std::set<std::string> renamed = Outcomes(env, "renamed");
  CHECK(renamed == std::set<std::string>{"<missing>", bytes});
  const std::set<std::string> unsynced = Outcomes(env, "no-file-sync");
  CHECK(unsynced.count("") == 1);                    // dropped
  CHECK(unsynced.count(bytes) == 1);                 // kept
  CHECK(unsynced.size() >= 5);                       // zero-filled, garbage, torn, mixed sectors
  for (std::uint64_t seed = 0; seed < 64; ++seed) {  // a rename is atomic: exactly one name
    ScratchDir out;
    REQUIRE(env.Materialise(out.dir().path, seed, nullptr).ok());
    CHECK(out.Read("durable").has_value() != out.Read("renamed").has_value());
  }

  env.CrashAt(env.mutations());
  CHECK_FALSE(env.Fsync(scratch.dir().fd, scratch.dir().path).ok());
  CHECK(env.crashed());
}

// An append after an fsync (the journal) can damage only the sectors it wrote: the synced
// sectors before it survive in every crash state (whole sectors; the one the append continues
// may be torn).
TEST_CASE("power loss: the crash env keeps the synced sectors of an appended file", "[power-loss]") {
  ScratchDir scratch;
  CrashSimulatingEnv env(scratch.dir().path);
  REQUIRE(env.Start().ok());
  const std::string synced(1500, 's');
  Result<int> fd = env.OpenAt(scratch.dir(), "log", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  REQUIRE(fd.ok());
  REQUIRE(env.Write(*fd, synced, "log").ok());
  REQUIRE(env.Fsync(*fd, "log").ok());
  REQUIRE(env.Fsync(scratch.dir().fd, scratch.dir().path).ok());
  REQUIRE(env.Write(*fd, std::string(1500, 'u'), "log").ok());  // appended, never synced
  REQUIRE(env.Close(*fd, "log").ok());
  const std::set<std::string> outcomes = Outcomes(env, "log");
  CHECK(outcomes.size() >= 5);  // the appended part comes back in every modelled way
  for (const std::string& outcome : outcomes) CHECK(outcome.substr(0, 1024) == synced.substr(0, 1024));
}

// The store keeps its promise under power loss: for every crash point of the workload and every
// damage seed, current opens and is the state before or after the operation in flight, no
// acknowledged write is lost, and the stack is usable again.
TEST_CASE("power loss: every crash point keeps the promise", "[power-loss]") {
  const int seeds = LongRun() ? 300 : 30;
  PowerLossFigures total;
  for (const std::string kind : {"noop", "env-key"}) {
    PowerLossConfig config;
    config.encrypter = MakeEncrypter(kind);
    config.seeds = seeds;
    const PowerLossFigures f = RunPowerLoss(config);
    Print("power loss (" + kind + ")", f, seeds);
    CHECK(f.indices > 50);
    CHECK(f.states == f.indices * static_cast<std::uint64_t>(seeds));
    CHECK(f.dir_ops_lost > 0);
    CHECK(f.files_damaged > 0);
    CHECK(f.violating_states == 0);
    total.indices = f.indices;
    total.states += f.states;
    total.violating_states += f.violating_states;
  }
  std::cout << "power loss: " << total.indices << " indices x " << seeds << " seeds x 2 encrypters = " << total.states
            << " crash states, " << total.violating_states << " violations" << std::endl;
}

// A harness that cannot see a missing fsync proves nothing: each deliberately broken variant
// must produce violations.
TEST_CASE("power loss: negative controls are caught", "[power-loss]") {
  const int seeds = LongRun() ? 20 : 4;
  for (const Breakage breakage :
       {Breakage::kNoFileFsync, Breakage::kNoDirFsync, Breakage::kCurrentInPlace, Breakage::kMarkerFsyncAfterLink}) {
    PowerLossConfig config;
    config.encrypter = MakeEncrypter("env-key");
    config.breakage = breakage;
    config.seeds = seeds;
    config.seed_base = 7;
    const PowerLossFigures f = RunPowerLoss(config);
    Print("negative control (" + BreakageName(breakage) + ")", f, seeds);
    CHECK(f.violating_states > 0);
    // Torn or zeroed ciphertext is caught by authentication: never opened as other data.
    CHECK(f.wrong_content == 0);
  }
}

// Rekey is crash-safe: for every crash point of a rekey of a stack of several revisions and every
// damage seed, each revision opens with the old key or the new key (never neither), and a rerun
// of the rekey finishes the job (only the new key opens anything afterwards).
TEST_CASE("power loss: a rekey leaves every revision readable with the old or the new key", "[power-loss][rekey]") {
  RekeyPowerLossConfig config;
  config.seeds = LongRun() ? 200 : 20;
  const RekeyPowerLossFigures r = RunRekeyPowerLoss(config);
  const PowerLossFigures& f = r.sweep;
  Print("power loss (rekey of " + std::to_string(config.revisions) + " revisions)", f, config.seeds);
  CHECK(f.indices > static_cast<std::uint64_t>(config.revisions));
  CHECK(f.states == f.indices * static_cast<std::uint64_t>(config.seeds));
  CHECK(f.after_states > 0);         // some crash states have revisions already re-wrapped...
  CHECK(f.after_states < f.states);  // ... and some have none yet
  CHECK(f.files_damaged > 0);
  CHECK(r.unreadable == 0);
  CHECK(f.violating_states == 0);
}

// The rekey sweep can fail: without file fsyncs a replaced revision can be torn by a power cut,
// and then neither key opens it.
TEST_CASE("power loss: the rekey sweep catches a replacement that is not synced", "[power-loss][rekey]") {
  RekeyPowerLossConfig config;
  config.breakage = Breakage::kNoFileFsync;
  config.seeds = LongRun() ? 20 : 4;
  config.seed_base = 7;
  const RekeyPowerLossFigures r = RunRekeyPowerLoss(config);
  const PowerLossFigures& f = r.sweep;
  Print("negative control, rekey (" + BreakageName(Breakage::kNoFileFsync) + ")", f, config.seeds);
  std::cout << "  revisions that opened with neither key: " << r.unreadable << std::endl;
  CHECK(r.unreadable > 0);
  CHECK(f.wrong_content == 0);
}
