// What every part of the conformance suite shares: the target, a fresh stack per run of the
// test case, two keys, and small readers of the journal and the clock. Internal to
// sealstate-testing.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/encrypter.h>
#include <sealstate/testing.h>

namespace sealstate::testing::conformance {

using Clock = std::chrono::steady_clock;

struct Fixture {
  // A fresh stack of factory "conformance" for `target`, keys A and B, and `backend` opened on
  // it with key A.
  explicit Fixture(const ConformanceTarget& target);

  // Opens another Backend on this stack with key A. REQUIREs success.
  std::unique_ptr<Backend> Open() const { return Open(key_a); }
  // Opens another Backend on this stack with `key` (null: none). REQUIREs success.
  std::unique_ptr<Backend> Open(std::shared_ptr<const Encrypter> key) const;
  // The context `Open` hands to the target's opener.
  BackendContext Context(std::shared_ptr<const Encrypter> key) const;
  // TestSnapshot of this stack with output "mark" = `mark`.
  Snapshot Snap(const std::string& mark) const;
  // The stack's journal (REQUIREs success).
  std::vector<JournalEvent> Journal() const;
  // The revision current names, or "" when there is none (REQUIREs no other error).
  std::string CurrentOrEmpty() const;
  // List() (REQUIREs success).
  std::vector<std::string> Revisions() const;

  const ConformanceTarget& target;
  std::string factory = "conformance";
  std::string stack;
  std::shared_ptr<const Encrypter> key_a;
  std::shared_ptr<const Encrypter> key_b;
  std::unique_ptr<Backend> backend;
};

// How many events named `event` concern `rev`.
std::size_t CountEvents(const std::vector<JournalEvent>& journal, const std::string& event, const std::string& rev);

// Milliseconds from `from` to `to`.
std::int64_t MillisBetween(Clock::time_point from, Clock::time_point to);

// Each part of the suite: SECTIONs, one per documented behaviour.
void CheckSnapshots(Fixture& f);
void CheckKeys(Fixture& f);
void CheckCurrent(Fixture& f);
void CheckRemove(Fixture& f);
void CheckLock(Fixture& f);
void CheckForceUnlock(Fixture& f);
void CheckCommit(Fixture& f);
void CheckJournal(Fixture& f);
void CheckConsumers(Fixture& f);
void CheckJournalCompaction(Fixture& f);
void CheckNames(Fixture& f);
void CheckConcurrency(Fixture& f);
void CheckCompression(Fixture& f);
void CheckChain(Fixture& f);
void CheckImport(Fixture& f);

}  // namespace sealstate::testing::conformance
