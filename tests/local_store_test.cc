// LocalStore: unobin's local-store behaviours (pkg/state/local/local_test.go, with the noop and
// the env-key encrypter) and sealstate's own guarantees.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <sealstate/backend_registry.h>
#include <sealstate/envelope.h>
#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>
#include <sealstate/revision.h>

#include "store/local_store_internal.h"
#include "support/fault_injection_env.h"
#include "support/fsync_overlap_env.h"
#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::ScratchDir;

namespace {

const char* kFactory = "cluster-deploy";
const char* kStack = "prod-east-alpha";

std::shared_ptr<const Encrypter> KeyEncrypter(const std::string& var, const char* key) {
  return std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey(var, key));
}

// The encrypters unobin's suite runs with.
std::shared_ptr<const Encrypter> EncrypterNamed(const std::string& name) {
  if (name == "noop") return std::shared_ptr<const Encrypter>(NewNoopEncrypter());
  return KeyEncrypter("UB_TEST_KEY", sealstate::testing::kKeyA);
}

LocalStoreOptions Options(const ScratchDir& root, std::shared_ptr<const Encrypter> enc, std::string stack = kStack) {
  LocalStoreOptions o;
  o.root = root.dir().path;
  o.factory = kFactory;
  o.stack = std::move(stack);
  o.encrypter = std::move(enc);
  return o;
}

std::unique_ptr<Backend> Open(const LocalStoreOptions& options) {
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(options);
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(*store);
}

Snapshot Fixture(std::string stack = kStack) {
  Snapshot s = sealstate::testing::FixtureSnapshot();
  s.stack = std::move(stack);
  return s;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string StackPath(const ScratchDir& root, const std::string& stack = kStack) {
  return root.dir().path + "/" + kFactory + "/" + stack;
}

}  // namespace

// ---- unobin's local_test.go, with noop and env-key ----

TEST_CASE("store path layout is <root>/<factory>/<stack>/snapshots/<rev>.json.enc") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  CHECK(store->factory() == kFactory);
  CHECK(store->stack() == kStack);
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(rev.ok());
  CHECK(Exists(StackPath(root) + "/snapshots/" + *rev + ".json.enc"));
}

TEST_CASE("store requires factory and stack") {
  ScratchDir root;
  LocalStoreOptions o = Options(root, EncrypterNamed("noop"));
  o.factory = "";
  Result<std::unique_ptr<Backend>> no_factory = OpenLocalStore(o);
  REQUIRE(no_factory.status().code() == Code::kInvalidArgument);
  CHECK(no_factory.status().message().find("factory") != std::string::npos);
  o.factory = kFactory;
  o.stack = "";
  Result<std::unique_ptr<Backend>> no_stack = OpenLocalStore(o);
  REQUIRE(no_stack.status().code() == Code::kInvalidArgument);
  CHECK(no_stack.status().message().find("stack") != std::string::npos);
}

TEST_CASE("store without encrypter cannot read or write snapshots, and says encrypter") {
  ScratchDir root;
  auto store = Open(Options(root, nullptr));
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(rev.status().code() == Code::kInvalidArgument);
  CHECK(rev.status().message().find("encrypter") != std::string::npos);
  CHECK(store->List().ok());  // list and lock need no key
}

TEST_CASE("sibling stacks are isolated") {
  ScratchDir root;
  auto enc = EncrypterNamed(GENERATE("noop", "env-key"));
  auto prod = Open(Options(root, enc));
  auto staging = Open(Options(root, enc, "staging"));
  Result<std::string> rev = prod->Write(Fixture(), {});
  REQUIRE(rev.ok());
  REQUIRE(prod->SetCurrent(*rev, {}).ok());
  CHECK(staging->Current().status().code() == Code::kNoCurrent);
}

TEST_CASE("a fresh store has no current snapshot") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Result<Snapshot> current = store->Current();
  REQUIRE(current.status().code() == Code::kNoCurrent);
  CHECK(current.status().message() == "no current snapshot");
  CHECK(store->CurrentRev().status().code() == Code::kNoCurrent);
}

TEST_CASE("write then get returns the same snapshot") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(rev.ok());
  CHECK_FALSE(rev->empty());
  Result<Snapshot> got = store->Get(*rev);
  REQUIRE(got.ok());
  CHECK(*got == Fixture());
}

TEST_CASE("set current: current rev and current snapshot follow") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(rev.ok());
  REQUIRE(store->SetCurrent(*rev, {}).ok());
  CHECK(*store->CurrentRev() == *rev);
  CHECK(*store->Current() == Fixture());
}

TEST_CASE("set current rejects a revision that was never written") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Status s = store->SetCurrent("2026-01-01T00:00:00Z", {});
  CHECK(s.code() == Code::kNotFound);
  CHECK_FALSE(Exists(StackPath(root) + "/current"));
}

TEST_CASE("delete removes a revision, and deleting it again is fine") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(rev.ok());
  REQUIRE(store->Remove(*rev, "").ok());
  CHECK(store->Get(*rev).status().code() == Code::kNotFound);
  CHECK(store->Remove(*rev, "").ok());
}

TEST_CASE("the same content written twice gets distinct revisions") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  Result<std::string> a = store->Write(Fixture(), {});
  Result<std::string> b = store->Write(Fixture(), {});
  REQUIRE((a.ok() && b.ok()));
  CHECK(*a != *b);
}

TEST_CASE("with a frozen clock, five writes get T, T_1 .. T_4 and list returns them in order") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  Timestamp t;
  t.unix_seconds = 1777550400;
  env.FreezeClock(t);
  auto store = std::move(*internal::OpenLocalStoreWith(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))), env,
                                                       *internal::ProcessProbe::Default()));
  std::vector<std::string> revs;
  for (int i = 0; i < 5; ++i) revs.push_back(*store->Write(Fixture(), {}));
  const std::string T = "2026-04-30T12:00:00Z";
  CHECK(revs == std::vector<std::string>{T, T + "_1", T + "_2", T + "_3", T + "_4"});
  CHECK(*store->List() == revs);
}

TEST_CASE("list is empty at first, then chronological") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  CHECK(store->List()->empty());
  const std::string a = *store->Write(Fixture(), {});
  const std::string b = *store->Write(Fixture(), {});
  CHECK(*store->List() == std::vector<std::string>{a, b});
}

TEST_CASE("current survives new writes that do not set it") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed(GENERATE("noop", "env-key"))));
  const std::string first = *store->Write(Fixture(), {});
  REQUIRE(store->SetCurrent(first, {}).ok());
  (void)*store->Write(Fixture(), {});
  CHECK(*store->CurrentRev() == first);
}

TEST_CASE("env-key store files hold no state in the clear, and round-trip") {
  ScratchDir root;
  LocalStoreOptions o = Options(root, KeyEncrypter("UB_TEST_KEY", sealstate::testing::kKeyA));
  o.envelope.unobin_compatible = GENERATE(true, false);
  auto store = Open(o);
  const std::string rev = *store->Write(Fixture(), {});
  std::ifstream in(StackPath(root) + "/snapshots/" + rev + ".json.enc");
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(file.find("vpc-abc") == std::string::npos);
  if (o.envelope.unobin_compatible) {
    CHECK(file.find("cluster-deploy") == std::string::npos);
    CHECK(file.find("\"payload-type\": \"state\"") != std::string::npos);
    CHECK(file.find("\"name\": \"env-key\"") != std::string::npos);
    CHECK(file.find("\"env-var\": \"UB_TEST_KEY\"") != std::string::npos);
  }
  CHECK(*store->Get(rev) == Fixture());
}

