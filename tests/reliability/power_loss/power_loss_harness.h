// The simulated power-loss harness.
//
// A workload (commits, a write, set_currents and a prune, on a stack that starts with three
// committed revisions) runs through a CrashSimulatingEnv. For every mutating operation index i
// of the workload (and once after its end), the workload is rerun from the same starting tree
// and "crashes" before operation i; then, for each damage seed, a crash state is materialised
// and checked by reopening it with the real Env (and a process probe that says the machine
// rebooted):
//   - current names a snapshot that opens, and it is the state before or after the operation
//     in flight (its content equals the one that was current, or the one being committed);
//   - every revision whose write was acknowledged exists and opens with the content written
//     (unless an acknowledged prune removed it; then it must stay removed);
//   - verify finds no problem on current or on an acknowledged revision (a damaged revision
//     whose write was never acknowledged is tolerated, and counted);
//   - the stack is usable again: a commit succeeds (breaking the dead holder's lock), leaves no
//     debris, and becomes current.
// A variant can break the store's durability on purpose (the negative controls).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/encrypter.h>

#include "io/env.h"

namespace sealstate::testing {

// Deliberately broken variants of the store's I/O, for the negative controls.
enum class Breakage {
  kNone,
  kNoFileFsync,     // fsync of a regular file does nothing and reports success
  kNoDirFsync,      // fsync of a directory does nothing and reports success
  kCurrentInPlace,  // `current` is rewritten in place (O_TRUNC, write, fsync), never renamed
  // The lock marker's fsync is held back until just before the next fsync of the stack
  // directory: the marker is linked as "lock" unsynced, as a background fsync joined only before
  // that directory fsync would leave it.
  kMarkerFsyncAfterLink,
};

std::string BreakageName(Breakage breakage);

// `target` with `breakage` applied (kNone: `target` as it is); `target` must outlive it.
std::unique_ptr<internal::Env> MakeBrokenEnv(Breakage breakage, internal::Env* target);

struct PowerLossConfig {
  std::shared_ptr<const Encrypter> encrypter;
  Breakage breakage = Breakage::kNone;
  int seeds = 20;               // damage seeds per crash index
  std::uint64_t seed_base = 0;  // mixed into every seed
};

struct PowerLossFigures {
  std::uint64_t indices = 0;            // crash indices (mutating operations + 1)
  std::uint64_t states = 0;             // crash states checked
  std::uint64_t violating_states = 0;   // crash states with at least one violation
  std::uint64_t after_states = 0;       // states where the operation in flight took effect
  std::uint64_t tolerated_damaged = 0;  // damaged revisions never acknowledged (allowed)
  std::uint64_t wrong_content = 0;      // snapshots that opened with other content than written
  std::uint64_t dir_ops_lost = 0;       // unsynced directory operations dropped, summed
  std::uint64_t files_damaged = 0;      // files not kept as written, summed
  std::vector<std::string> samples;     // the first violations, for the log
};

// Runs the whole sweep. Harness failures (the starting tree cannot be built, the model is
// inconsistent, a step fails without a crash) are reported as violations too.
PowerLossFigures RunPowerLoss(const PowerLossConfig& config);

}  // namespace sealstate::testing
