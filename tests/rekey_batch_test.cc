// RekeyStack on the local store: revisions replaced in durable batches (one directory fsync and one
// journal append per batch), and every rewritten file verified against what was written.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <sealstate/key_ring.h>
#include <sealstate/local_store.h>
#include <sealstate/rekey.h>

#include "store/local_store_internal.h"
#include "store/stack_layout.h"
#include "support/fault_injection_env.h"
#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::EnvKey;
using sealstate::testing::EnvWrapper;
using sealstate::testing::FaultInjectionEnv;
using sealstate::testing::Op;
using sealstate::testing::ScratchDir;

namespace {

constexpr const char* kFactory = "cluster-deploy";
constexpr const char* kStack = "prod-east-alpha";

// Flips one byte in the middle of the first large write to a snapshot's temp file (a copy gone
// wrong between the source and the disk).
class FlippingEnv final : public FaultInjectionEnv {
 public:
  Result<std::size_t> Write(int fd, std::string_view data, const std::string& what) override {
    const bool snapshot_temp =
        what.find(std::string(internal::kSnapshotSuffix) + std::string(internal::kTempMarker)) != std::string::npos;
    if (!armed_ || flipped_ || !snapshot_temp || data.size() < 4096) return FaultInjectionEnv::Write(fd, data, what);
    flipped_ = true;
    std::string changed(data);
    changed[changed.size() / 2] ^= 0x01;
    return FaultInjectionEnv::Write(fd, changed, what);
  }
  // From now on, the next large write to a snapshot's temp file is changed.
  void Arm() { armed_ = true; }
  bool flipped() const { return flipped_; }

 private:
  bool armed_ = false;
  bool flipped_ = false;
};

// Appends one byte to a snapshot's temp file just before its fsync (a file that grew a tail on
// its way to the disk: every byte written is there, plus one).
class TailEnv final : public FaultInjectionEnv {
 public:
  Status Fsync(int fd, const std::string& what) override {
    const bool snapshot_temp =
        what.find(std::string(internal::kSnapshotSuffix) + std::string(internal::kTempMarker)) != std::string::npos;
    if (armed_ && !grown_ && snapshot_temp) {
      grown_ = true;
      SEALSTATE_RETURN_IF_ERROR(FaultInjectionEnv::Write(fd, "x", what).status());
    }
    return FaultInjectionEnv::Fsync(fd, what);
  }
  // From now on, the next snapshot temp file fsynced grows a byte first.
  void Arm() { armed_ = true; }
  bool grown() const { return grown_; }

 private:
  bool armed_ = false;
  bool grown_ = false;
};

// The fds this process has open on the file with `st`'s device and inode (read through
// /proc/self/fd; the directory's own fd is skipped, as it is no file).
int OpenFdsOn(const struct stat& st) {
  DIR* fds = ::opendir("/proc/self/fd");
  REQUIRE(fds != nullptr);
  int count = 0;
  while (const dirent* entry = ::readdir(fds)) {
    struct stat open;
    if (entry->d_name[0] == '.' || std::atoi(entry->d_name) == ::dirfd(fds)) continue;
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    if (::stat(path.c_str(), &open) == 0 && open.st_dev == st.st_dev && open.st_ino == st.st_ino) ++count;
  }
  ::closedir(fds);
  return count;
}

// How many fds this process has open (entries of /proc/self/fd, less the one listing them).
int OpenFdCount() {
  DIR* fds = ::opendir("/proc/self/fd");
  REQUIRE(fds != nullptr);
  int count = -1;  // the listing's own fd
  while (const dirent* entry = ::readdir(fds)) count += entry->d_name[0] == '.' ? 0 : 1;
  ::closedir(fds);
  return count;
}

// At every rename of a new snapshot file over an existing one, records whether this process
// still had the replaced file open (so the rename only drops a name and frees no blocks).
class RenameOverEnv final : public EnvWrapper {
 public:
  RenameOverEnv() : EnvWrapper(internal::Env::Default()) {}
  Status RenameAt(const internal::Dir& dir, std::string_view from, std::string_view to, bool no_replace) override {
    Result<struct stat> replaced = target()->StatAt(dir, to);
    if (!no_replace && replaced.ok() && to.find(internal::kSnapshotSuffix) != std::string_view::npos) {
      (OpenFdsOn(*replaced) > 0 ? held_ : not_held_) += 1;
    }
    return EnvWrapper::RenameAt(dir, from, to, no_replace);
  }
  int held() const { return held_; }
  int not_held() const { return not_held_; }