TEST_CASE("a second lock with a 100 ms timeout fails as locked") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  LockOptions wait;
  wait.timeout = std::chrono::milliseconds(100);
  Result<std::unique_ptr<Lock>> second = Open(Options(root, EncrypterNamed("noop")))->AcquireLock(wait);
  REQUIRE(second.status().code() == Code::kLocked);
  CHECK(second.status().message().find("lock id " + (*held)->id()) != std::string::npos);
}

TEST_CASE("lock, unlock, lock, unlock all succeed") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  for (int i = 0; i < 2; ++i) {
    auto lock = store->AcquireLock({});
    REQUIRE(lock.ok());
    REQUIRE((*lock)->Unlock().ok());
  }
}

TEST_CASE("a waiter gets the lock after the holder releases it") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (void)(*held)->Unlock();
  });
  LockOptions wait;
  wait.timeout = std::chrono::seconds(5);
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Lock>> waiter = Open(Options(root, EncrypterNamed("noop")))->AcquireLock(wait);
  releaser.join();
  REQUIRE(waiter.ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));  // hang guard only
}

TEST_CASE("force unlock clears a held lock, and lock then succeeds") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  auto held = store->AcquireLock({});
  REQUIRE(held.ok());
  REQUIRE(store->ForceUnlock("").ok());
  CHECK(Open(Options(root, EncrypterNamed("noop")))->AcquireLock({}).ok());
}

TEST_CASE("force unlock with no lock is fine") {
  ScratchDir root;
  CHECK(Open(Options(root, EncrypterNamed("noop")))->ForceUnlock("").ok());
}

TEST_CASE("the wrong key cannot decrypt, and the error says how it was sealed") {
  ScratchDir root;
  LocalStoreOptions a = Options(root, KeyEncrypter("UB_TEST_KEY_A", sealstate::testing::kKeyA));
  a.envelope.unobin_compatible = true;
  const std::string rev = *Open(a)->Write(Fixture(), {});
  LocalStoreOptions b = Options(root, KeyEncrypter("UB_TEST_KEY_B", sealstate::testing::kKeyB));
  b.envelope.accept_v1 = true;  // a v2 store reads v1 files only when told the stack holds them
  Result<Snapshot> got = Open(b)->Get(rev);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().message() == "local store: open " + rev +
                                      ": open: decrypt: cipher: message authentication failed (sealed with env-key "
                                      "env-var UB_TEST_KEY_A)");
}

// ---- sealstate's own guarantees ----

TEST_CASE("v2 stores tell a wrong key apart from tampering") {
  ScratchDir root;
  auto a = KeyEncrypter("SEALSTATE_STORE_KEY_A", sealstate::testing::kKeyA);
  const std::string rev = *Open(Options(root, a))->Write(Fixture(), {});
  auto b = KeyEncrypter("SEALSTATE_STORE_KEY_B", sealstate::testing::kKeyB);
  CHECK(Open(Options(root, b))->Get(rev).status().code() == Code::kWrongKey);
}

TEST_CASE("two processes writing in the same nanosecond get distinct revisions") {
  ScratchDir root;
  constexpr int kWriters = 4, kEach = 10;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      sealstate::testing::FaultInjectionEnv env;
      Timestamp t;
      t.unix_seconds = 1777550400;
      env.FreezeClock(t);
      auto store = internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env,
                                                *internal::ProcessProbe::Default());
      int ok = 0;
      for (int i = 0; store.ok() && i < kEach; ++i) ok += (*store)->Write(Fixture(), {}).ok() ? 1 : 0;
      _exit(ok == kEach ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  auto store = Open(Options(root, EncrypterNamed("env-key")));
  const std::vector<std::string> revs = *store->List();
  CHECK(revs.size() == kWriters * kEach);
  CHECK(std::set<std::string>(revs.begin(), revs.end()).size() == revs.size());
  for (const std::string& rev : revs) CHECK(store->Get(rev).ok());  // nothing overwritten or torn
}

TEST_CASE("directories are 0700 and files 0600 whatever the umask") {
  const mode_t old = ::umask(GENERATE(mode_t{0}, mode_t{0277}));
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Commit(Fixture(), {}, {});
  ::umask(old);
  CHECK(ModeOf(root.dir().path + "/" + kFactory) == 0700);
  CHECK(ModeOf(StackPath(root)) == 0700);
  CHECK(ModeOf(StackPath(root) + "/snapshots") == 0700);
  CHECK(ModeOf(StackPath(root) + "/snapshots/" + rev + ".json.enc") == 0600);
  CHECK(ModeOf(StackPath(root) + "/current") == 0600);
  CHECK(ModeOf(StackPath(root) + "/journal") == 0600);
}

TEST_CASE("a symlink planted at any name the store uses is refused") {
  ScratchDir root, outside;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Commit(Fixture(), {}, {});
  const std::string stack = StackPath(root);
  const std::string target = outside.Path("target");
  { std::ofstream(target) << rev << "\n"; }
  ::chmod(target.c_str(), 0600);
  const auto plant = [&](const std::string& path) {
    std::remove(path.c_str());
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
  };
  SECTION("current") {
    plant(stack + "/current");
    CHECK_FALSE(store->CurrentRev().ok());
  }
  SECTION("a snapshot file") {
    plant(stack + "/snapshots/" + rev + ".json.enc");
    CHECK_FALSE(store->Get(rev).ok());
  }
  SECTION("journal") {
    plant(stack + "/journal");
    CHECK_FALSE(store->Write(Fixture(), {}).ok());
  }
  SECTION("lock") {
    plant(stack + "/lock");
    CHECK_FALSE(store->AcquireLock({}).ok());
  }
  SECTION("the stack directory") {
    REQUIRE(::symlink(outside.dir().path.c_str(), (root.dir().path + "/" + kFactory + "/evil").c_str()) == 0);
    CHECK_FALSE(OpenLocalStore(Options(root, EncrypterNamed("noop"), "evil")).ok());
  }
  std::ifstream in(target);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == rev + "\n");  // nothing was written through the link
}

