// The memory backend: what is specific to it (stores shared by name, forgetting a store, a Lock
// outliving its Backend, the registry spec) and one check each of its lock, fencing,
// compare-and-swap, journal, key check and envelope policy. The conformance suite covers the
// Backend contract in full.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <sealstate/backend_registry.h>
#include <sealstate/memory_store.h>
#include <sealstate/revision.h>

#include "test_support.h"

using namespace sealstate;

namespace {

const char* kFactory = "cluster-deploy";
const char* kStack = "prod-east-alpha";

std::shared_ptr<const Encrypter> Noop() { return std::shared_ptr<const Encrypter>(NewNoopEncrypter()); }

std::shared_ptr<const Encrypter> Key(const char* key) {
  return std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey("MEMORY_TEST_KEY", key));
}

MemoryStoreOptions Options(std::string name, std::shared_ptr<const Encrypter> encrypter = Noop()) {
  MemoryStoreOptions o;
  o.name = std::move(name);
  o.factory = kFactory;
  o.stack = kStack;
  o.encrypter = std::move(encrypter);
  return o;
}

std::unique_ptr<Backend> Open(const MemoryStoreOptions& options) {
  Result<std::unique_ptr<Backend>> store = OpenMemoryStore(options);
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(*store);
}

Snapshot Fixture() { return sealstate::testing::FixtureSnapshot(); }

std::int64_t SteadyNanos() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

}  // namespace

TEST_CASE("two backends opened on the same store name share the stack") {
  auto one = Open(Options("shared"));
  auto two = Open(Options("shared"));
  Result<std::string> rev = one->Commit(Fixture(), {}, {});
  REQUIRE(rev.ok());
  CHECK(two->CurrentRev().value() == *rev);
  CHECK(two->List().value() == std::vector<std::string>{*rev});
  CHECK(two->Current().value() == Fixture());
  auto held = one->AcquireLock({});
  REQUIRE(held.ok());
  CHECK(two->GetLockInfo().value().state == LockState::kHeld);
  CHECK(two->AcquireLock({}).status().code() == Code::kLocked);
}

TEST_CASE("different store names, factories and stacks do not share") {
  auto one = Open(Options("names-a"));
  REQUIRE(one->Commit(Fixture(), {}, {}).ok());
  CHECK(Open(Options("names-b"))->List().value().empty());
  MemoryStoreOptions other_stack = Options("names-a");
  other_stack.stack = "other";
  CHECK(Open(other_stack)->List().value().empty());
  MemoryStoreOptions other_factory = Options("names-a");
  other_factory.factory = "other";
  CHECK(Open(other_factory)->List().value().empty());
}

TEST_CASE("ForgetMemoryStore: new backends start empty, open ones keep their stack") {
  auto old = Open(Options("forget"));
  Result<std::string> rev = old->Commit(Fixture(), {}, {});
  REQUIRE(rev.ok());
  ForgetMemoryStore("forget");
  ForgetMemoryStore("never-opened");  // unknown names: nothing to do
  auto fresh = Open(Options("forget"));
  CHECK(fresh->List().value().empty());
  CHECK(fresh->CurrentRev().status().code() == Code::kNoCurrent);
  CHECK(old->CurrentRev().value() == *rev);
  CHECK(old->Get(*rev).ok());
}

TEST_CASE("create=false opens an existing stack and refuses a missing one with kNotFound") {
  MemoryStoreOptions o = Options("create-false");
  o.create = false;
  Result<std::unique_ptr<Backend>> missing = OpenMemoryStore(o);
  REQUIRE(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() ==
        "memory store: no such stack: cluster-deploy/prod-east-alpha in store \"create-false\"");
  Open(Options("create-false"));
  CHECK(OpenMemoryStore(o).ok());
}

TEST_CASE("bad store, factory and stack names are refused") {
  CHECK(OpenMemoryStore(Options("")).status().message() == "memory store: the store name must not be empty");
  CHECK(OpenMemoryStore(Options(std::string(256, 'x'))).status().code() == Code::kInvalidArgument);
  CHECK(OpenMemoryStore(Options(std::string(255, 'x'))).ok());
  MemoryStoreOptions bad_stack = Options("bad-names");
  bad_stack.stack = "../x";
  Result<std::unique_ptr<Backend>> refused = OpenMemoryStore(bad_stack);
  REQUIRE(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message().starts_with("memory store: stack name \"../x\" is not allowed"));
  MemoryStoreOptions bad_factory = Options("bad-names");
  bad_factory.factory = ".hidden";
  CHECK(OpenMemoryStore(bad_factory).status().code() == Code::kInvalidArgument);
  CHECK(Open(Options("bad-names"))->Get("../x").status().code() == Code::kInvalidArgument);
}

