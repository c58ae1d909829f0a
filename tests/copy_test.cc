// CopyStack (copy.h): local -> memory -> local byte for byte, resuming an interrupted copy,
// refusing a target with a history of its own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include <sealstate/copy.h>
#include <sealstate/local_store.h>
#include <sealstate/memory_store.h>

#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::ScratchDir;

namespace {

constexpr const char* kFactory = "cluster-deploy";
constexpr const char* kStack = "prod-east-alpha";

std::shared_ptr<const Encrypter> Key() {
  static const std::shared_ptr<const Encrypter> key = testing::EnvKey("SEALSTATE_COPY_TEST_KEY", testing::kKeyA);
  return key;
}

std::unique_ptr<Backend> Local(const std::string& root) {
  LocalStoreOptions o;
  o.root = root;
  o.factory = kFactory;
  o.stack = kStack;
  o.encrypter = Key();
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(o);
  REQUIRE(store.ok());
  return std::move(*store);
}

// A fresh memory store, forgotten when the test ends.
struct Memory {
  explicit Memory(std::string store_name) : name(std::move(store_name)) { ForgetMemoryStore(name); }
  ~Memory() { ForgetMemoryStore(name); }
  std::unique_ptr<Backend> Open() const {
    MemoryStoreOptions o;
    o.name = name;
    o.factory = kFactory;
    o.stack = kStack;
    o.encrypter = Key();
    Result<std::unique_ptr<Backend>> store = OpenMemoryStore(o);
    REQUIRE(store.ok());
    return std::move(*store);
  }
  std::string name;
};

std::string Envelope(Backend& backend, const std::string& rev) {
  std::string bytes;
  StringSink sink(bytes);
  REQUIRE(backend.ReadEnvelope(rev, sink).ok());
  return bytes;
}

std::vector<std::string> Revisions(Backend& backend) {
  Result<std::vector<std::string>> revs = backend.List();
  REQUIRE(revs.ok());
  return *revs;
}

std::vector<JournalEvent> Events(Backend& backend) {
  Result<std::vector<JournalEvent>> events = backend.Journal(0);
  REQUIRE(events.ok());
  return *events;
}

std::string CurrentOrEmpty(Backend& backend) {
  Result<std::string> current = backend.CurrentRev();
  return current.ok() ? *current : std::string();
}

// Three revisions, current at the middle one (a rollback).
std::vector<std::string> Seed(Backend& backend) {
  std::vector<std::string> revs;
  for (int i = 0; i < 3; ++i) {
    Snapshot snapshot = testing::FixtureSnapshot();
    snapshot.entries[0].outputs["id"] = Json("vpc-" + std::to_string(i));
    Result<std::string> rev = backend.Commit(snapshot, LockOptions{}, WriteOptions{});
    REQUIRE(rev.ok());
    revs.push_back(*rev);
  }
  REQUIRE(backend.SetCurrent(revs[1], SetCurrentOptions{}).ok());
  return revs;
}

bool SameHistory(JournalEvent a, JournalEvent b) {
  a.seq = b.seq = 0;
  return a == b;
}

std::size_t Count(const std::vector<JournalEvent>& events, const std::string& name) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [&](const JournalEvent& e) { return e.event == name; }));
}

// A Backend that forwards everything to `target`, but fails ImportEnvelope from the
// `fail_import_at`-th call on (1-based; 0: never) and SetCurrent when `fail_set_current`: an
// interruption in the middle of a copy.
class Interrupting final : public Backend {
 public:
  explicit Interrupting(Backend& target) : t_(target) {}
  std::size_t fail_import_at = 0;
  bool fail_set_current = false;
  // Called after each lock this wrapper hands out was taken.
  std::function<void()> after_lock;

