// The simulated power-loss sweep of a rekey (sealstate rekey, RekeyStack).
//
// A stack of several revisions sealed for an old key is re-wrapped for a new key (a KeyRing
// {new, old}) under the stack lock, through a CrashSimulatingEnv. For every mutating operation
// index of the rekey the run is repeated from the same starting tree, "crashing" before that
// operation; then, for each damage seed, a crash state is materialised and checked with the real
// Env (and a process probe that says the machine rebooted):
//   - every revision is still listed and opens, with the content it was committed with, with
//     the old key alone or the new key alone (never neither);
//   - a rerun of the rekey (breaking the dead holder's lock) finishes the job: afterwards every
//     revision opens with the new key alone, none with the old key alone, verify finds no
//     problem, and no temp file is left.
#pragma once

#include <cstdint>

#include "power_loss_harness.h"

namespace sealstate::testing {

struct RekeyPowerLossConfig {
  Breakage breakage = Breakage::kNone;
  int revisions = 4;            // in the stack being rekeyed
  int seeds = 20;               // damage seeds per crash index
  std::uint64_t seed_base = 0;  // mixed into every seed
};

struct RekeyPowerLossFigures {
  // after_states counts the crash states in which at least one revision already opened with the
  // new key alone; tolerated_damaged stays 0 (nothing is tolerated).
  PowerLossFigures sweep;
  std::uint64_t unreadable = 0;  // revisions that opened with neither key, summed over the states
};

// Runs the whole sweep. Harness failures (the starting tree cannot be built, the rekey fails
// without a crash) are reported as violations too.
RekeyPowerLossFigures RunRekeyPowerLoss(const RekeyPowerLossConfig& config);

}  // namespace sealstate::testing