TEST_CASE("the registry opens memory:NAME and creates memory by name") {
  BackendRegistry registry = BackendRegistry::WithBuiltins();
  CHECK(registry.Names() == std::vector<std::string>{"local", "memory", "postgres", "postgresql"});
  BackendContext context;
  context.factory = kFactory;
  context.stack = kStack;
  context.encrypter = Noop();
  Result<std::unique_ptr<Backend>> from_spec = registry.Open("memory:registry", context);
  REQUIRE(from_spec.ok());
  Result<std::string> rev = (*from_spec)->Commit(Fixture(), {}, {});
  REQUIRE(rev.ok());
  CHECK(Open(Options("registry"))->CurrentRev().value() == *rev);
  Result<std::unique_ptr<Backend>> by_name = registry.Create("memory", JsonObject{{"name", Json("registry")}}, context);
  REQUIRE(by_name.ok());
  CHECK((*by_name)->CurrentRev().value() == *rev);
  CHECK(registry.Open("memory:", context).status().code() == Code::kInvalidArgument);
  CHECK(registry.Create("memory", JsonObject{{"name", Json(1)}}, context).status().code() == Code::kInvalidArgument);
  CHECK(registry.Create("memory", JsonObject{{"path", Json("x")}}, context).status().message() ==
        "state: memory: unknown configuration field \"path\" (known: name)");
  context.create = false;
  CHECK(registry.Open("memory:registry-missing", context).status().code() == Code::kNotFound);
}

TEST_CASE("a memory Lock outlives its Backend") {
  std::unique_ptr<Lock> lock;
  {
    auto store = Open(Options("outlive"));
    Result<std::unique_ptr<Lock>> held = store->AcquireLock({});
    REQUIRE(held.ok());
    lock = std::move(*held);
  }
  auto other = Open(Options("outlive"));
  Result<LockInfo> info = other->GetLockInfo();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kHeld);
  REQUIRE(info->holder.has_value());
  CHECK(info->holder->lock_id == lock->id());
  CHECK(info->holder->operation == "lock");
  CHECK(info->holder->detail.empty());
  CHECK(lock->Unlock().ok());
  CHECK(other->GetLockInfo().value().state == LockState::kFree);
  lock.reset();  // destroying an unlocked Lock does nothing
  CHECK(other->AcquireLock({}).ok());
}

TEST_CASE("a memory lock waiter wakes within 50 ms of the release") {
  auto store = Open(Options("wake"));
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  std::atomic<std::int64_t> released_at{0};
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    released_at = SteadyNanos();
    (void)(*held)->Unlock();
  });
  LockOptions wait;
  wait.timeout = std::chrono::milliseconds(-1);  // forever
  Result<std::unique_ptr<Lock>> waiter = Open(Options("wake"))->AcquireLock(wait);
  const std::int64_t acquired_at = SteadyNanos();
  releaser.join();
  REQUIRE(waiter.ok());
  CHECK(std::chrono::nanoseconds(acquired_at - released_at.load()) < std::chrono::milliseconds(50));
}

TEST_CASE("a memory lock waiter gives up at its timeout, naming the holder") {
  auto store = Open(Options("timeout"));
  LockOptions commit;
  commit.operation = "commit";
  auto held = store->AcquireLock(commit);
  REQUIRE(held.ok());
  LockOptions wait;
  wait.timeout = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Lock>> waiter = store->AcquireLock(wait);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(waiter.status().code() == Code::kLocked);
  CHECK(waited >= std::chrono::milliseconds(100));
  CHECK(waiter.status().message().starts_with("memory store: locked by "));
  CHECK(waiter.status().message().find("(lock id " + (*held)->id() + ", operation commit, since ") !=
        std::string::npos);
  wait.timeout = std::chrono::milliseconds::max();  // saturates: waits, does not overflow
  wait.cancelled = [calls = 0]() mutable { return ++calls > 3; };
  CHECK(store->AcquireLock(wait).status().code() == Code::kCancelled);
}