  const std::string& stack() const override { return t_.stack(); }
  const std::string& factory() const override { return t_.factory(); }
  Result<Snapshot> Current() override { return t_.Current(); }
  Result<std::string> CurrentRev() override { return t_.CurrentRev(); }
  Result<Snapshot> Get(std::string_view rev) override { return t_.Get(rev); }
  Result<EnvelopeHeader> ReadHeader(std::string_view rev) override { return t_.ReadHeader(rev); }
  Result<std::string> Write(const Snapshot& s, const WriteOptions& o) override { return t_.Write(s, o); }
  Status SetCurrent(std::string_view rev, const SetCurrentOptions& o) override {
    if (fail_set_current) return Status::IoError("set-current (injected)", "current", 5);
    return t_.SetCurrent(rev, o);
  }
  Result<std::vector<std::string>> List() override { return t_.List(); }
  Status Remove(std::string_view rev, std::string_view lock_id) override { return t_.Remove(rev, lock_id); }
  Result<std::unique_ptr<Lock>> AcquireLock(const LockOptions& o) override {
    Result<std::unique_ptr<Lock>> lock = t_.AcquireLock(o);
    if (lock.ok() && after_lock) after_lock();
    return lock;
  }
  Status ForceUnlock(std::string_view id) override { return t_.ForceUnlock(id); }
  Result<LockInfo> GetLockInfo() override { return t_.GetLockInfo(); }
  Result<std::vector<JournalEvent>> Journal(std::uint64_t since) override { return t_.Journal(since); }
  Status AppendJournal(std::string e, std::string r, std::string d, std::string l) override {
    return t_.AppendJournal(std::move(e), std::move(r), std::move(d), std::move(l));
  }
  Status ReadEnvelope(std::string_view rev, ByteSink& sink) override { return t_.ReadEnvelope(rev, sink); }
  Status ImportEnvelope(std::string_view rev, ByteSource& source, std::string_view lock_id) override {
    if (fail_import_at != 0 && ++imports_ >= fail_import_at) {
      return Status::IoError("import (injected)", std::string(rev), 5);
    }
    return t_.ImportEnvelope(rev, source, lock_id);
  }
  Status ImportJournal(const std::vector<JournalEvent>& events, std::string_view lock_id) override {
    return t_.ImportJournal(events, lock_id);
  }

 private:
  Backend& t_;
  std::size_t imports_ = 0;
};

CopyOptions Named(std::string from, std::string to) {
  CopyOptions options;
  options.from_name = std::move(from);
  options.to_name = std::move(to);
  return options;
}

}  // namespace

TEST_CASE("CopyStack local -> memory -> local: every revision byte for byte, the journal, current") {
  ScratchDir a_root;
  ScratchDir c_root;
  Memory memory("copy-test-round-trip");
  auto a = Local(a_root.dir().path);
  auto m = memory.Open();
  auto c = Local(c_root.dir().path);
  const std::vector<std::string> revs = Seed(*a);
  const std::vector<JournalEvent> a_journal = Events(*a);

  Result<CopyReport> there = CopyStack(*a, *m, Named("local:" + a_root.dir().path, "memory:copy-test-round-trip"));
  INFO(there.status().ToString());
  REQUIRE(there.ok());
  CHECK(there->revisions == 3);
  CHECK(there->copied == 3);
  CHECK(there->skipped == 0);
  CHECK(there->journal_events == a_journal.size() + 1);
  CHECK(there->current == revs[1]);

  Result<CopyReport> back = CopyStack(*m, *c, Named("memory:copy-test-round-trip", "local:" + c_root.dir().path));
  INFO(back.status().ToString());
  REQUIRE(back.ok());

  REQUIRE(Revisions(*c) == revs);
  for (const std::string& rev : revs) CHECK(Envelope(*c, rev) == Envelope(*a, rev));
  CHECK(CurrentOrEmpty(*m) == revs[1]);
  CHECK(CurrentOrEmpty(*c) == revs[1]);

  // The journal: the source's events as they were (renumbered), then the copy's.
  const std::vector<JournalEvent> c_journal = Events(*c);
  REQUIRE(c_journal.size() >= a_journal.size() + 2);
  for (std::size_t i = 0; i < a_journal.size(); ++i) CHECK(SameHistory(c_journal[i], a_journal[i]));
  for (std::size_t i = 0; i < c_journal.size(); ++i) CHECK(c_journal[i].seq == i + 1);
  const JournalEvent& first_copy = c_journal[a_journal.size()];
  CHECK(first_copy.event == "copied-from");
  CHECK(first_copy.rev == revs[1]);
  CHECK(first_copy.detail.find("local:" + a_root.dir().path) != std::string::npos);
  CHECK(Count(c_journal, "copied-from") == 2);
  CHECK(c_journal.back().event == "set-current");
}

