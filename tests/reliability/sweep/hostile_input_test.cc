// The reliability suite's hostile-input test: hostile factory, stack and revision names,
// and symlinks planted where the store reads and writes.
//
// Names are bytes. The rules are exactly ValidateName's (names.h): not empty, at most 128
// bytes, no '/', no '\\', no control character (0x00-0x1F, 0x7F, so no NUL), valid UTF-8, not
// "." or "..", not starting with '.'. Everything else is accepted as is, with no normalisation:
// look-alikes ("．．" fullwidth dots, "∕" division slash, "․․" one-dot leaders, "%2e%2e"), a
// trailing or leading space, a name like "-rf" or "current". An accepted name is one directory
// entry with exactly those bytes, directly inside its parent, so it stays inside the root, and
// a commit under it reads back. (This test found that invalid UTF-8, then accepted, could not:
// JSON replaced the bytes, so every snapshot of such a stack failed its binding check. The
// overlong "\xc0\xae\xc0\xae" and other invalid UTF-8 are now refused.) Every call with a refused name fails with
// kInvalidArgument (the CLI: exit status 2) and creates nothing; nothing is ever written outside the root (the root's
// parent is compared byte for byte before and after).
//
// Symlinks: the root may be a symlink (it is the caller's choice, documented in local_store.h);
// below it nothing is followed. A symlink at the factory, stack or snapshots/ directory makes
// the open fail (ELOOP/ENOTDIR); at `lock`, locking fails; at `journal`, journaling fails; at
// `current` or a snapshot file, reading fails. Replacing `current` (commit, set-current) and
// removing a revision act on the link itself, never on its target: rename(2) and unlink(2) do
// not follow. A symlink at a temp name cannot be planted in advance (temp names are random);
// an Env that plants one at the exact temp name just before the store creates it (an attacker
// winning the race) shows O_CREAT|O_EXCL|O_NOFOLLOW refusing it. In every case the targets,
// dangling or not, are untouched and nothing is created through a link.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>
#include <sealstate/names.h>
#include <sealstate/snapshot.h>

#include "store/local_store_internal.h"
#include "support/fault_injection_env.h"
#include "sweep_util.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::FastScratch;
using sealstate::testing::TreeState;

