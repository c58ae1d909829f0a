// Conformance: Commit, both the backend's own and Backend::Commit's default, which must give the
// same observable results (backend.h).
#include <atomic>
#include <thread>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

// One way to commit: the backend's own Commit (virtual call) or Backend::Commit's default.
using CommitFn = std::function<Result<std::string>(Backend&, const Snapshot&, const LockOptions&, const WriteOptions&)>;

Result<std::string> OwnCommit(Backend& b, const Snapshot& s, const LockOptions& l, const WriteOptions& w) {
  return b.Commit(s, l, w);
}

Result<std::string> DefaultCommit(Backend& b, const Snapshot& s, const LockOptions& l, const WriteOptions& w) {
  return b.Backend::Commit(s, l, w);
}

// What a failed commit must leave as it was.
struct Before {
  std::vector<std::string> revisions;
  std::string current;
  std::size_t journal_size;
};

Before Observe(Fixture& f) { return Before{f.Revisions(), f.CurrentOrEmpty(), f.Journal().size()}; }

void CheckUnchanged(Fixture& f, const Before& before) {
  CHECK(f.Revisions() == before.revisions);
  CHECK(f.CurrentOrEmpty() == before.current);
  CHECK(f.Journal().size() == before.journal_size);
  Result<LockInfo> lock = f.backend->GetLockInfo();
  REQUIRE(lock.ok());
  CHECK(lock->state == LockState::kFree);
}