TEST_CASE("a world-writable store directory is refused, naming it and the chmod, before anything is made in it") {
  ScratchDir root;
  { auto store = Open(Options(root, EncrypterNamed("noop"))); }
  const std::string factory = root.dir().path + "/" + kFactory;
  const std::string dirs[] = {root.dir().path, factory, StackPath(root), StackPath(root) + "/snapshots"};
  const std::string dir = dirs[GENERATE(0, 1, 2, 3)];
  const mode_t mode = GENERATE(mode_t{0777}, mode_t{01777}, mode_t{0703});
  CAPTURE(dir, mode);
  REQUIRE(::chmod(dir.c_str(), mode) == 0);
  for (const bool create : {false, true}) {
    LocalStoreOptions options = Options(root, EncrypterNamed("noop"));
    options.create = create;
    Result<std::unique_ptr<Backend>> opened = OpenLocalStore(options);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == Code::kIntegrity);
    CHECK_THAT(opened.status().message(),
               Catch::StartsWith(dir + " is writable by every user") && Catch::EndsWith("run: chmod o-w " + dir));
  }
  // With create, nothing is made below the refused directory (a new stack of that factory).
  if (dir == root.dir().path || dir == factory) {
    CHECK_FALSE(OpenLocalStore(Options(root, EncrypterNamed("noop"), "new-stack")).ok());
    CHECK_FALSE(Exists(StackPath(root, "new-stack")));
  }
  REQUIRE(::chmod(dir.c_str(), 0755) == 0);  // unobin's mode: fine
  CHECK(OpenLocalStore(Options(root, EncrypterNamed("noop"))).ok());
}

TEST_CASE("CheckPermissions finds group/other access and foreign owners, and nothing in a fresh store") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Commit(Fixture(), {}, {});
  const std::string stack = StackPath(root);
  const std::string snapshot = stack + "/snapshots/" + rev + ".json.enc";
  CHECK(store->CheckPermissions(PermissionScope::kEverything)->empty());
  REQUIRE(::chmod(stack.c_str(), 0750) == 0);  // group may read: fine
  REQUIRE(::chmod((root.dir().path + "/" + kFactory).c_str(), 0755) == 0);
  CHECK(store->CheckPermissions(PermissionScope::kEverything)->empty());

  REQUIRE(::chmod((stack + "/journal").c_str(), 0666) == 0);
  REQUIRE(::chmod((stack + "/current").c_str(), 0640) == 0);
  REQUIRE(::chmod(stack.c_str(), 0770) == 0);
  REQUIRE(::chmod(snapshot.c_str(), 0604) == 0);
  const std::vector<std::string> stack_scope = *store->CheckPermissions(PermissionScope::kStack);
  const std::vector<std::string> everything = *store->CheckPermissions(PermissionScope::kEverything);
  CHECK(stack_scope.size() == 3);
  REQUIRE(everything.size() == 4);
  const auto finds = [&](const std::string& text) {
    return std::any_of(everything.begin(), everything.end(),
                       [&](const std::string& f) { return f.find(text) != std::string::npos; });
  };
  CHECK(finds(stack + "/journal is accessible by group or others (mode 0666); run: chmod 600 " + stack + "/journal"));
  CHECK(finds(stack + "/current is accessible by group or others (mode 0640)"));
  CHECK(finds(stack + " is writable by group or others (mode 0770)"));
  CHECK(finds("run: chmod go-w " + stack));
  CHECK(finds(snapshot + " is accessible by group or others (mode 0604)"));

  if (::geteuid() == 0) {  // only root can give a file away
    REQUIRE(::chmod(snapshot.c_str(), 0600) == 0);
    REQUIRE(::chown(snapshot.c_str(), 12345, 12345) == 0);
    const std::vector<std::string> owned = *store->CheckPermissions(PermissionScope::kEverything);
    CHECK(std::count_if(owned.begin(), owned.end(), [&](const std::string& f) {
            return f.find(snapshot + " is owned by uid 12345, not by uid 0 (this user) or root") == 0;
          }) == 1);
  }
}

TEST_CASE("names that could escape the stack directory are refused") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  CHECK(store->Get("../../etc/passwd").status().code() == Code::kInvalidArgument);
  CHECK(store->Remove("../current", "").code() == Code::kInvalidArgument);
  CHECK(store->SetCurrent("..", {}).code() == Code::kInvalidArgument);
  CHECK(OpenLocalStore(Options(root, EncrypterNamed("noop"), "../x")).status().code() == Code::kInvalidArgument);
}

TEST_CASE("remove refuses the current revision") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Commit(Fixture(), {}, {});
  Status s = store->Remove(rev, "");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(store->Get(rev).ok());
}

TEST_CASE("write and commit refuse an invalid snapshot and leave the store as it was") {
  ScratchDir root;
  LocalStoreOptions o = Options(root, EncrypterNamed(GENERATE("noop", "env-key")));
  o.envelope.unobin_compatible = GENERATE(true, false);
  auto store = Open(o);
  const std::string rev = *store->Commit(Fixture(), {}, {});
  Snapshot invalid = Fixture();
  invalid.entries.push_back(invalid.entries.at(0));  // the same address twice
  Result<std::string> written = store->Write(invalid, {});
  CHECK(written.status().code() == Code::kInvalidArgument);
  CHECK(written.status().message().find("duplicate address") != std::string::npos);
  Result<std::string> committed = store->Commit(invalid, {}, {});
  CHECK(committed.status().code() == Code::kInvalidArgument);
  CHECK(*store->CurrentRev() == rev);
  REQUIRE(store->List()->size() == 1);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(StackPath(root) + "/snapshots"))
    ++files;
  CHECK(files == 1);
}

TEST_CASE("set current refuses a snapshot of another stack copied in") {
  ScratchDir root;
  auto enc = EncrypterNamed(GENERATE("noop", "env-key"));
  auto staging = Open(Options(root, enc, "staging"));
  const std::string rev = *staging->Write(Fixture("staging"), {});
  auto prod = Open(Options(root, enc));
  const std::string from = StackPath(root, "staging") + "/snapshots/" + rev + ".json.enc";
  const std::string to = StackPath(root) + "/snapshots/" + rev + ".json.enc";
  REQUIRE(::link(from.c_str(), to.c_str()) == 0);
  Status s = prod->SetCurrent(rev, {});
  CHECK(s.code() == Code::kIntegrity);
  CHECK(prod->CurrentRev().status().code() == Code::kNoCurrent);
}

TEST_CASE("compare-and-swap set current fails when current moved") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string a = *store->Commit(Fixture(), {}, {});
  const std::string b = *store->Write(Fixture(), {});
  CHECK(store->SetCurrent(b, SetCurrentOptions{.expected_current = std::string("some-other-rev"), .lock_id = ""})
            .code() == Code::kConflict);
  CHECK(*store->CurrentRev() == a);
  CHECK(store->SetCurrent(b, SetCurrentOptions{.expected_current = a, .lock_id = ""}).ok());
  CHECK(*store->CurrentRev() == b);
  auto fresh = Open(Options(root, EncrypterNamed("noop"), "fresh"));
  const std::string c = *fresh->Write(Fixture("fresh"), {});
  CHECK(fresh->SetCurrent(c, SetCurrentOptions{.expected_current = std::string(""), .lock_id = ""})
            .ok());  // "" = expect no current
}

TEST_CASE("a holder whose lock was force-unlocked cannot move current") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string first = *store->Commit(Fixture(), {}, {});
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  const std::string next = *store->Write(Fixture(), {});
  REQUIRE(Open(Options(root, EncrypterNamed("noop")))->ForceUnlock("").ok());
  Status s = store->SetCurrent(next, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*lock)->id()});
  CHECK(s.code() == Code::kLocked);
  CHECK(*store->CurrentRev() == first);
  Status removed = store->Remove(next, (*lock)->id());
  CHECK(removed.code() == Code::kLocked);
  CHECK(store->Get(next).ok());
  // Fencing is by the id passed, not by what this Backend object holds: without one, nothing fences.
  CHECK(store->SetCurrent(next, {}).ok());
}