namespace {

constexpr const char* kFactory = "hostile-factory";
constexpr const char* kStack = "hostile-stack";
constexpr const char* kKeyVar = "SEALSTATE_HOSTILE_KEY";

std::shared_ptr<const Encrypter> TheKey() {
  static const std::shared_ptr<const Encrypter> key(sealstate::testing::EnvKey(kKeyVar, sealstate::testing::kKeyA));
  return key;
}

LocalStoreOptions Options(const std::string& root, const std::string& factory, const std::string& stack,
                          bool create = true) {
  LocalStoreOptions o;
  o.root = root;
  o.factory = factory;
  o.stack = stack;
  o.encrypter = TheKey();
  o.create = create;
  return o;
}

Snapshot SnapshotFor(const std::string& factory, const std::string& stack) {
  Snapshot s = sealstate::testing::FixtureSnapshot();
  s.factory.name = factory;
  s.stack = stack;
  return s;
}

// ---------------------------------------------------------------------------------------------
// The names.

struct HostileName {
  std::string label;  // printable, for messages
  std::string bytes;
};

std::vector<HostileName> HostileNames() {
  std::vector<HostileName> names = {
      {"empty", ""},
      {".", "."},
      {"..", ".."},
      {"...", "..."},
      {"/x", "/x"},
      {"a/b", "a/b"},
      {"x/", "x/"},
      {"/", "/"},
      {"../x", "../x"},
      {"../../../../etc/passwd", "../../../../etc/passwd"},
      {"..\\x", "..\\x"},
      {"a\\b", "a\\b"},
      {"NUL alone", std::string("\0", 1)},
      {"NUL inside", std::string("a\0b", 3)},
      {"NUL at the end", std::string("ab\0", 3)},
      {"NUL then ../", std::string("ok\0/../x", 8)},
      {"4 KiB", std::string(4096, 'a')},
      {"129 bytes", std::string(129, 'a')},
      {"128 bytes", std::string(128, 'a')},
      {".hidden", ".hidden"},
      {".tmp", ".tmp"},
      {".current.tmp.1.00", ".current.tmp.1.00"},
      {"trailing space", "stack "},
      {"leading space", " stack"},
      {"single space", " "},
      {"fullwidth dots", "\xef\xbc\x8e\xef\xbc\x8e"},
      {"fullwidth dots slash x", "\xef\xbc\x8e\xef\xbc\x8e\xef\xbc\x8fx"},
      {"division slash",
       "a\xe2\x88\x95"
       "b"},
      {"division slash dots", "..\xe2\x88\x95x"},
      {"one-dot leaders", "\xe2\x80\xa4\xe2\x80\xa4"},
      {"overlong UTF-8 ..", "\xc0\xae\xc0\xae"},
      {"overlong UTF-8 /",
       "a\xc0\xaf"
       "b"},
      {"invalid UTF-8",
       "a\xff\xfe"
       "b"},
      {"percent-encoded ..", "%2e%2e"},
      {"percent-encoded /", "a%2fb"},
      {"x..", "x.."},
      {"x..y", "x..y"},
      {"~", "~"},
      {"-rf", "-rf"},
      {"shell", "$(touch pwned)"},
      {"glob", "*"},
      {"store file name: current", "current"},
      {"store file name: lock", "lock"},
      {"store file name: snapshots", "snapshots"},
  };
  for (int c = 1; c < 0x20; ++c) {
    names.push_back({"control 0x" + std::to_string(c), std::string("a") + static_cast<char>(c) + "b"});
  }
  names.push_back({"control 0x7f",
                   "a\x7f"
                   "b"});
  names.push_back({"newline then ..", "x\n.."});
  return names;
}

bool Accepted(const std::string& name) { return ValidateName("stack", name).ok(); }

// ---------------------------------------------------------------------------------------------
// The CLI.

struct CliRun {
  int exit_status = -1;
  std::string output;  // stdout and stderr
};

// Runs build/src/cli/sealstate with `args`; stdout and stderr captured.
CliRun RunCli(const std::vector<std::string>& args) {
  const char* cli = std::getenv("SEALSTATE_CLI");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) std::abort();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    std::vector<char*> argv;
    std::string program = cli;
    argv.push_back(program.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::setenv(kKeyVar, sealstate::testing::kKeyA, 1);
    ::execv(cli, argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  CliRun run;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

bool HaveCli() {
  const char* cli = std::getenv("SEALSTATE_CLI");
  return cli != nullptr && ::access(cli, X_OK) == 0;
}

std::vector<std::string> CliStack(const std::string& root, const std::string& factory, const std::string& stack) {
  return {"--root", root, "--factory", factory, "--stack", stack, "--encrypter", "env-key", "--key-env", kKeyVar};
}

std::vector<std::string> Plus(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---------------------------------------------------------------------------------------------
// The name test.

struct NameTotals {
  std::uint64_t names = 0, accepted = 0, refused = 0;
  std::uint64_t library_calls = 0, cli_runs = 0;
};

// True when `path` is `top` or below it.
bool Within(const std::string& path, const std::string& top) {
  return path == top || path.compare(0, top.size() + 1, top + "/") == 0;
}

// The entries of `after` that `before` lacks.
std::vector<std::string> NewEntries(const std::map<std::string, std::string>& before,
                                    const std::map<std::string, std::string>& after) {
  std::vector<std::string> added;
  for (const auto& [path, content] : after) {
    if (before.count(path) == 0) added.push_back(path);
  }
  return added;
}

// Opening a stack with `name` as factory or stack: refused and nothing created, or accepted,
// created as exactly one entry with those bytes, and usable (a commit round-trips).
void CheckOpenWithName(const std::string& root, const HostileName& n, bool as_factory, NameTotals& totals) {
  const std::string factory = as_factory ? n.bytes : kFactory;
  const std::string stack = as_factory ? kStack : n.bytes;
  INFO((as_factory ? "factory " : "stack ") << n.label);
  const auto before = TreeState(root);
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(Options(root, factory, stack));
  ++totals.library_calls;
  if (!Accepted(n.bytes)) {
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == Code::kInvalidArgument);
    CHECK(TreeState(root) == before);
    return;
  }
  REQUIRE(store.ok());
  const Result<std::string> rev = (*store)->Commit(SnapshotFor(factory, stack), LockOptions{}, {});
  ++totals.library_calls;
  REQUIRE(rev.ok());
  const Result<Snapshot> back = (*store)->Current();  // an accepted name must read back
  CHECK(back.status().ToString() == "ok");
  // The stack is <root>/<factory>/<stack>, each one entry directly inside its parent.
  struct stat st;
  CHECK(::lstat((root + "/" + factory + "/" + stack + "/snapshots/" + *rev + ".json.enc").c_str(), &st) == 0);
  const std::string top = as_factory ? factory : factory + "/" + stack;
  for (const std::string& path : NewEntries(before, TreeState(root))) CHECK(Within(path, top));
}

// Get, SetCurrent and Remove with `name` as the revision, on a stack with one revision:
// refused (kInvalidArgument) or not found; either way nothing changes.
void CheckRevisionName(Backend& store, const std::string& root, const HostileName& n, NameTotals& totals) {
  INFO("revision " << n.label);
  const auto before = TreeState(root);
  const Result<Snapshot> got = store.Get(n.bytes);
  const Status set = store.SetCurrent(n.bytes, {});
  const Status removed = store.Remove(n.bytes, "");
  totals.library_calls += 3;
  REQUIRE_FALSE(got.ok());
  REQUIRE_FALSE(set.ok());
  if (!Accepted(n.bytes)) {
    CHECK(got.status().code() == Code::kInvalidArgument);
    CHECK(set.code() == Code::kInvalidArgument);
    CHECK(removed.code() == Code::kInvalidArgument);
  } else {
    CHECK(got.status().code() == Code::kNotFound);
    CHECK(set.code() == Code::kNotFound);
    CHECK(removed.ok());  // a missing revision: nothing to remove (unobin)
  }
  CHECK(TreeState(root) == before);
}

// The same through the CLI (argv cannot carry NUL: those names are left to the library checks).
void CheckNameThroughCli(const std::string& root, const HostileName& n, NameTotals& totals) {
  if (n.bytes.find('\0') != std::string::npos || !HaveCli()) return;
  INFO("CLI with " << n.label);
  const bool ok = Accepted(n.bytes);
  const int want = ok ? 0 : 2;
  for (const bool as_factory : {true, false}) {
    const std::string factory = as_factory ? n.bytes : kFactory;
    const std::string stack = as_factory ? kStack : n.bytes;
    const auto before = TreeState(root);
    const CliRun locked = RunCli(Plus(CliStack(root, factory, stack), {"lock", "--", "/bin/true"}));
    const CliRun listed = RunCli(Plus(CliStack(root, factory, stack), {"list"}));
    totals.cli_runs += 2;
    INFO(locked.output << listed.output);
    CHECK(locked.exit_status == want);
    CHECK(listed.exit_status == want);
    if (!ok) CHECK(TreeState(root) == before);
    const std::string top = as_factory ? factory : factory + "/" + stack;
    for (const std::string& path : NewEntries(before, TreeState(root))) CHECK(Within(path, top));
  }
  const auto before = TreeState(root);
  for (const char* command : {"show", "set-current", "delete"}) {
    // "--" so that a name like "-rf" is a revision, not an option.
    const CliRun run = RunCli(Plus(CliStack(root, kFactory, kStack), {command, "--", n.bytes}));
    ++totals.cli_runs;
    INFO(command << ": " << run.output);
    // Refused: usage error. Accepted: no such revision (3), except delete, which succeeds.
    CHECK(run.exit_status == (!ok ? 2 : (std::string(command) == "delete" ? 0 : 3)));
  }
  CHECK(TreeState(root) == before);
}

}  // namespace

// Every hostile name is refused or contained, through the library and the CLI; nothing is
// written outside the root.
TEST_CASE("hostile factory, stack and revision names are refused or contained", "[reliability][hostile]") {
  FastScratch scratch;
  const std::string root = scratch.Join("root");
  sealstate::testing::WriteWholeFile(scratch.Join("outside-file"), "precious\n");
  REQUIRE(::mkdir(scratch.Join("outside-dir").c_str(), 0700) == 0);
  const auto outside_before = TreeState(scratch.path(), "root");
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(Options(root, kFactory, kStack));
  REQUIRE(store.ok());
  const Result<std::string> rev = (*store)->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
  REQUIRE(rev.ok());

  NameTotals totals;
  for (const HostileName& n : HostileNames()) {
    ++totals.names;
    ++(Accepted(n.bytes) ? totals.accepted : totals.refused);
    CheckOpenWithName(root, n, /*as_factory=*/true, totals);
    CheckOpenWithName(root, n, /*as_factory=*/false, totals);
    CheckRevisionName(**store, root, n, totals);
    CheckNameThroughCli(root, n, totals);
  }
  CHECK(TreeState(scratch.path(), "root") == outside_before);  // nothing outside the root
  CHECK((*store)->CurrentRev().value() == *rev);
  std::cout << "hostile names: " << totals.names << " names (" << totals.refused << " refused, " << totals.accepted
            << " accepted and contained), " << totals.library_calls << " library calls, " << totals.cli_runs
            << " CLI runs" << (HaveCli() ? "" : " (CLI not found: SEALSTATE_CLI unset)")
            << ", 0 writes outside the root" << std::endl;
  CHECK(totals.names >= 50);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Symlinks.

// A scratch directory holding the root and, beside it, what links point at: outside/precious
// (a file), outside/dir (an empty directory), outside/ghost-* (never created: dangling targets).
class World {
 public:
  World() : root_(scratch_.Join("root")), outside_(scratch_.Join("outside")) {
    REQUIRE(::mkdir(outside_.c_str(), 0700) == 0);
    REQUIRE(::mkdir((outside_ + "/dir").c_str(), 0700) == 0);
    sealstate::testing::WriteWholeFile(outside_ + "/precious", "precious\n");
    const Result<std::string> json = EncodeSnapshot(SnapshotFor(kFactory, kStack));
    REQUIRE(json.ok());
    sealstate::testing::WriteWholeFile(scratch_.Join("input.json"), *json);
  }

  const std::string& root() const { return root_; }
  std::string Outside(const std::string& name) const { return outside_ + "/" + name; }
  std::string StackDir() const { return root_ + "/" + kFactory + "/" + kStack; }
  std::string Input() const { return scratch_.Join("input.json"); }
  // Everything but the root: compared before and after.
  std::map<std::string, std::string> OutsideState() const { return TreeState(scratch_.path(), "root"); }

  void MakeDirs(const std::string& relative) const {
    std::filesystem::create_directories(root_ + (relative.empty() ? "" : "/" + relative));
  }
  static void Link(const std::string& target, const std::string& at) {
    REQUIRE(::symlink(target.c_str(), at.c_str()) == 0);
  }
  std::unique_ptr<Backend> Store() const {
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(Options(root_, kFactory, kStack));
    REQUIRE(store.ok());
    return std::move(*store);
  }
  bool IsSymlink(const std::string& path) const {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  }

 private:
  FastScratch scratch_;
  std::string root_;
  std::string outside_;
};

struct LinkTotals {
  std::uint64_t scenarios = 0;
  std::uint64_t refused = 0;        // operations refused because of a planted link
  std::uint64_t link_replaced = 0;  // operations that replaced or removed the link itself
  std::uint64_t cli_runs = 0;
};

void Refused(LinkTotals& t, const Status& s, const std::string& what) {
  INFO(what << ": " << s.ToString());
  CHECK_FALSE(s.ok());
  ++t.refused;
}

// A link where a directory of the store should be: the open is refused with ELOOP/ENOTDIR,
// through the library and the CLI, and nothing is created through it.
void DirectoryLink(LinkTotals& t, const std::string& parent, const std::string& name, const std::string& target) {
  World w;
  w.MakeDirs(parent);
  World::Link(w.Outside(target), w.root() + "/" + (parent.empty() ? "" : parent + "/") + name);
  const auto before = w.OutsideState();
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(Options(w.root(), kFactory, kStack));
  INFO("link at " << parent << "/" << name << " -> " << target << ": " << store.status().ToString());
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kIoError);
  CHECK((store.status().error_number() == ELOOP || store.status().error_number() == ENOTDIR));
  ++t.refused;
  if (HaveCli()) {
    const CliRun run = RunCli(Plus(CliStack(w.root(), kFactory, kStack), {"commit", w.Input()}));
    ++t.cli_runs;
    INFO(run.output);
    CHECK(run.exit_status == 1);  // an I/O error
  }
  CHECK(w.OutsideState() == before);
  ++t.scenarios;
}

// A link at `lock`: locking, inspecting, force-unlocking and committing are refused.
void LockLink(LinkTotals& t, const std::string& target) {
  World w;
  std::unique_ptr<Backend> store = w.Store();
  World::Link(w.Outside(target), w.StackDir() + "/lock");
  const auto before = w.OutsideState();
  Refused(t, store->AcquireLock(LockOptions{}).status(), "lock");
  Refused(t, store->GetLockInfo().status(), "lock-status");
  Refused(t, store->ForceUnlock(""), "force-unlock");
  Refused(t, store->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {}).status(), "commit");
  if (HaveCli()) {
    const CliRun run = RunCli(Plus(CliStack(w.root(), kFactory, kStack), {"lock", "--", "/bin/true"}));
    ++t.cli_runs;
    INFO(run.output);
    CHECK(run.exit_status == 1);
  }
  CHECK(w.IsSymlink(w.StackDir() + "/lock"));
  CHECK(w.OutsideState() == before);
  ++t.scenarios;
}

// A link at `journal`: appending and reading are refused; a commit fails before moving current.
void JournalLink(LinkTotals& t, const std::string& target) {
  World w;
  std::unique_ptr<Backend> store = w.Store();
  World::Link(w.Outside(target), w.StackDir() + "/journal");
  const auto before = w.OutsideState();
  Refused(t, store->AppendJournal("probe", "", "", ""), "journal append");
  Refused(t, store->Journal(0).status(), "journal read");
  Refused(t, store->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {}).status(), "commit");
  // Current was not moved; reading it is refused too (the rollback check reads the journal).
  CHECK_FALSE(std::filesystem::exists(w.StackDir() + "/current"));
  CHECK(store->CurrentRev().status().code() == Code::kIoError);
  if (HaveCli()) {
    const CliRun run = RunCli(Plus(CliStack(w.root(), kFactory, kStack), {"commit", w.Input()}));
    ++t.cli_runs;
    INFO(run.output);
    CHECK(run.exit_status == 1);
  }
  CHECK(w.OutsideState() == before);
  ++t.scenarios;
}

