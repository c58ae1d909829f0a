// Prune, verify and the force-unlock policy over a LocalStore.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>

#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::ScratchDir;

namespace {

std::unique_ptr<Backend> OpenStore(const ScratchDir& root) { return testing::OpenNoopLocalStore(root.dir().path); }

std::vector<std::string> WriteRevisions(Backend& store, int n) {
  std::vector<std::string> revs;
  for (int i = 0; i < n; ++i) revs.push_back(*store.Write(sealstate::testing::FixtureSnapshot(), {}));
  return revs;
}

std::string LockPath(const ScratchDir& root) { return root.dir().path + "/cluster-deploy/prod-east-alpha/lock"; }

std::string StackPath(const ScratchDir& root) { return root.dir().path + "/cluster-deploy/prod-east-alpha"; }

std::string SnapshotsPath(const ScratchDir& root) { return StackPath(root) + "/snapshots"; }

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("prune keeps the current revision and the N newest, deleting the rest oldest first") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 5);
  REQUIRE(store->SetCurrent(r[1], {}).ok());
  PrunePlan plan = *PlanPrune(*store, 2);
  CHECK(plan.keep == std::vector<std::string>{r[1], r[3], r[4]});
  CHECK(plan.remove == std::vector<std::string>{r[0], r[2]});
  CHECK(PlanPrune(*store, 0)->keep == std::vector<std::string>{r[1]});
  CHECK(PlanPrune(*store, 10)->remove.empty());
  std::vector<std::size_t> progress;
  REQUIRE(ExecutePrune(*store, plan, "", [&](std::size_t done, std::size_t) { progress.push_back(done); }).ok());
  CHECK(*store->List() == plan.keep);
  CHECK(progress == std::vector<std::size_t>{1, 2});
  const std::vector<JournalEvent> events = *store->Journal(0);
  CHECK(events.back().event == "prune");
  CHECK(events.back().detail == "deleted 2, kept 3");
}

TEST_CASE("prune refuses when current moved into the revisions it would delete") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 3);
  REQUIRE(store->SetCurrent(r[2], {}).ok());
  PrunePlan plan = *PlanPrune(*store, 0);
  REQUIRE(store->SetCurrent(r[0], {}).ok());
  CHECK(ExecutePrune(*store, plan, "", nullptr).code() == Code::kConflict);
  CHECK(store->List()->size() == 3);
}

TEST_CASE("prune counts only valid revision names: strays are reported and left alone") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 4);
  REQUIRE(store->SetCurrent(r[3], {}).ok());
  { std::ofstream(SnapshotsPath(root) + "/backup.json.enc") << "old copy"; }
  REQUIRE(::chmod((SnapshotsPath(root) + "/backup.json.enc").c_str(), 0600) == 0);  // no permission finding
  REQUIRE(::mkdir((SnapshotsPath(root) + "/archive.json.enc").c_str(), 0700) == 0);
  CHECK(*store->List() == r);
  REQUIRE(::mkdir((SnapshotsPath(root) + "/2001-01-01T00:00:00Z.json.enc").c_str(), 0700) == 0);
  const std::vector<std::string> strays{"2001-01-01T00:00:00Z.json.enc", "archive.json.enc", "backup.json.enc"};
  const std::vector<StrayEntry> entries{
      {"2001-01-01T00:00:00Z.json.enc", "2001-01-01T00:00:00Z"}, {"archive.json.enc", ""}, {"backup.json.enc", ""}};
  CHECK(*store->StrayEntries() == entries);
  PrunePlan plan = *PlanPrune(*store, 2);
  CHECK(plan.keep == std::vector<std::string>{r[2], r[3]});
  CHECK(plan.remove == std::vector<std::string>{r[0], r[1]});
  CHECK(plan.strays == strays);
  REQUIRE(ExecutePrune(*store, *PlanPrune(*store, 0), "", nullptr).ok());
  CHECK(*store->List() == std::vector<std::string>{"2001-01-01T00:00:00Z", r[3]});
  for (const std::string& stray : strays) CHECK(Exists(SnapshotsPath(root) + "/" + stray));
  VerifyReport report = *VerifyStack(*store);
  for (const VerifyProblem& p : report.problems) UNSCOPED_INFO(p.rev << ": " << p.status.ToString());
  REQUIRE(report.problems.size() == 1);  // listed (by name) but not a file: Get refuses it
  CHECK(report.problems[0].rev == "2001-01-01T00:00:00Z");
  CHECK(report.strays == std::vector<std::string>{"archive.json.enc", "backup.json.enc"});
}