TEST_CASE("a memory lock waiter is cancelled within a few milliseconds") {
  auto store = Open(Options("cancel"));
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  std::atomic<std::int64_t> cancel_at{0};
  LockOptions wait;
  wait.timeout = std::chrono::seconds(10);
  wait.cancelled = [&] {
    const std::int64_t at = cancel_at.load();
    return at != 0 && SteadyNanos() >= at;
  };
  cancel_at = SteadyNanos() + std::chrono::nanoseconds(std::chrono::milliseconds(100)).count();
  Result<std::unique_ptr<Lock>> waiter = store->AcquireLock(wait);
  const std::int64_t returned_at = SteadyNanos();
  REQUIRE(waiter.status().code() == Code::kCancelled);
  CHECK(std::chrono::nanoseconds(returned_at - cancel_at.load()) < std::chrono::milliseconds(50));
}

TEST_CASE("an operation too long for the holder record is refused") {
  auto store = Open(Options("long-operation"));
  LockOptions lock;
  lock.operation = std::string(5000, 'o');
  Result<std::unique_ptr<Lock>> refused = store->AcquireLock(lock);
  REQUIRE(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message().starts_with("memory store: lock operation is too long"));
  CHECK(store->GetLockInfo().value().state == LockState::kFree);
  lock.operation = std::string(3000, 'o');
  CHECK(store->AcquireLock(lock).ok());
}

TEST_CASE("after a force-unlock the broken lock fences and unlocks as documented") {
  auto store = Open(Options("fence"));
  Result<std::string> first = store->Commit(Fixture(), {}, {});
  REQUIRE(first.ok());
  Result<std::string> second = store->Write(Fixture(), {});
  REQUIRE(second.ok());
  auto broken = store->AcquireLock({});
  REQUIRE(broken.ok());
  CHECK(store->ForceUnlock("not-the-id").code() == Code::kLocked);
  CHECK(store->ForceUnlock((*broken)->id()).ok());
  const SetCurrentOptions fenced{.expected_current = std::nullopt, .lock_id = (*broken)->id()};
  Status moved = store->SetCurrent(*second, fenced);
  CHECK(moved.code() == Code::kLocked);
  CHECK(moved.message().find("was broken while held") != std::string::npos);
  CHECK(store->CurrentRev().value() == *first);
  CHECK(store->Remove(*second, (*broken)->id()).code() == Code::kLocked);
  CHECK(store->List().value().size() == 2);
  auto next = store->AcquireLock({});
  REQUIRE(next.ok());
  CHECK((*broken)->Unlock().code() == Code::kLocked);  // someone else holds it now
  CHECK(store->SetCurrent(*second, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*next)->id()}).ok());
  CHECK((*next)->Unlock().ok());
  auto again = store->AcquireLock({});
  REQUIRE(again.ok());
  CHECK(store->ForceUnlock("").ok());
  CHECK((*again)->Unlock().ok());      // broken, and nobody took it since
  CHECK(store->ForceUnlock("").ok());  // no lock: OK
}

TEST_CASE("SetCurrent with expected_current is a compare-and-swap") {
  auto store = Open(Options("cas"));
  Result<std::string> first = store->Write(Fixture(), {});
  Result<std::string> second = store->Write(Fixture(), {});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(store->SetCurrent(*first, SetCurrentOptions{.expected_current = "", .lock_id = ""}).ok());
  Status conflict = store->SetCurrent(*second, SetCurrentOptions{.expected_current = "", .lock_id = ""});
  CHECK(conflict.code() == Code::kConflict);
  CHECK(store->CurrentRev().value() == *first);
  CHECK(store->SetCurrent(*second, SetCurrentOptions{.expected_current = *first, .lock_id = ""}).ok());
  CHECK(store->Remove(*second, "").code() == Code::kInvalidArgument);
}