// A link at `current` (pointing at a file naming a real revision): reading it is refused;
// verify reports it; a compare-and-swap (which reads it) is refused; a commit replaces the link
// itself by rename(2), leaving the target alone.
void CurrentLink(LinkTotals& t) {
  World w;
  std::unique_ptr<Backend> store = w.Store();
  const Result<std::string> r1 = store->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
  REQUIRE(r1.ok());
  sealstate::testing::WriteWholeFile(w.Outside("pointer"), *r1 + "\n");
  REQUIRE(::unlink((w.StackDir() + "/current").c_str()) == 0);
  World::Link(w.Outside("pointer"), w.StackDir() + "/current");
  const auto before = w.OutsideState();
  Refused(t, store->CurrentRev().status(), "current");
  Refused(t, store->Current().status(), "current snapshot");
  Refused(t, store->SetCurrent(*r1, SetCurrentOptions{.expected_current = *r1, .lock_id = ""}), "compare-and-swap");
  const Result<VerifyReport> report = VerifyStack(*store);
  REQUIRE(report.ok());
  CHECK(report->problems.size() == 1);
  ++t.refused;
  const Result<std::string> r2 = store->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
  REQUIRE(r2.ok());
  ++t.link_replaced;
  CHECK_FALSE(w.IsSymlink(w.StackDir() + "/current"));
  CHECK(store->CurrentRev().value() == *r2);
  CHECK(w.OutsideState() == before);
  ++t.scenarios;
}