 private:
  int held_ = 0;
  int not_held_ = 0;
};

LocalStoreOptions Options(const ScratchDir& root, std::shared_ptr<const Encrypter> key) {
  LocalStoreOptions o;
  o.root = root.dir().path;
  o.factory = kFactory;
  o.stack = kStack;
  o.encrypter = std::move(key);
  return o;
}

std::shared_ptr<const KeyRing> Ring(std::vector<std::shared_ptr<const Encrypter>> keys) {
  auto ring = KeyRing::Make(std::move(keys));
  if (!ring.ok()) FAIL(ring.status().ToString());
  return *ring;
}

// `n` revisions committed with `key` (each ~40 KiB sealed, so its copy takes a large write).
std::vector<std::string> CommitRevisions(Backend& store, int n) {
  std::vector<std::string> revs;
  for (int i = 0; i < n; ++i) {
    Snapshot s = sealstate::testing::LargeSnapshot(40 * 1024);
    s.entries[0].outputs["id"] = Json("subnet-" + std::to_string(i));
    Result<std::string> rev = store.Commit(s, LockOptions{}, {});
    REQUIRE(rev.ok());
    revs.push_back(*rev);
  }
  return revs;
}

Result<std::vector<RekeyedRevision>> Rekey(Backend& store, const Encrypter& ring) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Lock> lock, store.AcquireLock(LockOptions{}));
  Result<std::vector<RekeyedRevision>> done = RekeyStack(store, ring, lock->id(), RekeyOptions{});
  SEALSTATE_RETURN_IF_ERROR(lock->Unlock());
  return done;
}

// Keys A and B, and a local store sealed for A in a scratch root, opened through a TestEnv.
template <typename TestEnv>
struct StoreForA {
  std::shared_ptr<const Encrypter> a = EnvKey("RB_A", sealstate::testing::kKeyA);
  std::shared_ptr<const Encrypter> b = EnvKey("RB_B", sealstate::testing::kKeyB);
  ScratchDir root;
  TestEnv env;
  std::unique_ptr<Backend> store;

  StoreForA() {
    auto opened = internal::OpenLocalStoreWith(Options(root, a), env, *internal::ProcessProbe::Default());
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
};

std::size_t FsyncsOf(const FaultInjectionEnv& env, const std::string& path) {
  const std::vector<sealstate::testing::TraceEntry> trace = env.trace();
  return static_cast<std::size_t>(
      std::count_if(trace.begin(), trace.end(), [&](const auto& e) { return e.op == Op::kFsync && e.path == path; }));
}

}  // namespace