TEST_CASE("the memory journal numbers its events 1, 2, 3 and records what the local store records") {
  auto store = Open(Options("journal"));
  Result<std::string> rev = store->Commit(Fixture(), {}, {});
  REQUIRE(rev.ok());
  Result<std::string> extra = store->Write(Fixture(), {});
  REQUIRE(extra.ok());
  REQUIRE(store->Remove(*extra, "").ok());
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  REQUIRE(store->ForceUnlock("").ok());
  REQUIRE(store->AppendJournal("apply", *rev, "done", "").ok());
  CHECK(store->AppendJournal("apply", "", std::string(1 << 20, 'd'), "").code() == Code::kInvalidArgument);
  Result<std::vector<JournalEvent>> events = store->Journal(0);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 6);
  const std::vector<std::string> kinds = {"write", "set-current", "write", "remove", "force-unlock", "apply"};
  for (std::size_t i = 0; i < events->size(); ++i) {
    CHECK((*events)[i].seq == i + 1);
    CHECK((*events)[i].event == kinds[i]);
    CHECK((*events)[i].pid == ::getpid());
    CHECK((*events)[i].actor.find('@') != std::string::npos);
  }
  CHECK((*events)[0].envelope_version == kEnvelopeV3);
  CHECK((*events)[0].lock_id == (*events)[1].lock_id);
  CHECK_FALSE((*events)[1].lock_id.empty());
  CHECK((*events)[4].lock_id == (*held)->id());
  CHECK((*events)[4].detail.starts_with("removed the lock of "));
  CHECK(store->Journal(4).value().size() == 2);
}

TEST_CASE("a memory Write refuses a key that cannot open the current revision unless new_key") {
  auto with_a = Open(Options("key-check", Key(sealstate::testing::kKeyA)));
  REQUIRE(with_a->Commit(Fixture(), {}, {}).ok());
  auto with_b = Open(Options("key-check", Key(sealstate::testing::kKeyB)));
  Result<std::string> refused = with_b->Write(Fixture(), {});
  REQUIRE(refused.status().code() == Code::kWrongKey);
  CHECK(refused.status().message().starts_with(
      "memory store: refusing to seal with a key that cannot open the current revision "));
  CHECK(with_b->List().value().size() == 1);
  CHECK(with_b->Commit(Fixture(), {}, {}).status().code() == Code::kWrongKey);
  CHECK(with_b->Commit(Fixture(), {}, WriteOptions{.new_key = true, .lock_id = "", .operation = ""}).ok());
}

TEST_CASE("the memory store honours the envelope policy") {
  MemoryStoreOptions unobin = Options("policy", Key(sealstate::testing::kKeyA));
  unobin.envelope.unobin_compatible = true;
  Result<std::string> rev = Open(unobin)->Commit(Fixture(), {}, {});
  REQUIRE(rev.ok());
  auto v2_reader = Open(Options("policy", Key(sealstate::testing::kKeyA)));
  CHECK(v2_reader->ReadHeader(*rev).value().envelope_version == kEnvelopeV1);
  CHECK(v2_reader->Get(*rev).status().code() == Code::kIntegrity);  // v1 refused
  MemoryStoreOptions migrated = Options("policy", Key(sealstate::testing::kKeyA));
  migrated.envelope.accept_v1 = true;
  CHECK(Open(migrated)->Get(*rev).ok());

  Result<std::string> plain = Open(Options("policy-plain"))->Commit(Fixture(), {}, {});
  REQUIRE(plain.ok());
  MemoryStoreOptions keyed = Options("policy-plain", Key(sealstate::testing::kKeyA));
  CHECK(Open(keyed)->Get(*plain).status().code() == Code::kIntegrity);  // plaintext refused
  keyed.envelope.allow_plaintext = true;
  CHECK(Open(keyed)->Get(*plain).ok());
  keyed.encrypter = nullptr;
  CHECK(Open(keyed)->Get(*plain).status().code() == Code::kInvalidArgument);
}

TEST_CASE("threads committing through their own backends all land, with a gapless journal") {
  constexpr int kThreads = 4;
  constexpr int kCommitsEach = 5;
  std::vector<std::vector<std::string>> revs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&revs, t] {
      auto store = Open(Options("threads"));
      LockOptions wait;
      wait.timeout = std::chrono::seconds(30);
      for (int i = 0; i < kCommitsEach; ++i) {
        Result<std::string> rev = store->Commit(Fixture(), wait, {});
        if (rev.ok()) revs[t].push_back(*rev);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto store = Open(Options("threads"));
  std::vector<std::string> all;
  for (const auto& some : revs) all.insert(all.end(), some.begin(), some.end());
  REQUIRE(all.size() == kThreads * kCommitsEach);
  CHECK(store->List().value() == SortRevisions(all));
  for (const std::string& rev : all) CHECK(store->Get(rev).ok());
  Result<std::vector<JournalEvent>> events = store->Journal(0);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2 * all.size());  // a write and a set-current each
  for (std::size_t i = 0; i < events->size(); ++i) CHECK((*events)[i].seq == i + 1);
  CHECK(store->CurrentRev().value() == events->back().rev);
}