// A link at a snapshot file (to a genuine copy of it outside): reading, set-current and verify
// refuse it; removing the revision removes the link, not its target.
void SnapshotLink(LinkTotals& t) {
  World w;
  std::unique_ptr<Backend> store = w.Store();
  const Result<std::string> r1 = store->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
  const Result<std::string> r2 = store->Write(SnapshotFor(kFactory, kStack), {});
  REQUIRE((r1.ok() && r2.ok()));
  const std::string file = w.StackDir() + "/snapshots/" + *r2 + ".json.enc";
  REQUIRE(::rename(file.c_str(), w.Outside("snapshot").c_str()) == 0);
  World::Link(w.Outside("snapshot"), file);
  const auto before = w.OutsideState();
  Refused(t, store->Get(*r2).status(), "get");
  Refused(t, store->SetCurrent(*r2, {}), "set-current");
  const Result<VerifyReport> report = VerifyStack(*store);
  REQUIRE(report.ok());
  CHECK(report->problems.size() == 1);
  ++t.refused;
  CHECK(store->CurrentRev().value() == *r1);
  CHECK(store->Remove(*r2, "").ok());
  ++t.link_replaced;
  CHECK_FALSE(w.IsSymlink(file));
  CHECK(w.OutsideState() == before);
  ++t.scenarios;
}