TEST_CASE("a local rekey fsyncs the snapshot directory and the journal once per batch, not per revision") {
  StoreForA<FaultInjectionEnv> f;
  const std::vector<std::string> revs = CommitRevisions(*f.store, 5);
  f.env.ResetCounters();
  auto done = Rekey(*f.store, *Ring({f.b, f.a}));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  for (const RekeyedRevision& r : *done) CHECK(r.action == RekeyAction::kRewrapped);
  const std::string stack_dir = f.root.dir().path + "/" + kFactory + "/" + kStack;
  CHECK(FsyncsOf(f.env, stack_dir + "/snapshots") == 1);
  CHECK(FsyncsOf(f.env, stack_dir + "/journal") == 1);
  // Each new file is still fsynced before it is renamed.
  const std::vector<sealstate::testing::TraceEntry> trace = f.env.trace();
  for (const auto& rename : trace) {
    if (rename.op != Op::kRenameAt || rename.path.find(internal::kTempMarker) == std::string::npos) continue;
    CHECK(std::any_of(trace.begin(), trace.end(), [&](const auto& e) {
      return e.op == Op::kFsync && e.path == rename.path && e.index < rename.index;
    }));
  }
  // Still one journal event per revision.
  auto journal = f.store->Journal(0);
  REQUIRE(journal.ok());
  for (const std::string& rev : revs) {
    CHECK(std::count_if(journal->begin(), journal->end(),
                        [&](const JournalEvent& e) { return e.event == "rekey" && e.rev == rev; }) == 1);
  }
  auto with_b = OpenLocalStore(Options(f.root, f.b));
  auto with_a = OpenLocalStore(Options(f.root, f.a));
  for (const std::string& rev : revs) {
    CHECK((*with_b)->Get(rev).ok());
    CHECK((*with_a)->Get(rev).status().code() == Code::kWrongKey);
  }
}

TEST_CASE("a local rekey catches a byte flipped while a rewritten revision was written") {
  StoreForA<FlippingEnv> f;
  CommitRevisions(*f.store, 2);
  f.env.Arm();
  auto done = Rekey(*f.store, *Ring({f.b, f.a}));
  REQUIRE(f.env.flipped());
  CHECK(done.status().code() == Code::kIntegrity);
  CHECK(done.status().message().find("verifying the rewritten revision") != std::string::npos);
}

TEST_CASE("a local rekey catches a rewritten revision that is longer than what was written") {
  StoreForA<TailEnv> f;
  CommitRevisions(*f.store, 2);
  f.env.Arm();
  auto done = Rekey(*f.store, *Ring({f.b, f.a}));
  REQUIRE(f.env.grown());
  CHECK(done.status().code() == Code::kIntegrity);
  CHECK(done.status().message().find("the stored bytes differ from what was written") != std::string::npos);
}

TEST_CASE("a local rekey keeps each replaced revision open across its rename, so the rename frees nothing") {
  StoreForA<RenameOverEnv> f;
  const std::vector<std::string> revs = CommitRevisions(*f.store, 5);
  const int fds_before = OpenFdCount();
  auto done = Rekey(*f.store, *Ring({f.b, f.a}));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK(f.env.held() == 5);
  CHECK(f.env.not_held() == 0);
  CHECK(OpenFdCount() == fds_before);  // every old file closed by the time the lock is released
  auto with_b = OpenLocalStore(Options(f.root, f.b));
  for (const std::string& rev : revs) CHECK((*with_b)->Get(rev).ok());
}

TEST_CASE("a local rekey over the real Env leaves no fd open once the lock is released") {
  std::shared_ptr<const Encrypter> a = EnvKey("RB_A", sealstate::testing::kKeyA);
  std::shared_ptr<const Encrypter> b = EnvKey("RB_B", sealstate::testing::kKeyB);
  ScratchDir root;
  auto store = OpenLocalStore(Options(root, a));
  REQUIRE(store.ok());
  const std::vector<std::string> revs = CommitRevisions(**store, 70);  // two batches of up to 64
  const int fds_before = OpenFdCount();
  auto done = Rekey(**store, *Ring({b, a}));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK(done->size() == revs.size());
  CHECK(OpenFdCount() == fds_before);
  auto journal = (*store)->Journal(0);
  REQUIRE(journal.ok());
  CHECK(std::count_if(journal->begin(), journal->end(), [](const JournalEvent& e) { return e.event == "rekey"; }) ==
        70);
  auto with_b = OpenLocalStore(Options(root, b));
  for (const std::string& rev : revs) CHECK((*with_b)->Get(rev).ok());
}