TEST_CASE("prune with a damaged current pointer keeps everything and deletes nothing") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 3);
  REQUIRE(store->SetCurrent(r[0], {}).ok());
  { std::ofstream(StackPath(root) + "/current", std::ios::trunc) << "not a revision\n"; }
  Result<PrunePlan> plan = PlanPrune(*store, 0);
  REQUIRE(plan.ok());
  CHECK(plan->damaged_current.code() == Code::kIntegrity);
  CHECK(plan->keep == r);
  CHECK(plan->remove.empty());
  PrunePlan stale_plan;  // planned before the pointer was damaged
  stale_plan.keep = {r[0]};
  stale_plan.remove = {r[1], r[2]};
  Status refused = ExecutePrune(*store, stale_plan, "", nullptr);
  CHECK(refused.code() == Code::kIntegrity);
  CHECK(refused.message().find("current is damaged") != std::string::npos);
  CHECK(refused.message().find("set-current") != std::string::npos);
  CHECK(*store->List() == r);
  REQUIRE(store->SetCurrent(r[0], {}).ok());
  CHECK(PlanPrune(*store, 0)->damaged_current.ok());
  REQUIRE(ExecutePrune(*store, *PlanPrune(*store, 0), "", nullptr).ok());
  CHECK(*store->List() == std::vector<std::string>{r[0]});
}

TEST_CASE("verify reads every revision and reports a tampered one and a dangling pointer") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 3);
  REQUIRE(store->SetCurrent(r[2], {}).ok());
  VerifyReport clean = *VerifyStack(*store);
  CHECK(clean.revisions == 3);
  CHECK(clean.problems.empty());

  const std::string file = root.dir().path + "/cluster-deploy/prod-east-alpha/snapshots/" + r[1] + ".json.enc";
  { std::ofstream(file, std::ios::app) << "garbage"; }
  std::remove((root.dir().path + "/cluster-deploy/prod-east-alpha/snapshots/" + r[2] + ".json.enc").c_str());
  VerifyReport report = *VerifyStack(*store);
  CHECK(report.revisions == 2);
  REQUIRE(report.problems.size() == 2);
  CHECK(report.problems[0].rev == r[1]);
  CHECK(report.problems[0].status.code() == Code::kIntegrity);
  CHECK(report.problems[1].rev == "current");
}

TEST_CASE("verify reports loose permissions as integrity problems of \"permissions\"") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = WriteRevisions(*store, 1);
  const std::string journal = root.dir().path + "/cluster-deploy/prod-east-alpha/journal";
  REQUIRE(::chmod(journal.c_str(), 0644) == 0);
  VerifyReport report = *VerifyStack(*store);
  CHECK(report.revisions == 1);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].rev == "permissions");
  CHECK(report.problems[0].status.code() == Code::kIntegrity);
  CHECK(report.problems[0].status.message() ==
        journal + " is accessible by group or others (mode 0644); run: chmod 600 " + journal);
}

TEST_CASE("force-unlock policy: free is fine, a live holder is refused unless its id is given") {
  ScratchDir root;
  auto store = OpenStore(root);
  Result<ForceUnlockOutcome> free = ForceUnlockWithPolicy(*store, "", false);
  REQUIRE(free.ok());
  CHECK_FALSE(free->removed);

  auto holder = OpenStore(root);
  auto lock = holder->AcquireLock({});
  REQUIRE(lock.ok());
  Result<ForceUnlockOutcome> refused = ForceUnlockWithPolicy(*store, "", false);
  REQUIRE(refused.status().code() == Code::kLocked);
  CHECK(refused.status().message().find((*lock)->id()) != std::string::npos);
  CHECK(ForceUnlockWithPolicy(*store, "0123456789abcdef0123456789abcdef", false).status().code() == Code::kLocked);
  Result<ForceUnlockOutcome> by_id = ForceUnlockWithPolicy(*store, (*lock)->id(), false);
  REQUIRE(by_id.ok());
  CHECK(by_id->removed);
  CHECK(store->GetLockInfo()->state == LockState::kFree);
}