TEST_CASE("unlock never removes a lock someone else took after a force-unlock") {
  ScratchDir root;
  auto a = Open(Options(root, EncrypterNamed("noop")));
  auto b = Open(Options(root, EncrypterNamed("noop")));
  auto lock_a = a->AcquireLock({});
  REQUIRE(lock_a.ok());
  REQUIRE(b->ForceUnlock((*lock_a)->id()).ok());
  auto lock_b = b->AcquireLock({});
  REQUIRE(lock_b.ok());
  CHECK((*lock_a)->Unlock().code() == Code::kLocked);
  Result<LockInfo> info = b->GetLockInfo();
  REQUIRE(info.ok());
  REQUIRE(info->holder.has_value());
  CHECK(info->holder->lock_id == (*lock_b)->id());
}

TEST_CASE("force unlock with a wrong id is refused") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  CHECK(store->ForceUnlock("00000000000000000000000000000000").code() == Code::kLocked);
  CHECK(store->GetLockInfo()->state == LockState::kHeld);
}

TEST_CASE("list ignores temp debris and never stats per entry; the lock holder cleans debris") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("noop")), env, *internal::ProcessProbe::Default()));
  const std::string rev = *store->Write(Fixture(), {});
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string debris = StackPath(root) + "/snapshots/." + rev + ".json.enc.tmp." + std::to_string(dead) + ".0011";
  { std::ofstream(debris) << "partial"; }
  const std::uint64_t stats_before =
      env.count(sealstate::testing::Op::kStatAt) + env.count(sealstate::testing::Op::kStat);
  CHECK(*store->List() == std::vector<std::string>{rev});
  CHECK(env.count(sealstate::testing::Op::kStatAt) + env.count(sealstate::testing::Op::kStat) == stats_before);
  CHECK(Exists(debris));  // only a lock holder cleans
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  CHECK_FALSE(Exists(debris));
}

TEST_CASE("a temp file that cannot be removed never blocks the lock; the next lock holder retries") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  const LocalStoreOptions options = Options(root, EncrypterNamed("noop"));
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string name = ".2001-01-01T00:00:00Z.json.enc.tmp." + std::to_string(dead) + ".0011";
  const std::string debris = StackPath(root) + "/snapshots/" + name;
  const auto unlink_of_debris = [&]() -> std::optional<std::uint64_t> {
    for (const sealstate::testing::TraceEntry& call : env.trace()) {
      if (call.op == sealstate::testing::Op::kUnlinkAt && call.path.ends_with(name)) return call.index;
    }
    return std::nullopt;
  };
  // A first store object finds where in its acquisition the debris is unlinked.
  auto probe_store = std::move(*internal::OpenLocalStoreWith(options, env, *internal::ProcessProbe::Default()));
  { std::ofstream(debris) << "partial"; }
  env.ResetCounters();
  REQUIRE(probe_store->AcquireLock({}).ok());
  const std::optional<std::uint64_t> offset = unlink_of_debris();
  REQUIRE(offset);
  CHECK_FALSE(Exists(debris));
  // A fresh store object (it cleans once) whose unlink of the debris fails with EIO.
  auto store = std::move(*internal::OpenLocalStoreWith(options, env, *internal::ProcessProbe::Default()));
  { std::ofstream(debris) << "partial"; }
  env.ResetCounters();
  env.FailCall(*offset, EIO, false);
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  CHECK(Exists(debris));
  REQUIRE((*lock)->Unlock().ok());
  env.ClearFaults();
  REQUIRE(store->AcquireLock({}).ok());  // the same store object tries again
  CHECK_FALSE(Exists(debris));
}

namespace {

// An OFD write lock on `path`, held through its own open file description until the fd is closed.
int HoldOfdLock(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_OFD_SETLK, &lock) == 0);
  return fd;
}

}  // namespace

TEST_CASE("debris cleanup keeps a temp file whose lock is held, whatever pid its name carries") {
  // A writer in another pid namespace: the pid in its temp names means nothing here (dead), but
  // it holds the OFD lock on its temp file while writing it.
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Write(Fixture(), {});
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string tag = ".tmp." + std::to_string(dead) + ".00ff00ff00ff00ff";
  const std::string pending_marker = StackPath(root) + "/.lock" + tag;
  const std::string pending_snapshot = StackPath(root) + "/snapshots/." + rev + "x.json.enc" + tag;
  const std::string abandoned = StackPath(root) + "/snapshots/." + rev + "y.json.enc" + tag;
  for (const std::string& path : {pending_marker, pending_snapshot, abandoned}) std::ofstream(path) << "partial";
  const int marker_fd = HoldOfdLock(pending_marker);
  const int snapshot_fd = HoldOfdLock(pending_snapshot);
  {
    auto lock = store->AcquireLock({});
    REQUIRE(lock.ok());
  }
  CHECK(Exists(pending_marker));
  CHECK(Exists(pending_snapshot));
  CHECK_FALSE(Exists(abandoned));  // no lock held and its pid is gone
  ::close(marker_fd);
  ::close(snapshot_fd);
}

TEST_CASE("debris cleanup keeps an unlocked temp file of a live process (older writers take no lock)") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string rev = *store->Write(Fixture(), {});
  const std::string old_writer =
      StackPath(root) + "/snapshots/." + rev + "x.json.enc.tmp." + std::to_string(::getppid()) + ".0011";
  std::ofstream(old_writer) << "partial";
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  CHECK(Exists(old_writer));
}

TEST_CASE("the journal records writes, current moves, removals and force-unlocks in order") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string a = *store->Commit(Fixture(), {}, {});
  const std::string b = *store->Write(Fixture(), {});
  REQUIRE(store->Remove(b, "").ok());
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  REQUIRE(Open(Options(root, EncrypterNamed("noop")))->ForceUnlock("").ok());
  Result<std::vector<JournalEvent>> events = store->Journal(0);
  REQUIRE(events.ok());
  std::vector<std::string> kinds;
  for (const JournalEvent& e : *events) kinds.push_back(e.event + " " + e.rev);
  CHECK(kinds ==
        std::vector<std::string>{"write " + a, "set-current " + a, "write " + b, "remove " + b, "force-unlock "});
  CHECK((*events)[4].lock_id == (*lock)->id());
  CHECK((*events)[1].lock_id.size() == 32);  // the commit's lock
  for (std::size_t i = 0; i < events->size(); ++i) CHECK((*events)[i].seq == i + 1);
  CHECK(store->Journal(3)->size() == 2);
}

