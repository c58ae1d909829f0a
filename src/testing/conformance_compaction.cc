// Conformance: journal compaction (Backend::CompactJournal, ListCheckpoints; journal_compaction.h).
#include <sealstate/journal_compaction.h>
#include <sealstate/maintenance.h>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

std::vector<std::uint64_t> Seqs(const std::vector<JournalEvent>& events) {
  std::vector<std::uint64_t> seqs;
  for (const JournalEvent& event : events) seqs.push_back(event.seq);
  return seqs;
}

void AppendNotes(Backend& b, int count) {
  for (int i = 0; i < count; ++i) REQUIRE(b.AppendJournal("note", "", "n" + std::to_string(i), "").ok());
}

void CheckVerifies(Fixture& f) {
  Result<VerifyReport> report = VerifyStack(*f.backend, nullptr, {f.key_a.get()});
  REQUIRE(report.ok());
  for (const VerifyProblem& problem : report->problems) FAIL_CHECK(problem.rev << ": " << problem.status.message());
}

}  // namespace

void CheckJournalCompaction(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("CompactJournal drops the older events; the kept keep their seqs; later events continue") {
    AppendNotes(b, 5);
    const std::vector<JournalEvent> before = f.Journal();
    Result<JournalCompaction> done = b.CompactJournal(3, "");
    INFO(done.status().ToString());
    REQUIRE(done.ok());
    CHECK(done->first_kept_seq == 3);
    CHECK(done->dropped == 2);
    CHECK(done->mark_seq == 6);
    REQUIRE(b.AppendJournal("note", "", "after", "").ok());
    const std::vector<JournalEvent> after = f.Open()->Journal(0).value();
    CHECK(Seqs(after) == std::vector<std::uint64_t>{3, 4, 5, 6, 7});
    CHECK(after[0] == before[2]);
    CHECK(after[3].event == "journal-compacted");
    CHECK(after[3].detail.starts_with("kept seq 3 and later, dropped 2 line(s); chain-from "));
    // Journal(since) below the first kept seq returns what is kept: the gap shows in the seqs.
    CHECK(Seqs(b.Journal(1).value()).front() == 3);
    CHECK(Seqs(b.Journal(4).value()) == std::vector<std::uint64_t>{5, 6, 7});
    CheckVerifies(f);
  }

  SECTION("CompactJournal with nothing older than the bound changes nothing; beyond the end is kInvalidArgument") {
    AppendNotes(b, 3);
    Result<JournalCompaction> none = b.CompactJournal(1, "");
    REQUIRE(none.ok());
    CHECK(none->dropped == 0);
    CHECK(b.CompactJournal(4, "").status().code() == Code::kInvalidArgument);
    CHECK(Seqs(f.Journal()) == std::vector<std::uint64_t>{1, 2, 3});
  }

  SECTION("ListCheckpoints lists every consumer by name") {
    REQUIRE(b.Checkpoint("siem", 2).ok());
    REQUIRE(b.Checkpoint("chat", 1).ok());
    Result<std::vector<std::pair<std::string, std::uint64_t>>> listed = f.Open()->ListCheckpoints();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<std::pair<std::string, std::uint64_t>>{{"chat", 1}, {"siem", 2}});
  }

  SECTION("CompactStackJournal refuses to drop events a consumer has not read, unless forced") {
    AppendNotes(b, 6);
    REQUIRE(b.Checkpoint("siem", 2).ok());
    REQUIRE(b.Checkpoint("chat", 6).ok());
    Result<JournalCompactionPlan> plan = PlanJournalCompaction(b, {.keep_last = 2, .keep_within = {}});
    REQUIRE(plan.ok());
    CHECK(plan->first_kept_seq == 5);
    CHECK(plan->drop == 4);
    REQUIRE(plan->behind.size() == 1);
    CHECK(plan->behind[0].name == "siem");
    Result<JournalCompaction> refused = CompactStackJournal(b, *plan, false, "");
    CHECK(refused.status().code() == Code::kConflict);
    CHECK(refused.status().message().find("consumer siem (read up to seq 2)") != std::string::npos);
    CHECK(f.Journal().size() == 6);
    Result<JournalCompaction> forced = CompactStackJournal(b, *plan, true, "");
    REQUIRE(forced.ok());
    CHECK(Seqs(f.Journal()) == std::vector<std::uint64_t>{5, 6, 7});
  }

  SECTION("CompactJournal is fenced by the lock id, as Remove") {
    AppendNotes(b, 3);
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(f.Open()->ForceUnlock((*lock)->id()).ok());
    const std::size_t events = f.Journal().size();
    CHECK(b.CompactJournal(2, (*lock)->id()).status().code() == Code::kLocked);
    CHECK(f.Journal().size() == events);
  }

  SECTION("VerifyChain stays quiet when the compaction dropped a parent's remove event") {
    Result<std::string> first = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(first.ok());
    REQUIRE(b.Commit(f.Snap("two"), LockOptions{}, WriteOptions{}).ok());
    REQUIRE(b.Remove(*first, "").ok());
    AppendNotes(b, 2);
    const std::uint64_t last = f.Journal().back().seq;
    REQUIRE(b.CompactJournal(last - 1, "").ok());
    CHECK(CountEvents(f.Journal(), "remove", *first) == 0);
    Result<ChainReport> chain = VerifyChain(b);
    REQUIRE(chain.ok());
    for (const VerifyProblem& problem : chain->problems) FAIL_CHECK(problem.rev << ": " << problem.status.message());
    CHECK(chain->end == ChainEnd::kPruned);
    CheckVerifies(f);
  }
}

}  // namespace sealstate::testing::conformance