// An attacker who wins the race: plants a symlink at the exact temp name just before the store
// creates it (temp names are random, so this needs an Env in the middle).
class RacingSymlinkEnv : public sealstate::testing::EnvWrapper {
 public:
  RacingSymlinkEnv(std::string target) : EnvWrapper(internal::Env::Default()), target_(std::move(target)) {}
  Result<int> OpenAt(const internal::Dir& dir, std::string_view name, int flags, mode_t mode) override {
    if ((flags & O_CREAT) != 0 && name.find(".tmp.") != std::string_view::npos) {
      if (::symlinkat(target_.c_str(), dir.fd, std::string(name).c_str()) == 0) ++planted_;
    }
    return EnvWrapper::OpenAt(dir, name, flags, mode);
  }
  int planted() const { return planted_; }

 private:
  std::string target_;
  int planted_ = 0;
};

// Temp files are created with O_CREAT|O_EXCL|O_NOFOLLOW: a link planted at the name makes the
// creation fail (EEXIST) and nothing is written through it, dangling or not.
void TempNameLink(LinkTotals& t, const std::string& target) {
  World w;
  const Result<std::string> r1 = w.Store()->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
  REQUIRE(r1.ok());
  const auto before = w.OutsideState();
  RacingSymlinkEnv env(w.Outside(target));
  Result<std::unique_ptr<Backend>> store =
      internal::OpenLocalStoreWith(Options(w.root(), kFactory, kStack), env, *internal::ProcessProbe::Default());
  REQUIRE(store.ok());
  Refused(t, (*store)->AcquireLock(LockOptions{}).status(), "lock (temp marker)");
  Refused(t, (*store)->Write(SnapshotFor(kFactory, kStack), {}).status(), "write (snapshot temp)");
  Refused(t, (*store)->SetCurrent(*r1, {}), "set-current (pointer temp)");
  CHECK(env.planted() >= 3);
  CHECK(w.OutsideState() == before);
  CHECK(w.Store()->CurrentRev().value() == *r1);
  ++t.scenarios;
}

}  // namespace