TEST_CASE("a SIGKILLed holder's lock is broken by the next lock, and the break is journaled") {
  ScratchDir root;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t holder = fork();
  if (holder == 0) {
    auto store = OpenLocalStore(Options(root, EncrypterNamed("noop")));
    auto lock = store.ok() ? (*store)->AcquireLock({}) : Result<std::unique_ptr<Lock>>(store.status());
    (void)!write(ready[1], lock.ok() ? "y" : "n", 1);
    pause();
    _exit(0);
  }
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  auto store = Open(Options(root, EncrypterNamed("noop")));
  CHECK(store->GetLockInfo()->state == LockState::kStale);
  auto lock = store->AcquireLock({});
  REQUIRE(lock.ok());
  const std::vector<JournalEvent> events = *store->Journal(0);
  REQUIRE_FALSE(events.empty());
  CHECK(events.back().event == "lock-break");
}

TEST_CASE("a store opened without create reports a missing stack as not found") {
  ScratchDir root;
  LocalStoreOptions o = Options(root, EncrypterNamed("noop"));
  o.create = false;
  CHECK(OpenLocalStore(o).status().code() == Code::kNotFound);
  CHECK_FALSE(Exists(root.dir().path + "/" + kFactory));
}

TEST_CASE("a unobin v1 snapshot written by another implementation is read through the store") {
  ScratchDir root;
  LocalStoreOptions o = Options(root, KeyEncrypter("UB_STATE_KEY", sealstate::testing::kVectorKeyBase64));
  o.envelope.accept_v1 = true;  // the stack holds unobin history
  auto store = Open(o);
  const std::string rev = "2026-04-30T12:00:00Z";
  {
    std::ofstream(StackPath(root) + "/snapshots/" + rev + ".json.enc")
        << sealstate::testing::ReadTestFile("v1-env-key.json.enc");
  }
  { std::ofstream(StackPath(root) + "/current") << rev << "\n"; }
  Result<Snapshot> current = store->Current();
  REQUIRE(current.ok());
  CHECK(current->entries.at(0).address == "resource.main");
}

TEST_CASE("the backend registry creates the local store by name") {
  ScratchDir root;
  BackendRegistry registry = BackendRegistry::WithBuiltins();
  CHECK(registry.Names() == std::vector<std::string>{"local", "memory", "postgres", "postgresql"});
  BackendContext context;
  context.factory = kFactory;
  context.stack = kStack;
  context.encrypter = EncrypterNamed("noop");
  Result<std::unique_ptr<Backend>> store =
      registry.Create("local", JsonObject{{"path", Json(root.dir().path)}}, context);
  REQUIRE(store.ok());
  CHECK((*store)->Write(Fixture(), {}).ok());
  Result<std::unique_ptr<Backend>> s3 = registry.Create("s3", {}, context);
  REQUIRE_FALSE(s3.ok());
  CHECK(s3.status().message() == "state: no backend named \"s3\"; available: local, memory, postgres, postgresql");
  CHECK(registry.Create("local", JsonObject{{"bucket", Json("x")}}, context).status().code() == Code::kInvalidArgument);
}

TEST_CASE("a waiter wakes within 50 ms of the release") {
  ScratchDir root;
  auto holder_store = Open(Options(root, EncrypterNamed("noop")));
  auto held = holder_store->AcquireLock({});
  REQUIRE(held.ok());
  std::atomic<std::int64_t> released_at_ns{0};
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    released_at_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    (void)(*held)->Unlock();
  });
  LockOptions wait;
  wait.timeout = std::chrono::seconds(10);
  Result<std::unique_ptr<Lock>> waiter = Open(Options(root, EncrypterNamed("noop")))->AcquireLock(wait);
  const std::int64_t acquired_at_ns = std::chrono::steady_clock::now().time_since_epoch().count();
  releaser.join();
  REQUIRE(waiter.ok());
  const auto latency = std::chrono::nanoseconds(acquired_at_ns - released_at_ns.load());
  INFO("release to acquire: " << std::chrono::duration_cast<std::chrono::microseconds>(latency).count() << " us");
  CHECK(latency < std::chrono::milliseconds(50));  // generous: the tight figure is the benchmark's
}

TEST_CASE("the default root is $XDG_DATA_HOME/sealstate, else ~/.local/share/sealstate") {
  const std::string saved_xdg = std::getenv("XDG_DATA_HOME") ? std::getenv("XDG_DATA_HOME") : "";
  const std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("XDG_DATA_HOME", "/data", 1);
  ::setenv("HOME", "/home/op", 1);
  CHECK(*DefaultStoreRoot() == "/data/sealstate");
  ::setenv("XDG_DATA_HOME", "relative/ignored", 1);  // the XDG spec says to ignore relative paths
  CHECK(*DefaultStoreRoot() == "/home/op/.local/share/sealstate");
  ::unsetenv("XDG_DATA_HOME");
  ::unsetenv("HOME");
  CHECK(DefaultStoreRoot().status().code() == Code::kInvalidArgument);
  if (!saved_xdg.empty()) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
  if (!saved_home.empty()) ::setenv("HOME", saved_home.c_str(), 1);
}

// The fsyncs of a steady-state commit, in order: the lock marker, the snapshot, the snapshots
// directory, the journal (its "write" and "set-current" lines, before the pointer moves), the
// pointer's temp file, the stack directory, and the journal's line that settles the move.
TEST_CASE("a commit makes seven fsyncs: marker, snapshot, snapshots dir, journal, pointer, stack dir, journal") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  REQUIRE(store->Commit(Fixture(), LockOptions{}, {}).ok());  // creates the journal and the pointer
  const std::size_t first = env.trace().size();
  Result<std::string> rev = store->Commit(Fixture(), LockOptions{}, {});
  REQUIRE(rev.ok());
  const std::string stack = StackPath(root);
  std::vector<std::string> synced;
  const std::vector<sealstate::testing::TraceEntry> trace = env.trace();
  for (std::size_t i = first; i < trace.size(); ++i) {
    if (trace[i].op != sealstate::testing::Op::kFsync) continue;
    std::string path = trace[i].path;
    if (path.rfind(stack, 0) == 0) path = path.substr(stack.size());
    // Temp names carry random parts: keep the directory and the kind of file.
    if (path.rfind("/snapshots/", 0) == 0)
      path = "/snapshots/FILE";
    else if (path.find("lock") != std::string::npos && path != "/journal")
      path = "/LOCK-TEMP";
    else if (path.find("current") != std::string::npos)
      path = "/CURRENT-TEMP";
    synced.push_back(path);
  }
  CHECK(synced == std::vector<std::string>{"/LOCK-TEMP", "/snapshots/FILE", "/snapshots", "/journal", "/CURRENT-TEMP",
                                           "", "/journal"});
  // Both journal lines are there, durable (the file was fsynced after the second one).
  Result<std::vector<JournalEvent>> events = store->Journal(0);
  REQUIRE(events.ok());
  REQUIRE(events->size() >= 2);
  CHECK((*events)[events->size() - 2].event == "write");
  CHECK(events->back().event == "set-current");
  CHECK(events->back().rev == *rev);
}