void CheckOneCommitKind(Fixture& f, const CommitFn& commit) {
  Backend& b = *f.backend;

  SECTION("it writes the snapshot, points current at the new revision and frees the lock") {
    Result<std::string> first = commit(b, f.Snap("one"), LockOptions{}, WriteOptions{});
    INFO(first.status().ToString());
    REQUIRE(first.ok());
    Result<std::string> second = commit(b, f.Snap("two"), LockOptions{}, WriteOptions{});
    REQUIRE(second.ok());
    CHECK(f.Revisions() == std::vector<std::string>{*first, *second});
    CHECK(f.CurrentOrEmpty() == *second);
    Result<Snapshot> current = f.Open()->Current();
    REQUIRE(current.ok());
    CHECK(*current == f.Snap("two"));
    Result<LockInfo> lock = b.GetLockInfo();
    REQUIRE(lock.ok());
    CHECK(lock->state == LockState::kFree);
  }

  SECTION("it journals one write and one set-current of the new revision under one new lock id") {
    Result<std::string> rev = commit(b, f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].event == "write");
    CHECK(journal[0].rev == *rev);
    CHECK(journal[0].envelope_version == 3);
    CHECK(journal[1].event == "set-current");
    CHECK(journal[1].rev == *rev);
    CHECK_FALSE(journal[0].lock_id.empty());
    CHECK(journal[1].lock_id == journal[0].lock_id);
  }

  SECTION("it journals its own lock id, not WriteOptions::lock_id") {
    Result<std::string> rev = commit(b, f.Snap("one"), LockOptions{},
                                     WriteOptions{.new_key = false, .lock_id = "not-the-commit-lock", .operation = ""});
    REQUIRE(rev.ok());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].lock_id != "not-the-commit-lock");
    CHECK(journal[1].lock_id == journal[0].lock_id);
  }

  SECTION("while another holds the lock it is kLocked and changes nothing") {
    REQUIRE(commit(b, f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    Before before = Observe(f);
    Result<std::unique_ptr<Lock>> holder = f.Open()->AcquireLock(LockOptions{});
    REQUIRE(holder.ok());
    CHECK(commit(b, f.Snap("two"), LockOptions{}, WriteOptions{}).status().code() == Code::kLocked);
    REQUIRE((*holder)->Unlock().ok());
    CheckUnchanged(f, before);
  }

  SECTION("cancelled while waiting for the lock it is kCancelled and changes nothing") {
    Before before = Observe(f);
    Result<std::unique_ptr<Lock>> holder = f.Open()->AcquireLock(LockOptions{});
    REQUIRE(holder.ok());
    LockOptions options;
    options.timeout = std::chrono::seconds(30);
    options.cancelled = [] { return true; };
    CHECK(commit(b, f.Snap("one"), options, WriteOptions{}).status().code() == Code::kCancelled);
    REQUIRE((*holder)->Unlock().ok());
    CheckUnchanged(f, before);
  }

  SECTION("it waits for the lock as LockOptions say") {
    Result<std::unique_ptr<Lock>> holder = f.Open()->AcquireLock(LockOptions{});
    REQUIRE(holder.ok());
    std::thread releaser([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      (void)(*holder)->Unlock();
    });
    LockOptions options;
    options.timeout = std::chrono::seconds(30);
    Result<std::string> rev = commit(b, f.Snap("one"), options, WriteOptions{});
    releaser.join();
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    CHECK(f.CurrentOrEmpty() == *rev);
  }

  SECTION("of an invalid snapshot it is kInvalidArgument and changes nothing") {
    Before before = Observe(f);
    Snapshot invalid = f.Snap("one");
    invalid.entries[0].entry_kind = "bogus";
    CHECK(commit(b, invalid, LockOptions{}, WriteOptions{}).status().code() == Code::kInvalidArgument);
    CheckUnchanged(f, before);
  }

  SECTION("with another key than the current revision's it is kWrongKey and changes nothing") {
    REQUIRE(commit(b, f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    Before before = Observe(f);
    std::unique_ptr<Backend> other_key = f.Open(f.key_b);
    CHECK(commit(*other_key, f.Snap("two"), LockOptions{}, WriteOptions{}).status().code() == Code::kWrongKey);
    CheckUnchanged(f, before);
  }

  SECTION("with WriteOptions::new_key it commits with another key") {
    REQUIRE(commit(b, f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    std::unique_ptr<Backend> other_key = f.Open(f.key_b);
    Result<std::string> rev =
        commit(*other_key, f.Snap("two"), LockOptions{}, WriteOptions{.new_key = true, .lock_id = "", .operation = ""});
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    Result<Snapshot> current = other_key->Current();
    REQUIRE(current.ok());
    CHECK(*current == f.Snap("two"));
  }
}

}  // namespace

void CheckCommit(Fixture& f) {
  SECTION("the backend's own Commit") { CheckOneCommitKind(f, OwnCommit); }
  SECTION("Backend::Commit, the default built from the other operations") { CheckOneCommitKind(f, DefaultCommit); }

  SECTION("the own and the default Commit leave the same journal and lock") {
    Result<std::string> own = OwnCommit(*f.backend, f.Snap("one"), LockOptions{}, WriteOptions{});
    REQUIRE(own.ok());
    Result<std::string> by_default = DefaultCommit(*f.backend, f.Snap("two"), LockOptions{}, WriteOptions{});
    REQUIRE(by_default.ok());
    Result<StackContents> contents = ReadBack(*f.backend);
    REQUIRE(contents.ok());
    REQUIRE(contents->journal.size() == 4);
    for (std::size_t i : {0, 2}) {
      const JournalEvent& write = contents->journal[i];
      const JournalEvent& set_current = contents->journal[i + 1];
      CHECK(write.event == "write");
      CHECK(set_current.event == "set-current");
      CHECK(write.rev == (i == 0 ? *own : *by_default));
      CHECK(set_current.rev == write.rev);
      CHECK(set_current.lock_id == write.lock_id);
      CHECK(write.actor == contents->journal[0].actor);
      CHECK(write.pid == contents->journal[0].pid);
      CHECK(write.envelope_version == contents->journal[0].envelope_version);
      CHECK(set_current.detail == contents->journal[1].detail);
    }
    CHECK(contents->journal[0].lock_id != contents->journal[2].lock_id);
    CHECK(contents->current == *by_default);
    CHECK(contents->lock.state == LockState::kFree);
  }
}

}  // namespace sealstate::testing::conformance
