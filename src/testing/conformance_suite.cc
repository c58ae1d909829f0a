// RunBackendConformance (sealstate/testing.h): a fresh stack per run, then every part.
#include "conformance_fixture.h"

namespace sealstate::testing {

void RunBackendConformance(const ConformanceTarget& target) {
  INFO("backend " << target.name);
  conformance::Fixture f(target);
  SECTION("Write, Get, ReadHeader, List") { conformance::CheckSnapshots(f); }
  SECTION("the key check") { conformance::CheckKeys(f); }
  SECTION("Current and SetCurrent") { conformance::CheckCurrent(f); }
  SECTION("Remove") { conformance::CheckRemove(f); }
  SECTION("the lock") { conformance::CheckLock(f); }
  SECTION("ForceUnlock") { conformance::CheckForceUnlock(f); }
  SECTION("Commit") { conformance::CheckCommit(f); }
  SECTION("the journal") { conformance::CheckJournal(f); }
  SECTION("journal consumers") { conformance::CheckConsumers(f); }
  SECTION("journal compaction") { conformance::CheckJournalCompaction(f); }
  SECTION("names") { conformance::CheckNames(f); }
  SECTION("concurrency") { conformance::CheckConcurrency(f); }
  SECTION("compression") { conformance::CheckCompression(f); }
  SECTION("parent links and VerifyChain") { conformance::CheckChain(f); }
  SECTION("ReadEnvelope, ImportEnvelope, ImportJournal") { conformance::CheckImport(f); }
}

}  // namespace sealstate::testing