// The pointer's temp file is written as soon as the revision's name is chosen and its fsync is
// started then (Env::StartFsync; on threads in PosixEnv), so it runs while the snapshot is
// sealed and fsynced: the two fsyncs are in flight at the same time. The order above is the
// deferred default's, which the test Envs keep.
TEST_CASE("a commit fsyncs the pointer's temp file at the same time as the snapshot file") {
  ScratchDir root;
  const auto snapshot_temp = [](const std::string& what) { return what.find("/snapshots/.") != std::string::npos; };
  const auto pointer_temp = [](const std::string& what) { return what.find("/.current.tmp.") != std::string::npos; };
  sealstate::testing::FsyncOverlapEnv env(snapshot_temp, pointer_temp, std::chrono::milliseconds(2000));
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  Result<std::string> rev = store->Commit(Fixture(), LockOptions{}, {});
  REQUIRE(rev.ok());
  CHECK(env.overlapped());
  CHECK(env.second_thread() != std::this_thread::get_id());
  CHECK(*store->CurrentRev() == *rev);
  for (const auto& entry : std::filesystem::directory_iterator(StackPath(root)))
    CHECK(entry.path().filename().string().rfind(".current.tmp.", 0) != 0);  // the temp file was renamed
}

TEST_CASE("set current repairs a damaged pointer and journals the repair; remove refuses meanwhile") {
  for (const std::string& damage : {std::string("\x01garbage\xff\n"), std::string("../../etc/passwd\n")}) {
    ScratchDir root;
    auto store = Open(Options(root, EncrypterNamed("noop")));
    const std::string a = *store->Commit(Fixture(), {}, {});
    const std::string b = *store->Commit(Fixture(), {}, {});
    { std::ofstream(StackPath(root) + "/current", std::ios::trunc) << damage; }
    REQUIRE(store->CurrentRev().status().code() == Code::kIntegrity);
    Status removed = store->Remove(a, "");
    CHECK(removed.code() == Code::kIntegrity);
    CHECK(removed.message().find("current is damaged") != std::string::npos);
    CHECK(removed.message().find("set-current") != std::string::npos);
    CHECK(*store->List() == std::vector<std::string>{a, b});
    CHECK(store->SetCurrent(a, SetCurrentOptions{.expected_current = std::string(), .lock_id = ""}).code() ==
          Code::kIntegrity);  // compare-and-swap cannot compare
    REQUIRE(store->SetCurrent(a, {}).ok());
    CHECK(*store->CurrentRev() == a);
    const JournalEvent repaired = store->Journal(0)->back();
    CHECK(repaired.event == "set-current");
    CHECK(repaired.rev == a);
    CHECK(repaired.detail.rfind("repaired a damaged current pointer (", 0) == 0);
    REQUIRE(store->SetCurrent(b, {}).ok());
    CHECK(store->Journal(0)->back().detail.empty());
    CHECK(store->Remove(a, "").ok());
    { std::ofstream(StackPath(root) + "/current", std::ios::trunc) << damage; }
    const std::string c = *store->Commit(Fixture(), {}, {});  // a commit replaces a damaged pointer too
    CHECK(*store->CurrentRev() == c);
    CHECK(store->Journal(0)->back().detail.rfind("repaired a damaged current pointer (", 0) == 0);
  }
}

TEST_CASE("a v1 file copied over a v2 revision is refused unless v1 is accepted, and verify flags it") {
  ScratchDir root;
  auto key = KeyEncrypter("SEALSTATE_V1_COPY_KEY", sealstate::testing::kKeyA);
  LocalStoreOptions unobin = Options(root, key);
  unobin.envelope.unobin_compatible = true;
  Snapshot old_state = Fixture();
  old_state.entries[0].outputs["id"] = Json("vpc-old");
  const std::string old_rev = *Open(unobin)->Commit(old_state, {}, {});
  auto store = Open(Options(root, key));
  const std::string rev = *store->Commit(Fixture(), {}, {});
  CHECK(store->ReadHeader(rev)->envelope_version == kEnvelopeV3);
  CHECK(store->ReadHeader(old_rev)->envelope_version == kEnvelopeV1);
  CHECK(store->Journal(0)->back().event == "set-current");
  CHECK((*store->Journal(0))[store->Journal(0)->size() - 2].envelope_version == kEnvelopeV3);
  CHECK(store->Journal(0)->front().envelope_version == kEnvelopeV1);
  std::filesystem::copy_file(StackPath(root) + "/snapshots/" + old_rev + ".json.enc",
                             StackPath(root) + "/snapshots/" + rev + ".json.enc",
                             std::filesystem::copy_options::overwrite_existing);

  Result<Snapshot> refused = store->Current();
  REQUIRE(refused.status().code() == Code::kIntegrity);
  CHECK(refused.status().message().find("v1") != std::string::npos);
  CHECK(store->Get(old_rev).status().code() == Code::kIntegrity);  // genuine v1 history too, unless accepted

  LocalStoreOptions migrated = Options(root, key);
  migrated.envelope.accept_v1 = true;
  auto accepting = Open(migrated);
  REQUIRE(accepting->Get(old_rev).ok());
  auto unobin_store = Open(unobin);
  for (Backend* reader : {store.get(), accepting.get(), unobin_store.get()}) {
    VerifyReport report = *VerifyStack(*reader);
    REQUIRE_FALSE(report.problems.empty());
    const VerifyProblem& replaced = report.problems.back();  // revisions are checked oldest first
    CHECK(replaced.rev == rev);
    CHECK(replaced.status.code() == Code::kIntegrity);
    CHECK(replaced.status.message().find("recorded a v3 write") != std::string::npos);
    CHECK(report.problems.size() == (reader == store.get() ? 2u : 1u));  // the strict store also refuses old_rev
  }
}

// unobin never checks a snapshot's stack against the stack it is read from, and its own tests
// copy stack directories. v1 binds the stack only inside its payload, so a v1 snapshot naming
// another stack is returned as it is, saying where it was written; v2 binds it in the
// authenticated header and keeps refusing.
TEST_CASE("a copied or renamed v1 stack reads, its snapshots naming where they were written; v2 refuses") {
  ScratchDir root;
  auto key = KeyEncrypter("SEALSTATE_V1_RENAMED_KEY", sealstate::testing::kKeyA);
  LocalStoreOptions unobin = Options(root, key);
  unobin.envelope.unobin_compatible = true;
  auto original = Open(unobin);
  const std::string first = *original->Commit(Fixture(), {}, {});
  const std::string second = *original->Commit(Fixture(), {}, {});
  const std::string copy_root = root.dir().path + "/other-factory";
  std::filesystem::create_directory(copy_root);
  std::filesystem::copy(StackPath(root), copy_root + "/renamed-stack", std::filesystem::copy_options::recursive);
  LocalStoreOptions copied = unobin;
  copied.factory = "other-factory";
  copied.stack = "renamed-stack";
  auto store = Open(copied);

  Result<Snapshot> current = store->Current();
  INFO(current.status().ToString());
  REQUIRE(current.ok());
  CHECK(*current == Fixture());  // as written: the names of the stack it was written for
  CHECK(current->factory.name == kFactory);
  CHECK(current->stack == kStack);
  CHECK(store->SetCurrent(first, {}).ok());  // a rollback in the copy
  CHECK(*store->CurrentRev() == first);
  CHECK(VerifyStack(*store)->problems.empty());
  // Writing it back unchanged is refused: the snapshot must name the stack it is written to.
  CHECK(store->Commit(*current, {}, {}).status().code() == Code::kInvalidArgument);
  Snapshot renamed = *current;
  renamed.factory.name = "other-factory";
  renamed.stack = "renamed-stack";
  CHECK(store->Commit(renamed, {}, {}).ok());
  LocalStoreOptions migrated = copied;  // writes v2, reads v1 history
  migrated.envelope.unobin_compatible = false;
  migrated.envelope.accept_v1 = true;
  CHECK(Open(migrated)->Get(second)->stack == kStack);
  LocalStoreOptions strict = copied;  // v1 refused outright, as before
  strict.envelope.unobin_compatible = false;
  CHECK(Open(strict)->Get(second).status().code() == Code::kIntegrity);

  // v2: the same copy is refused, whatever the v1 options.
  LocalStoreOptions v2_options = Options(root, key, "v2-stack");
  const std::string v2_rev = *Open(v2_options)->Commit(Fixture("v2-stack"), {}, {});
  std::filesystem::copy(StackPath(root, "v2-stack"), copy_root + "/v2-copy", std::filesystem::copy_options::recursive);
  LocalStoreOptions v2_copied = unobin;
  v2_copied.factory = "other-factory";
  v2_copied.stack = "v2-copy";
  Result<Snapshot> refused = Open(v2_copied)->Get(v2_rev);
  REQUIRE(refused.status().code() == Code::kIntegrity);
  CHECK(refused.status().message().find("copied or renamed") != std::string::npos);
}

