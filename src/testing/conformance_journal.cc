// Conformance: Journal and AppendJournal (backend.h).
#include <unistd.h>

#include <sealstate/maintenance.h>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {

void CheckJournal(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("events are numbered 1, 2, 3, ... and carry the time, actor user@host and pid") {
    Timestamp before = NowUtc();
    Result<std::string> rev = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    REQUIRE(b.Commit(f.Snap("two"), LockOptions{}, WriteOptions{}).ok());
    REQUIRE(b.Remove(*rev, "").ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 5);
    for (std::size_t i = 0; i < journal.size(); ++i) {
      INFO("event " << i << ": " << journal[i].event);
      CHECK(journal[i].seq == i + 1);
      CHECK(journal[i].actor.find('@') != std::string::npos);
      CHECK(journal[i].pid == ::getpid());
      CHECK(journal[i].time.unix_seconds >= before.unix_seconds - 5);
      CHECK(journal[i].time.unix_seconds <= NowUtc().unix_seconds + 5);
    }
    CHECK(journal[4].event == "remove");
  }

  SECTION("Journal(since) returns the events after seq `since`, oldest first") {
    for (const char* mark : {"one", "two"}) REQUIRE(b.Commit(f.Snap(mark), LockOptions{}, WriteOptions{}).ok());
    std::vector<JournalEvent> all = f.Journal();
    REQUIRE(all.size() == 4);
    Result<std::vector<JournalEvent>> tail = b.Journal(2);
    REQUIRE(tail.ok());
    CHECK(*tail == std::vector<JournalEvent>(all.begin() + 2, all.end()));
    Result<std::vector<JournalEvent>> none = b.Journal(4);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }

  SECTION("AppendJournal appends the caller's event with its rev, detail and lock id, stamped") {
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(b.AppendJournal("apply", "2001-01-01T00:00:00Z", "applied 3 changes", (*lock)->id()).ok());
    REQUIRE(b.AppendJournal("note", "", "", "").ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].seq == 1);
    CHECK(journal[0].event == "apply");
    CHECK(journal[0].rev == "2001-01-01T00:00:00Z");
    CHECK(journal[0].detail == "applied 3 changes");
    CHECK(journal[0].lock_id == (*lock)->id());
    CHECK(journal[0].pid == ::getpid());
    CHECK(journal[0].actor.find('@') != std::string::npos);
    CHECK(journal[1].seq == 2);
    CHECK(journal[1].event == "note");
    CHECK(journal[1].lock_id.empty());
  }

  SECTION("a write event records the envelope's size, the number of entries and the lock's operation") {
    LockOptions apply;
    apply.operation = "apply";
    Result<std::string> committed = b.Commit(f.Snap("one"), apply, WriteOptions{});
    REQUIRE(committed.ok());
    Result<std::string> written =
        b.Write(f.Snap("two"), WriteOptions{.new_key = false, .lock_id = "", .operation = "plan"});
    REQUIRE(written.ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 3);
    const std::size_t entries = f.Snap("one").entries.size();
    CHECK(journal[0].event == "write");
    CHECK(journal[0].operation == "apply");
    CHECK(journal[0].entries == static_cast<std::int64_t>(entries));
    CHECK(journal[0].size > 0);
    CHECK(journal[1].event == "set-current");
    CHECK(journal[1].size == -1);
    CHECK(journal[1].entries == -1);
    CHECK(journal[1].operation.empty());
    CHECK(journal[2].event == "write");
    CHECK(journal[2].operation == "plan");
    CHECK(journal[2].entries == static_cast<std::int64_t>(entries));
    // The size is the stored envelope's: the same snapshot shape seals to about the same size.
    CHECK(journal[2].size > 0);
  }

  SECTION("Write refuses an operation longer than kMaxWriteOperationBytes and writes nothing") {
    const std::string longest(kMaxWriteOperationBytes, 'o');
    REQUIRE(b.Write(f.Snap("one"), WriteOptions{.new_key = false, .lock_id = "", .operation = longest}).ok());
    const std::vector<std::string> before = f.Revisions();
    Result<std::string> refused =
        b.Write(f.Snap("two"), WriteOptions{.new_key = false, .lock_id = "", .operation = longest + "o"});
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK(refused.status().message().find("4096") != std::string::npos);
    CHECK(f.Revisions() == before);
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 1);
    CHECK(journal[0].operation == longest);
  }

  SECTION("AppendJournal refuses an event whose line would exceed 1 MiB with kInvalidArgument") {
    REQUIRE(b.AppendJournal("note", "", "short", "").ok());
    CHECK(b.AppendJournal("note", "", std::string((1 << 20) + 1, 'd'), "").code() == Code::kInvalidArgument);
    CHECK(f.Journal().size() == 1);
  }

  SECTION("set-current back to an older revision is a legitimate rollback; the journal's chain verifies") {
    Result<std::string> first = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(first.ok());
    REQUIRE(b.Commit(f.Snap("two"), LockOptions{}, WriteOptions{}).ok());
    REQUIRE(b.SetCurrent(*first, SetCurrentOptions{}).ok());
    Result<std::string> current = b.CurrentRev();
    REQUIRE(current.ok());
    CHECK(*current == *first);
    CHECK(b.Current().ok());
    CHECK(f.Open()->CurrentRev().ok());  // another opener with the same key agrees
    Result<VerifyReport> report = VerifyStack(b, nullptr, {f.key_a.get()});
    REQUIRE(report.ok());
    for (const VerifyProblem& problem : report->problems) FAIL_CHECK(problem.rev << ": " << problem.status.message());
    CHECK(report->notes.empty());  // every line authenticated with the key given
    const std::vector<JournalEvent> journal = f.Journal();
    for (const JournalEvent& event : journal) CHECK(event.mac_key == f.key_a->Describe().key_id);
    CHECK(journal.back().current == std::optional<std::string>(*first));
  }
}

}  // namespace sealstate::testing::conformance