// Links planted at every name the store uses are refused (or, for `current` and snapshot
// files, replaced or removed as links), and nothing outside the root is ever touched; a
// symlinked root is followed, as documented.
TEST_CASE("symlinks planted in the store are refused, nothing is written through them", "[reliability][hostile]") {
  LinkTotals t;
  {
    // The root itself may be a link: the caller chose it.
    World w;
    REQUIRE(::mkdir(w.Outside("real-root").c_str(), 0700) == 0);
    World::Link(w.Outside("real-root"), w.root());
    const Result<std::string> rev = w.Store()->Commit(SnapshotFor(kFactory, kStack), LockOptions{}, {});
    REQUIRE(rev.ok());
    struct stat st;
    CHECK(::lstat(w.Outside("real-root/" + std::string(kFactory) + "/" + kStack + "/current").c_str(), &st) == 0);
    ++t.scenarios;
  }
  for (const std::string target : {"dir", "precious", "ghost-dir"}) {
    DirectoryLink(t, "", kFactory, target);
    DirectoryLink(t, kFactory, kStack, target);
    DirectoryLink(t, std::string(kFactory) + "/" + kStack, "snapshots", target);
  }
  for (const std::string target : {"precious", "ghost-lock"}) LockLink(t, target);
  for (const std::string target : {"precious", "ghost-journal"}) JournalLink(t, target);
  CurrentLink(t);
  SnapshotLink(t);
  for (const std::string target : {"precious", "ghost-temp"}) TempNameLink(t, target);
  std::cout << "hostile symlinks: " << t.scenarios << " scenarios (root allowed; factory, stack, snapshots/, lock, "
            << "journal, current, a snapshot file, temp names), " << t.refused << " operations refused, "
            << t.link_replaced << " replaced or removed the link itself, " << t.cli_runs
            << " CLI runs, 0 writes outside the root" << std::endl;
}