// A move of current is journaled before the pointer moves (its "set-current" line, fsynced), so a
// failed journal write fails the commit with current as it was; the line that settles the move
// after the pointer moved is best effort, and its failure does not fail the commit.
TEST_CASE("a commit whose journaling fails fails before current moves; a failed settling line does not fail it") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  REQUIRE(store->Commit(Fixture(), LockOptions{}, {}).ok());  // creates the journal and the pointer
  // Learn where a steady-state commit writes its set-current line (the last journal write before
  // the pointer's rename) and its settling line (the first one after).
  env.ResetCounters();
  REQUIRE(store->Commit(Fixture(), LockOptions{}, {}).ok());
  std::optional<std::uint64_t> intent_write;
  std::optional<std::uint64_t> settling_write;
  bool renamed = false;
  for (const sealstate::testing::TraceEntry& call : env.trace()) {
    if (call.op == sealstate::testing::Op::kRenameAt && call.target.ends_with("/current")) renamed = true;
    if (call.op != sealstate::testing::Op::kWrite || !call.path.ends_with("/journal")) continue;
    if (!renamed) intent_write = call.index;
    if (renamed && !settling_write) settling_write = call.index;
  }
  REQUIRE(intent_write);
  REQUIRE(settling_write);
  const std::string before = *store->CurrentRev();
  const std::vector<std::string> listed = *store->List();
  env.ResetCounters();
  env.FailCall(*intent_write, ENOSPC, false);
  Result<std::string> failed = store->Commit(Fixture(), LockOptions{}, {});
  REQUIRE(env.injected() == 1);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == Code::kIoError);
  CHECK(*store->CurrentRev() == before);                   // not moved, and no rollback reported
  CHECK(*store->List() == listed);                         // the written revision was removed again
  CHECK(store->GetLockInfo()->state == LockState::kFree);  // and the lock was released

  env.ResetCounters();
  env.FailCall(*settling_write, ENOSPC, false);
  Result<std::string> rev = store->Commit(Fixture(), LockOptions{}, {});
  REQUIRE(env.injected() == 1);
  REQUIRE(rev.ok());
  CHECK(*store->CurrentRev() == *rev);  // the unsettled move is accepted
  CHECK(store->Journal(0)->back().event == "set-current");
}

TEST_CASE("a commit or write with a key that cannot open the current revision is refused unless new_key") {
  ScratchDir root;
  auto a = KeyEncrypter("SEALSTATE_ROTATE_KEY_A", sealstate::testing::kKeyA);
  auto b = KeyEncrypter("SEALSTATE_ROTATE_KEY_B", sealstate::testing::kKeyB);
  for (const bool v1 : {false, true}) {
    const std::string stack = v1 ? "unobin-stack" : "v2-stack";
    LocalStoreOptions with_a = Options(root, a, stack);
    with_a.envelope.unobin_compatible = v1;
    LocalStoreOptions with_b = Options(root, b, stack);
    with_b.envelope.unobin_compatible = v1;
    const std::string rev = *Open(with_a)->Commit(Fixture(stack), {}, {});
    auto store_b = Open(with_b);
    Result<std::string> refused = store_b->Commit(Fixture(stack), {}, {});
    REQUIRE(refused.status().code() == Code::kWrongKey);
    if (!v1) {
      CHECK(refused.status().message().find(a->Describe().key_id) != std::string::npos);
      CHECK(refused.status().message().find(b->Describe().key_id) != std::string::npos);
    }
    CHECK(refused.status().message().find("new_key") != std::string::npos);
    CHECK(store_b->Write(Fixture(stack), {}).status().code() == Code::kWrongKey);
    CHECK(*store_b->List() == std::vector<std::string>{rev});
    CHECK(*store_b->CurrentRev() == rev);
    CHECK(store_b->GetLockInfo()->state == LockState::kFree);
    CHECK(Open(with_a)->Commit(Fixture(stack), {}, {}).ok());  // the same key is fine
    Result<std::string> rotated =
        store_b->Commit(Fixture(stack), {}, WriteOptions{.new_key = true, .lock_id = "", .operation = ""});
    REQUIRE(rotated.ok());
    CHECK(store_b->Current().ok());
    CHECK(store_b->Commit(Fixture(stack), {}, {}).ok());  // now the current revision is b's
  }
}

TEST_CASE("a commit over a damaged v1 current is not refused as a key mismatch") {
  ScratchDir root;
  LocalStoreOptions options = Options(root, EncrypterNamed("env-key"), "unobin-stack");
  options.envelope.unobin_compatible = true;
  auto store = Open(options);
  const std::string rev = *store->Commit(Fixture("unobin-stack"), {}, {});
  // Damaged, not sealed with another key: the commit that replaces it must go through.
  { std::ofstream(StackPath(root, "unobin-stack") + "/snapshots/" + rev + ".json.enc", std::ios::trunc) << "{\"envel"; }
  Result<std::string> next = store->Commit(Fixture("unobin-stack"), {}, {});
  REQUIRE(next.ok());
  CHECK(*store->CurrentRev() == *next);
}

TEST_CASE("a write whose journaling fails says the revision was written (kIncomplete)") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  REQUIRE(store->Write(Fixture(), {}).ok());  // creates the journal
  env.ResetCounters();
  REQUIRE(store->Write(Fixture(), {}).ok());
  std::optional<std::uint64_t> journal_write;
  for (const sealstate::testing::TraceEntry& call : env.trace()) {
    if (call.op == sealstate::testing::Op::kWrite && call.path.ends_with("/journal")) journal_write = call.index;
  }
  REQUIRE(journal_write);
  env.ResetCounters();
  env.FailCall(*journal_write, ENOSPC, false);
  Result<std::string> rev = store->Write(Fixture(), {});
  REQUIRE(env.injected() == 1);
  REQUIRE(rev.status().code() == Code::kIncomplete);
  CHECK(rev.status().error_number() == ENOSPC);
  const std::vector<std::string> revs = *store->List();
  REQUIRE(revs.size() == 3);
  CHECK(rev.status().message().rfind("local store: wrote " + revs.back() + " (durable), but journaling it failed: ",
                                     0) == 0);
}