TEST_CASE("CopyStack holds both stack locks while it copies, and releases them") {
  ScratchDir a_root;
  Memory memory("copy-test-locks");
  auto a = Local(a_root.dir().path);
  auto m = memory.Open();
  Seed(*a);
  CopyOptions options = Named("local:a", "memory:b");
  std::atomic<int> held_both{0};
  options.progress = [&](std::size_t, std::size_t) {
    Result<LockInfo> from = a->GetLockInfo();
    Result<LockInfo> to = m->GetLockInfo();
    if (from.ok() && to.ok() && from->state == LockState::kHeld && to->state == LockState::kHeld) ++held_both;
  };
  REQUIRE(CopyStack(*a, *m, options).ok());
  CHECK(held_both == 3);
  CHECK(a->GetLockInfo()->state == LockState::kFree);
  CHECK(m->GetLockInfo()->state == LockState::kFree);
}

TEST_CASE("An interrupted copy resumes: identical revisions skipped, the journal imported once") {
  ScratchDir a_root;
  Memory memory("copy-test-resume");
  auto a = Local(a_root.dir().path);
  auto m = memory.Open();
  const std::vector<std::string> revs = Seed(*a);
  Interrupting target(*m);

  SECTION("interrupted among the revisions") {
    target.fail_import_at = 2;
    Result<CopyReport> failed = CopyStack(*a, target, Named("local:a", "memory:b"));
    REQUIRE(!failed.ok());
    CHECK(failed.status().code() == Code::kIoError);
    CHECK(failed.status().message().find("copy: revision " + revs[1]) != std::string::npos);
    CHECK(Revisions(*m) == std::vector<std::string>{revs[0]});
    CHECK(Events(*m).empty());
    CHECK(CurrentOrEmpty(*m).empty());
    CHECK(m->GetLockInfo()->state == LockState::kFree);

    Result<CopyReport> resumed = CopyStack(*a, *m, Named("local:a", "memory:b"));
    INFO(resumed.status().ToString());
    REQUIRE(resumed.ok());
    CHECK(resumed->copied == 2);
    CHECK(resumed->skipped == 1);
  }

  SECTION("interrupted after the journal, before current") {
    target.fail_set_current = true;
    REQUIRE(!CopyStack(*a, target, Named("local:a", "memory:b")).ok());
    CHECK(Count(Events(*m), "copied-from") == 1);
    CHECK(CurrentOrEmpty(*m).empty());

    Result<CopyReport> resumed = CopyStack(*a, *m, Named("local:a", "memory:b"));
    INFO(resumed.status().ToString());
    REQUIRE(resumed.ok());
    CHECK(resumed->skipped == 3);
    CHECK(resumed->journal_events == 0);
  }

  CHECK(Revisions(*m) == revs);
  for (const std::string& rev : revs) CHECK(Envelope(*m, rev) == Envelope(*a, rev));
  CHECK(CurrentOrEmpty(*m) == revs[1]);
  CHECK(Count(Events(*m), "copied-from") == 1);

  // Once complete, running it again changes nothing.
  const std::vector<JournalEvent> journal = Events(*m);
  Result<CopyReport> again = CopyStack(*a, *m, Named("local:a", "memory:b"));
  REQUIRE(again.ok());
  CHECK(again->copied == 0);
  CHECK(Events(*m) == journal);
}