TEST_CASE("force-unlock policy: a dead holder's lock is removed without flags") {
  ScratchDir root;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  if (child == 0) {
    auto store = OpenStore(root);
    auto lock = store->AcquireLock({});
    (void)!write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  char c;
  REQUIRE(read(ready[0], &c, 1) == 1);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  auto store = OpenStore(root);
  Result<ForceUnlockOutcome> outcome = ForceUnlockWithPolicy(*store, "", false);
  REQUIRE(outcome.ok());
  CHECK(outcome->removed);
  CHECK(outcome->state == LockState::kStale);
}

TEST_CASE("force-unlock policy: a unobin bare-pid marker needs force") {
  ScratchDir root;
  auto store = OpenStore(root);
  { std::ofstream(LockPath(root)) << "12345\n"; }
  Result<ForceUnlockOutcome> refused = ForceUnlockWithPolicy(*store, "", false);
  REQUIRE(refused.status().code() == Code::kLocked);
  CHECK(refused.status().message().find("force") != std::string::npos);
  Result<ForceUnlockOutcome> forced = ForceUnlockWithPolicy(*store, "", true);
  REQUIRE(forced.ok());
  CHECK(forced->removed);
  CHECK(store->Journal(0)->back().event == "force-unlock");
}

namespace {

std::vector<std::string> CommitRevisions(Backend& store, int n) {
  std::vector<std::string> revs;
  for (int i = 0; i < n; ++i) revs.push_back(*store.Commit(sealstate::testing::FixtureSnapshot(), {}, {}));
  return revs;
}

std::string RevisionFile(const ScratchDir& root, const std::string& rev) {
  return SnapshotsPath(root) + "/" + rev + ".json.enc";
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteWhole(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("verify --chain: a clean chain of commits walks from current to the first revision") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  ChainReport report = *VerifyChain(*store);
  CHECK(report.problems.empty());
  CHECK(report.chain == std::vector<std::string>{r[2], r[1], r[0]});
  CHECK(report.end == ChainEnd::kFirst);
}

TEST_CASE("verify --chain names a middle revision whose file was deleted by hand") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  REQUIRE(std::remove(RevisionFile(root, r[1]).c_str()) == 0);
  ChainReport report = *VerifyChain(*store);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].rev == r[1]);
  CHECK(report.problems[0].status.code() == Code::kIntegrity);
  CHECK(report.problems[0].status.message() ==
        "revision " + r[1] + ", the parent of " + r[2] +
            ", is missing and the journal records no removal of it: it was deleted behind sealstate's back");
  CHECK(report.chain == std::vector<std::string>{r[2]});
  CHECK(report.end == ChainEnd::kBroken);
}

TEST_CASE("verify --chain names a revision replaced by another genuine revision's file") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  WriteWhole(RevisionFile(root, r[1]), ReadWhole(RevisionFile(root, r[0])));
  ChainReport report = *VerifyChain(*store);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].rev == r[1]);
  CHECK(report.problems[0].status.code() == Code::kIntegrity);
  CHECK_THAT(report.problems[0].status.message(),
             Catch::Contains("its stored envelope does not match the digest its child " + r[2] + " recorded"));
}

TEST_CASE("verify --chain names a revision whose parent is not older than it (reordered)") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  const std::string newer = *store->Write(sealstate::testing::FixtureSnapshot(), {});
  // A noop header is not authenticated: point current's parent link at the newer revision.
  std::string bytes = ReadWhole(RevisionFile(root, r[2]));
  const std::string link = "\"parent\":{\"rev\":\"" + r[1] + "\"";
  REQUIRE(bytes.find(link) != std::string::npos);
  bytes.replace(bytes.find(link), link.size(), "\"parent\":{\"rev\":\"" + newer + "\"");
  WriteWhole(RevisionFile(root, r[2]), bytes);
  ChainReport report = *VerifyChain(*store);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].rev == r[2]);
  CHECK_THAT(report.problems[0].status.message(), Catch::Contains("the chain is out of order"));
}

TEST_CASE("verify --chain: prune and delete are journaled, so the chain stays quiet") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 4);
  REQUIRE(ExecutePrune(*store, *PlanPrune(*store, 2), "", nullptr).ok());
  ChainReport pruned = *VerifyChain(*store);
  CHECK(pruned.problems.empty());
  CHECK(pruned.chain == std::vector<std::string>{r[3], r[2]});
  CHECK(pruned.end == ChainEnd::kPruned);
  CHECK(pruned.pruned_parent == r[1]);

  const std::vector<std::string> more = CommitRevisions(*store, 2);
  REQUIRE(store->Remove(more[0], "").ok());  // sealstate delete
  ChainReport deleted = *VerifyChain(*store);
  CHECK(deleted.problems.empty());
  CHECK(deleted.chain == std::vector<std::string>{more[1]});
  CHECK(deleted.pruned_parent == more[0]);
}

TEST_CASE("verify --chain lists revisions never current and those a set-current rollback left") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  const std::string written = *store->Write(sealstate::testing::FixtureSnapshot(), {});
  REQUIRE(store->SetCurrent(r[0], {}).ok());
  ChainReport report = *VerifyChain(*store);
  CHECK(report.problems.empty());
  CHECK(report.chain == std::vector<std::string>{r[0]});
  CHECK(report.never_current == std::vector<std::string>{written});
  CHECK(report.off_chain == std::vector<std::string>{r[1], r[2]});
}

TEST_CASE("verify --chain: a journal that cannot be read is a problem, and a missing parent is then reported") {
  ScratchDir root;
  auto store = OpenStore(root);
  const std::vector<std::string> r = CommitRevisions(*store, 3);
  REQUIRE(store->Remove(r[0], "").ok());
  std::string journal = ReadWhole(StackPath(root) + "/journal");
  journal[0] = 'x';  // the first line is no longer JSON: not a torn tail, a damaged journal
  WriteWhole(StackPath(root) + "/journal", journal);
  Result<ChainReport> report = VerifyChain(*store);
  REQUIRE(report.ok());
  REQUIRE(report->problems.size() == 2);
  CHECK(report->problems[0].rev == "journal");
  CHECK(report->problems[1].rev == r[0]);
  CHECK(report->chain == std::vector<std::string>{r[2], r[1]});
}