// A removal is journaled before the file goes: a power cut (here: every call failing from the
// journal's write on) between the two must not leave a revision gone without its "remove" line,
// which verify --chain would report as deleted behind sealstate's back.
TEST_CASE("a removal whose journaling fails leaves the revision in place; verify --chain stays clean") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  const std::string a = *store->Commit(Fixture(), {}, {});
  const std::string b = *store->Commit(Fixture(), {}, {});
  const std::string c = *store->Commit(Fixture(), {}, {});
  const std::string d = *store->Commit(Fixture(), {}, {});
  env.ResetCounters();
  REQUIRE(store->Remove(a, "").ok());  // to find the removal's journal write
  std::optional<std::uint64_t> journal_write;
  for (const sealstate::testing::TraceEntry& call : env.trace()) {
    if (call.op == sealstate::testing::Op::kWrite && call.path.ends_with("/journal")) journal_write = call.index;
  }
  REQUIRE(journal_write);
  env.ResetCounters();
  env.FailCall(*journal_write, EIO, true);
  const Status removed = store->Remove(c, "");
  CHECK_FALSE(removed.ok());
  auto reopened = Open(Options(root, EncrypterNamed("env-key")));
  CHECK(*reopened->List() == std::vector<std::string>{b, c, d});
  Result<ChainReport> chain = VerifyChain(*reopened);
  REQUIRE(chain.ok());
  CHECK(chain->problems.empty());
  CHECK(chain->chain == std::vector<std::string>{d, c, b});
  // And once journaled, the removal goes through: the walk ends at the journaled removal.
  REQUIRE(reopened->Remove(c, "").ok());
  CHECK(reopened->Journal(0)->back().event == "remove");
  CHECK(*reopened->List() == std::vector<std::string>{b, d});
  chain = VerifyChain(*reopened);
  REQUIRE(chain.ok());
  CHECK(chain->problems.empty());
  CHECK(chain->end == ChainEnd::kPruned);
}

TEST_CASE("ImportEnvelope through Env: every failed call leaves no revision, or the same bytes; fsyncs file and dir") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("env-key")), env, *internal::ProcessProbe::Default()));
  const std::string rev = *store->Write(Fixture(), {});
  std::string bytes;
  StringSink sink(bytes);
  REQUIRE(store->ReadEnvelope(rev, sink).ok());
  REQUIRE(store->Remove(rev, "").ok());

  // How many Env calls a clean import makes, and that it syncs the file and the directory.
  env.ResetCounters();
  StringSource clean(bytes);
  REQUIRE(store->ImportEnvelope(rev, clean, "").ok());
  const std::uint64_t calls = env.calls();
  CHECK(env.count(sealstate::testing::Op::kFsync) >= 2);
  REQUIRE(store->Remove(rev, "").ok());

  for (std::uint64_t k = 0; k < calls; ++k) {
    env.ResetCounters();
    env.FailCall(k, EIO, false);
    StringSource source(bytes);
    Status imported = store->ImportEnvelope(rev, source, "");
    env.ClearFaults();
    INFO("call " << k << ": " << imported.ToString());
    const std::vector<std::string> revs = *store->List();
    if (imported.ok() || !revs.empty()) {  // published before the failure (e.g. the directory fsync)
      std::string stored;
      StringSink stored_sink(stored);
      REQUIRE(store->ReadEnvelope(rev, stored_sink).ok());
      CHECK(stored == bytes);
      REQUIRE(store->Remove(rev, "").ok());
    } else {
      CHECK(revs.empty());
    }
  }
}

TEST_CASE("ImportJournal appends the whole batch with one write and one fsync") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("noop")), env, *internal::ProcessProbe::Default()));
  REQUIRE(store->AppendJournal("note", "", "first", "").ok());
  std::vector<JournalEvent> events(3);
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].event = "note";
    events[i].detail = "imported " + std::to_string(i);
    events[i].actor = "someone@elsewhere";
  }
  env.ResetCounters();
  REQUIRE(store->ImportJournal(events, "").ok());
  CHECK(env.count(sealstate::testing::Op::kWrite) == 1);
  CHECK(env.count(sealstate::testing::Op::kFsync) == 1);
  const std::vector<JournalEvent> journal = *store->Journal(0);
  REQUIRE(journal.size() == 4);
  CHECK(journal[3].seq == 4);
  CHECK(journal[3].detail == "imported 2");
}

TEST_CASE("a journal consumer's checkpoint is the file consumer.NAME holding the seq, mode 0600") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  REQUIRE(store->Checkpoint("siem", 7).ok());
  const std::string path = StackPath(root) + "/consumer.siem";
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  CHECK(content.str() == "7\n");
  CHECK(ModeOf(path) == 0600);
}

TEST_CASE("a damaged checkpoint file is kIntegrity naming it; a symlinked one is refused") {
  ScratchDir root;
  auto store = Open(Options(root, EncrypterNamed("noop")));
  const std::string path = StackPath(root) + "/consumer.siem";
  { std::ofstream(path) << "x7\n"; }
  const Status damaged = store->GetCheckpoint("siem").status();
  CHECK(damaged.code() == Code::kIntegrity);
  CHECK(damaged.message().find(path) != std::string::npos);
  REQUIRE(::unlink(path.c_str()) == 0);
  { std::ofstream(root.dir().path + "/elsewhere") << "3\n"; }
  REQUIRE(::symlink((root.dir().path + "/elsewhere").c_str(), path.c_str()) == 0);
  CHECK_FALSE(store->GetCheckpoint("siem").ok());
}

TEST_CASE("a checkpoint write failing at any step leaves a readable checkpoint: the old, or the new once renamed") {
  ScratchDir root;
  sealstate::testing::FaultInjectionEnv env;
  auto store = std::move(
      *internal::OpenLocalStoreWith(Options(root, EncrypterNamed("noop")), env, *internal::ProcessProbe::Default()));
  REQUIRE(store->Checkpoint("siem", 3).ok());
  for (std::uint64_t k = 0;; ++k) {
    INFO("failing call " << k << " of the write");
    env.FailCall(env.calls() + k, EIO, false);
    const Status failed = store->Checkpoint("siem", 4);
    env.ClearFaults();
    if (failed.ok()) break;
    CHECK(failed.code() == Code::kIoError);
    const Result<std::uint64_t> after = store->GetCheckpoint("siem");
    REQUIRE(after.ok());
    CHECK((*after == 3 || (*after == 4 && failed.message().find("fsync") != std::string::npos)));
    REQUIRE(store->Checkpoint("siem", 3).ok());
  }
  CHECK(*store->GetCheckpoint("siem") == 4);
}
