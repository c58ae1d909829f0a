// Conformance: Write, Get, ReadHeader, List, a new stack, large snapshots, two backends on one
// stack (backend.h).
#include <sealstate/revision.h>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {

void CheckSnapshots(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("a new stack has no current snapshot, no revisions, an empty journal and a free lock") {
    Result<Snapshot> current = b.Current();
    REQUIRE(current.status().code() == Code::kNoCurrent);
    CHECK(current.status().message() == "no current snapshot");
    CHECK(b.CurrentRev().status().code() == Code::kNoCurrent);
    CHECK(f.Revisions().empty());
    CHECK(f.Journal().empty());
    Result<LockInfo> lock = b.GetLockInfo();
    REQUIRE(lock.ok());
    CHECK(lock->state == LockState::kFree);
    CHECK_FALSE(lock->holder.has_value());
  }

  SECTION("stack() and factory() name what the backend was opened for") {
    CHECK(b.stack() == f.stack);
    CHECK(b.factory() == f.factory);
  }

  SECTION("List, Journal and GetLockInfo need no key; StrayEntries finds none in a stack of revisions") {
    Result<std::string> rev = b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    std::unique_ptr<Backend> keyless = f.Open(nullptr);
    Result<std::vector<std::string>> listed = keyless->List();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<std::string>{*rev});
    Result<std::vector<JournalEvent>> journal = keyless->Journal(0);
    REQUIRE(journal.ok());
    CHECK(journal->size() == 2);
    CHECK(keyless->GetLockInfo().ok());
    Result<std::vector<StrayEntry>> strays = b.StrayEntries();
    REQUIRE(strays.ok());
    CHECK(strays->empty());
  }

  SECTION("Write stores a snapshot that Get returns unchanged, under a valid revision name; current does not move") {
    Snapshot snapshot = f.Snap("one");
    Result<std::string> rev = b.Write(snapshot, WriteOptions{});
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    CHECK(ParseRevision(*rev).valid);
    Result<Snapshot> got = b.Get(*rev);
    INFO(got.status().ToString());
    REQUIRE(got.ok());
    CHECK(*got == snapshot);
    CHECK(f.Revisions() == std::vector<std::string>{*rev});
    CHECK(b.CurrentRev().status().code() == Code::kNoCurrent);
  }

  SECTION("Write journals a write event with the revision, the caller's lock id and envelope version 2") {
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    Result<std::string> rev =
        b.Write(f.Snap("one"), WriteOptions{.new_key = false, .lock_id = (*lock)->id(), .operation = ""});
    REQUIRE(rev.ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 1);
    CHECK(journal[0].event == "write");
    CHECK(journal[0].rev == *rev);
    CHECK(journal[0].lock_id == (*lock)->id());
    CHECK(journal[0].envelope_version == 3);
  }

  SECTION("Write refuses an invalid snapshot with kInvalidArgument and writes nothing") {
    Snapshot invalid = f.Snap("one");
    invalid.entries[0].address.clear();
    CHECK(b.Write(invalid, WriteOptions{}).status().code() == Code::kInvalidArgument);
    CHECK(f.Revisions().empty());
    CHECK(f.Journal().empty());
  }

  SECTION("Write refuses a snapshot naming another stack or factory with kInvalidArgument") {
    Snapshot other_stack = f.Snap("one");
    other_stack.stack = f.stack + "-other";
    CHECK(b.Write(other_stack, WriteOptions{}).status().code() == Code::kInvalidArgument);
    Snapshot other_factory = f.Snap("one");
    other_factory.factory.name = f.factory + "-other";
    CHECK(b.Write(other_factory, WriteOptions{}).status().code() == Code::kInvalidArgument);
    CHECK(f.Revisions().empty());
  }

  SECTION("List returns every revision, oldest first") {
    std::vector<std::string> written;
    for (const char* mark : {"one", "two", "three"}) {
      Result<std::string> rev = b.Write(f.Snap(mark), WriteOptions{});
      REQUIRE(rev.ok());
      written.push_back(*rev);
    }
    std::vector<std::string> listed = f.Revisions();
    CHECK(listed == written);
    CHECK(SortRevisions(listed) == listed);
  }

  SECTION("Get of a missing revision is kNotFound") {
    CHECK(b.Get("2001-01-01T00:00:00Z").status().code() == Code::kNotFound);
  }

  SECTION("ReadHeader reads a revision's v3 header without opening it (or the backend says kUnsupported)") {
    Result<std::string> rev = b.Write(f.Snap("one"), WriteOptions{});
    REQUIRE(rev.ok());
    std::unique_ptr<Backend> other_key = f.Open(f.key_b);  // could not open the revision
    Result<EnvelopeHeader> header = other_key->ReadHeader(*rev);
    if (header.status().code() != Code::kUnsupported) {
      INFO(header.status().ToString());
      REQUIRE(header.ok());
      CHECK(header->envelope_version == 3);
      CHECK(header->factory == f.factory);
      CHECK(header->stack == f.stack);
      CHECK(header->rev == *rev);
      REQUIRE(header->recipients.size() == 1);
      CHECK(header->recipients[0].key_id == f.key_a->Describe().key_id);
      CHECK(other_key->ReadHeader("2001-01-01T00:00:00Z").status().code() == Code::kNotFound);
    }
  }

  SECTION("a large snapshot (4 MiB) round-trips through Commit, Current and Get") {
    Snapshot large = LargeTestSnapshot(f.factory, f.stack, 4 << 20);
    Result<std::string> encoded = EncodeSnapshot(large);
    REQUIRE(encoded.ok());
    REQUIRE(encoded->size() > (4u << 20));
    Result<std::string> rev = b.Commit(large, LockOptions{}, WriteOptions{});
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    Result<Snapshot> current = f.Open()->Current();
    REQUIRE(current.ok());
    CHECK(*current == large);
    Result<Snapshot> got = b.Get(*rev);
    REQUIRE(got.ok());
    CHECK(*got == large);
  }

  SECTION("two backends on one stack see each other's writes, current and lock") {
    std::unique_ptr<Backend> other = f.Open();
    Result<std::string> rev = other->Commit(f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    CHECK(f.CurrentOrEmpty() == *rev);
    Result<std::unique_ptr<Lock>> lock = other->AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    Result<LockInfo> info = b.GetLockInfo();
    REQUIRE(info.ok());
    CHECK(info->state == LockState::kHeld);
  }

  SECTION("a stack the backend created itself has no permission findings") {
    REQUIRE(b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    for (PermissionScope scope : {PermissionScope::kStack, PermissionScope::kEverything}) {
      Result<std::vector<std::string>> findings = b.CheckPermissions(scope);
      REQUIRE(findings.ok());
      CHECK(findings->empty());
    }
  }
}

}  // namespace sealstate::testing::conformance
