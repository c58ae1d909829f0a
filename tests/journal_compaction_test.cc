// Journal compaction of the local journal file (JournalFile::Compact) and the chain check's
// acceptance of a compacted head (CheckJournalChain).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "journal/journal_compaction_mark.h"
#include "journal/journal_mac.h"
#include "support/journal_fixture.h"
#include "support/scratch_dir.h"
#include "test_support.h"

namespace sealstate::internal {
namespace {

using testing::JournalTestKey;
using testing::ScratchDir;

JournalEvent Event(std::string kind) { return testing::JournalTestEvent(std::move(kind)); }

void AppendEvents(JournalFile& journal, int count) {
  for (int i = 0; i < count; ++i) REQUIRE(journal.Append(Event(i % 2 == 0 ? "write" : "set-current")).ok());
}

TEST_CASE("journal compaction: kept events keep their seqs and later appends continue after the mark",
          "[journal][compaction]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  JournalFile journal(*Env::Default(), scratch.dir(), key);
  AppendEvents(journal, 6);
  const std::vector<JournalEvent> before = testing::MustReadJournal(journal);

  Result<JournalCompaction> done = journal.Compact(4, Event(""));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK(done->first_kept_seq == 4);
  CHECK(done->dropped == 3);
  CHECK(done->mark_seq == 7);
  REQUIRE(journal.Append(Event("prune")).ok());

  const std::vector<JournalEvent> after = testing::MustReadJournal(journal);
  REQUIRE(after.size() == 5);
  CHECK(after[0] == before[3]);  // byte for byte: same seq, same MAC
  CHECK(after[2] == before[5]);
  CHECK(after[3].event == "journal-compacted");
  CHECK(after[3].detail == "kept seq 4 and later, dropped 3 line(s); chain-from " + before[2].mac);
  CHECK(after[3].current == before[5].current);  // the rollback check's mark is carried
  CHECK(after[4].seq == 8);
  CHECK(scratch.Mode("journal") == 0600);

  const JournalChainFindings found = CheckJournalChain(after, {key});
  INFO((found.problems.empty() ? std::string() : found.problems[0]));
  CHECK(found.problems.empty());
  REQUIRE_FALSE(found.notes.empty());
  CHECK(found.notes[0].find("lines seq 1 to seq 3: compacted away (the journal-compacted line seq 7)") !=
        std::string::npos);

  SECTION("a second compaction chains on from the first") {
    REQUIRE(journal.Compact(7, Event("")).ok());
    const std::vector<JournalEvent> twice = testing::MustReadJournal(journal);
    CHECK(twice.front().seq == 7);
    CHECK(CheckJournalChain(twice, {key}).problems.empty());
  }
  SECTION("nothing older than the bound: nothing written") {
    Result<JournalCompaction> none = journal.Compact(2, Event(""));
    REQUIRE(none.ok());
    CHECK(none->dropped == 0);
    CHECK(none->mark_seq == 0);
    CHECK(testing::MustReadJournal(journal).size() == 5);
  }
  SECTION("the newest event is always kept") {
    CHECK(journal.Compact(9, Event("")).status().code() == Code::kInvalidArgument);
    CHECK(testing::MustReadJournal(journal).size() == 5);
  }
}

// A compaction keeps what the rollback check reads: it settles a move a crash left unsettled (as
// an append does), chains its line after the settling lines, does not count them as dropped
// events, and ends the file on a sector boundary as a move's lines do, so a later append cannot
// tear the compaction line.
TEST_CASE("journal compaction: moves and their settling lines survive it; the file ends on a sector boundary",
          "[journal][compaction]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  std::string pointer;
  JournalFile journal(*Env::Default(), scratch.dir(), key, [&]() -> Result<std::string> { return pointer; });
  const auto check = [&](const std::string& seen) { return testing::PointerCheckCode(journal, key, seen); };
  const auto move_to = [&](const std::string& rev, bool succeeds) {
    JournalEvent intent = Event("set-current");
    intent.rev = rev;
    bool moved = false;
    (void)journal.AppendMove(
        intent, [] { return Status::OK(); },
        [&]() -> Status {
          if (!succeeds) return Status::IoError("rename", "current", EIO);
          pointer = rev;
          return Status::OK();
        },
        moved);
  };
  AppendEvents(journal, 3);
  move_to("2026-01-01T00:00:00Z", true);  // seq 4, settled
  REQUIRE(journal.Append(Event("write")).ok());
  move_to("2026-02-01T00:00:00Z", false);  // seq 6, left unsettled: the pointer names seq 4's rev

  Result<JournalCompaction> done = journal.Compact(5, Event(""));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK(done->dropped == 4);  // seqs 1 to 4; seq 4's settling line is not an event
  CHECK(done->mark_seq == 7);
  CHECK(check("2026-01-01T00:00:00Z") == Code::kOk);         // the compaction settled seq 6 with the pointer
  CHECK(check("2026-02-01T00:00:00Z") == Code::kIntegrity);  // so seq 6's rev is a rollback now
  const std::vector<JournalEvent> events = testing::MustReadJournal(journal);
  REQUIRE(events.size() == 3);
  CHECK(events.front().seq == 5);
  CHECK(events.back().event == kJournalCompactedEvent);
  CHECK(events.back().current == std::optional<std::string>("2026-01-01T00:00:00Z"));
  const JournalChainFindings found = CheckJournalChain(events, {key});
  INFO((found.problems.empty() ? std::string() : found.problems.front()));
  CHECK(found.problems.empty());
  CHECK(scratch.Read("journal").value_or("x").size() % kJournalSectorBytes == 0);
}

TEST_CASE("journal compaction: a head cut by hand is still reported, also after a compaction",
          "[journal][compaction]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  JournalFile journal(*Env::Default(), scratch.dir(), key);
  AppendEvents(journal, 6);
  const std::vector<JournalEvent> events = testing::MustReadJournal(journal);

  const std::vector<JournalEvent> cut(events.begin() + 2, events.end());
  const JournalChainFindings by_hand = CheckJournalChain(cut, {key});
  REQUIRE_FALSE(by_hand.problems.empty());
  CHECK(by_hand.problems[0].find("lines seq 1 to seq 2 removed") != std::string::npos);

  REQUIRE(journal.Compact(3, Event("")).ok());
  const std::vector<JournalEvent> compacted = testing::MustReadJournal(journal);
  const std::vector<JournalEvent> cut_more(compacted.begin() + 1, compacted.end());
  CHECK_FALSE(CheckJournalChain(cut_more, {key}).problems.empty());

  // A compaction line forged without the key does not excuse the cut.
  std::vector<JournalEvent> forged = cut;
  JournalEvent mark = Event("journal-compacted");
  mark.seq = forged.back().seq + 1;
  mark.detail = FormatCompactionDetail({.first_kept_seq = 3, .dropped = 2, .chain_from = events[1].mac});
  SealJournalEvent(mark, &forged.back(), &forged[forged.size() - 2], nullptr);
  forged.push_back(mark);
  CHECK_FALSE(CheckJournalChain(forged, {key}).problems.empty());
}

TEST_CASE("journal compaction: a journal written without a key compacts and verifies", "[journal][compaction]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  AppendEvents(journal, 4);
  REQUIRE(journal.Compact(3, Event("")).ok());
  const std::vector<JournalEvent> events = testing::MustReadJournal(journal);
  REQUIRE(events.size() == 3);
  CHECK(events[2].detail == "kept seq 3 and later, dropped 2 line(s); chain-from none");
  CHECK(CheckJournalChain(events, {}).problems.empty());
}

TEST_CASE("journal compaction: the compaction line's detail round-trips and refuses other text",
          "[journal][compaction]") {
  JournalEvent line = Event("journal-compacted");
  line.detail = FormatCompactionDetail({.first_kept_seq = 42, .dropped = 41, .chain_from = ""});
  CHECK(line.detail == "kept seq 42 and later, dropped 41 line(s); chain-from -");
  const std::optional<JournalCompactionMark> mark = ParseCompactionMark(line);
  REQUIRE(mark);
  CHECK(mark->first_kept_seq == 42);
  CHECK(mark->chain_from.empty());
  line.detail = "kept seq 42 and later";
  CHECK_FALSE(ParseCompactionMark(line));
  line.event = "prune";
  line.detail = FormatCompactionDetail({.first_kept_seq = 42, .dropped = 41, .chain_from = "ab"});
  CHECK_FALSE(ParseCompactionMark(line));
}

}  // namespace
}  // namespace sealstate::internal