TEST_CASE("CopyStack refuses a target with a history of its own and leaves it as it was") {
  ScratchDir a_root;
  Memory memory("copy-test-refuse");
  auto a = Local(a_root.dir().path);
  auto m = memory.Open();
  const std::vector<std::string> revs = Seed(*a);

  SECTION("a revision the source does not have") {
    REQUIRE(m->Commit(testing::FixtureSnapshot(), LockOptions{}, WriteOptions{}).ok());
  }
  SECTION("a revision with other bytes") {
    std::string other = Envelope(*a, revs[0]);
    other.back() = static_cast<char>(other.back() ^ 1);
    StringSource source(other);
    REQUIRE(m->ImportEnvelope(revs[0], source, "").ok());
  }
  SECTION("journal events that are not a copy of the source") {
    REQUIRE(m->AppendJournal("apply", "", "an application's own event", "").ok());
  }
  const std::vector<std::string> before = Revisions(*m);
  const std::vector<JournalEvent> journal = Events(*m);
  const std::string current = CurrentOrEmpty(*m);
  Result<CopyReport> refused = CopyStack(*a, *m, Named("local:a", "memory:b"));
  REQUIRE(!refused.ok());
  CHECK(refused.status().code() == Code::kAlreadyExists);
  CHECK(refused.status().message().find("history of its own") != std::string::npos);
  CHECK(Revisions(*m) == before);
  CHECK(Events(*m) == journal);
  CHECK(CurrentOrEmpty(*m) == current);
  CHECK(a->GetLockInfo()->state == LockState::kFree);
  CHECK(m->GetLockInfo()->state == LockState::kFree);
}

TEST_CASE("CopyStack refuses one stack as both ends, and stacks of other names") {
  ScratchDir a_root;
  auto a = Local(a_root.dir().path);
  Seed(*a);
  auto same = Local(a_root.dir().path);
  CHECK(CopyStack(*a, *same, Named("local:x", "local:x")).status().code() == Code::kInvalidArgument);

  MemoryStoreOptions o;
  o.name = "copy-test-names";
  o.factory = kFactory;
  o.stack = "another-stack";
  o.encrypter = Key();
  auto other = OpenMemoryStore(o);
  REQUIRE(other.ok());
  CHECK(CopyStack(*a, **other, Named("local:x", "memory:y")).status().code() == Code::kInvalidArgument);
  ForgetMemoryStore("copy-test-names");
}

TEST_CASE("CopyStack streams a large envelope byte for byte") {
  ScratchDir a_root;
  ScratchDir b_root;
  auto a = Local(a_root.dir().path);
  auto b = Local(b_root.dir().path);
  Result<std::string> rev = a->Commit(testing::LargeSnapshot(6 << 20), LockOptions{}, WriteOptions{});
  REQUIRE(rev.ok());
  Result<CopyReport> copied = CopyStack(*a, *b, Named("local:a", "local:b"));
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(Envelope(*b, *rev) == Envelope(*a, *rev));
  CHECK(CurrentOrEmpty(*b) == *rev);
}

TEST_CASE("Two copies in opposite directions between the same stacks cannot deadlock") {
  Memory a_store("copy-test-deadlock-a");
  Memory b_store("copy-test-deadlock-b");
  auto a = a_store.Open();
  auto b = b_store.Open();
  Seed(*a);
  Seed(*b);
  // Each copy, once it holds its first lock, waits (up to 500 ms) for the other to hold one too:
  // copies that locked source first would then each wait for the lock the other holds.
  std::atomic<int> holding{0};
  const auto rendezvous = [&holding](std::atomic<bool>& first) {
    return [&holding, &first] {
      if (first.exchange(false)) {
        ++holding;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
        while (holding < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      }
    };
  };
  std::atomic<bool> first_ab{true};
  std::atomic<bool> first_ba{true};
  Interrupting ab_from(*a), ab_to(*b), ba_from(*b), ba_to(*a);
  ab_from.after_lock = ab_to.after_lock = rendezvous(first_ab);
  ba_from.after_lock = ba_to.after_lock = rendezvous(first_ba);
  CopyOptions ab = Named("memory:a", "memory:b");
  CopyOptions ba = Named("memory:b", "memory:a");
  ab.lock.timeout = ba.lock.timeout = std::chrono::milliseconds(2000);
  Status ab_result;
  Status ba_result;
  std::thread other([&] { ba_result = CopyStack(ba_from, ba_to, ba).status(); });
  ab_result = CopyStack(ab_from, ab_to, ab).status();
  other.join();
  // Both stacks have a history of their own: each copy is refused, neither times out on a lock.
  INFO(ab_result.ToString() << " / " << ba_result.ToString());
  CHECK(ab_result.code() == Code::kAlreadyExists);
  CHECK(ba_result.code() == Code::kAlreadyExists);
}
