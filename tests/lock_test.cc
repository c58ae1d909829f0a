// The stack lock: holder record, verdict, acquisition, breaking, waiting, release and removal.
//
// Tests that need a second holder fork; a child never runs Catch2 assertions, it only reports
// through its exit code or a pipe and ends with _exit.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "io/durable_file.h"
#include "io/env.h"
#include "lock/lock_record.h"
#include "lock/lock_verdict.h"
#include "lock/lock_wait.h"
#include "lock/marker_lock.h"
#include "lock/process_identity.h"
#include "support/child_process.h"

namespace sealstate::internal {
namespace {

using sealstate::testing::Pipe;
using sealstate::testing::Reap;
using sealstate::testing::Spawn;
using std::chrono::milliseconds;

// Exit codes of children that try to acquire.
constexpr int kAcquired = 0;
constexpr int kWasLocked = 1;
constexpr int kOtherError = 2;

// A fresh directory under /tmp, opened as a Dir; removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/sealstate-lock-test-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    REQUIRE(made != nullptr);
    dir_.path = made;
    Result<int> fd = Env::Default()->Open(dir_.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    REQUIRE(fd.ok());
    dir_.fd = *fd;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    ::close(dir_.fd);
    std::error_code ignored;
    std::filesystem::remove_all(dir_.path, ignored);
  }

  const Dir& dir() const { return dir_; }
  std::string Path(const std::string& name) const { return dir_.path + "/" + name; }
  std::string MarkerPath() const { return Path("lock"); }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

 private:
  Dir dir_;
};

MarkerLock LockOn(const TempDir& dir) {
  return MarkerLock(*Env::Default(), *ProcessProbe::Default(), dir.dir(), "0.1.0-test");
}

LockOptions Timeout(milliseconds timeout) {
  LockOptions options;
  options.timeout = timeout;
  options.operation = "test";
  return options;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kAcquired;
  return status.code() == Code::kLocked ? kWasLocked : kOtherError;
}

// In a child: tries to acquire with `timeout`, and keeps the lock until exit.
int TryAcquireInChild(const TempDir& dir, milliseconds timeout) {
  MarkerLock lock = LockOn(dir);
  return ExitCodeFor(lock.Acquire(Timeout(timeout)).status());
}

// A child that acquires the lock, says 'L' (or 'E' on failure), then waits to be killed.
pid_t SpawnHolderThatPauses(const TempDir& dir, const Pipe& ready) {
  return Spawn([&dir, &ready] {
    MarkerLock lock = LockOn(dir);
    const bool acquired = lock.Acquire(Timeout(milliseconds(0))).ok();
    ready.Send(acquired ? 'L' : 'E');
    if (!acquired) return kOtherError;
    for (;;) ::pause();
  });
}

// Leaves a marker from a process that died holding the lock (its OFD lock went with it).
MarkerHolder LeaveStaleMarker(const TempDir& dir) {
  const pid_t child = Spawn([&dir] { return TryAcquireInChild(dir, milliseconds(0)); });
  REQUIRE(Reap(child) == kAcquired);
  Result<MarkerHolder> holder = ParseLockRecord(ReadFile(dir.MarkerPath()));
  REQUIRE(holder.ok());
  REQUIRE(holder->pid == child);
  return *holder;
}

// The pid of a child that has exited and been reaped (dead, unless reused meanwhile).
pid_t DeadPid() {
  const pid_t child = Spawn([] { return 0; });
  REQUIRE(Reap(child) == 0);
  return child;
}

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

MarkerHolder SampleHolder() {
  MarkerHolder holder;
  holder.lock_id = "0123456789abcdef0123456789abcdef";
  holder.pid = 4242;
  holder.host = "build-1";
  holder.user = "ci";
  holder.boot_id = "5f1c7f0e-1b2a-4c3d-9e8f-0a1b2c3d4e5f";
  holder.start_time = 123456;
  holder.created.unix_seconds = 1777550400;  // 2026-04-30T12:00:00Z
  holder.created.nanos = 500000000;
  holder.operation = "commit";
  holder.version = "0.1.0";
  return holder;
}

// ---- holder record --------------------------------------------------------------------------

TEST_CASE("lock record: encode then parse round-trips, as one line of compact JSON", "[lock]") {
  const MarkerHolder holder = SampleHolder();
  const std::string encoded = EncodeLockRecord(holder);
  CHECK(encoded ==
        "{\"lock-id\":\"0123456789abcdef0123456789abcdef\",\"pid\":4242,\"host\":\"build-1\",\"user\":\"ci\","
        "\"boot-id\":\"5f1c7f0e-1b2a-4c3d-9e8f-0a1b2c3d4e5f\",\"start-time\":123456,"
        "\"created\":\"2026-04-30T12:00:00.5Z\",\"operation\":\"commit\",\"version\":\"0.1.0\"}\n");
  Result<MarkerHolder> parsed = ParseLockRecord(encoded);
  REQUIRE(parsed.ok());
  CHECK(*parsed == holder);
  CHECK_FALSE(parsed->bare_pid);
}

TEST_CASE("lock record: unobin's bare pid marker parses as a bare-pid holder", "[lock]") {
  for (const char* content : {"12345\n", "12345", "  12345 \r\n"}) {
    INFO(content);
    Result<MarkerHolder> parsed = ParseLockRecord(content);
    REQUIRE(parsed.ok());
    CHECK(parsed->bare_pid);
    CHECK(parsed->pid == 12345);
    CHECK(parsed->lock_id.empty());
  }
}

TEST_CASE("lock record: empty, malformed, mistyped and incomplete records are integrity errors", "[lock]") {
  std::string missing_version = EncodeLockRecord(SampleHolder());
  missing_version.replace(missing_version.find(",\"version\""), std::string(",\"version\":\"0.1.0\"").size(), "");
  std::string string_pid = EncodeLockRecord(SampleHolder());
  string_pid.replace(string_pid.find("4242"), 4, "\"4242\"");
  std::string bad_created = EncodeLockRecord(SampleHolder());
  bad_created.replace(bad_created.find("2026-04-30"), 10, "2026-13-30");
  for (const std::string& content :
       {std::string(""), std::string("\n \t"), std::string("{"), std::string("[]"), std::string("-5"),
        std::string("12a\n"), std::string("0\n"), std::string("99999999999999999999999\n"), missing_version, string_pid,
        bad_created, std::string(kMaxLockRecordBytes + 1, '7')}) {
    INFO(content);
    Result<MarkerHolder> parsed = ParseLockRecord(content);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kIntegrity);
  }
}

TEST_CASE("lock record: a new lock id is 32 lower-case hex digits and fresh each time", "[lock]") {
  const std::string a = NewLockId();
  const std::string b = NewLockId();
  CHECK(a.size() == 32);
  CHECK(IsLowerHex(a));
  CHECK(a != b);
}

// ---- verdict (pure) -------------------------------------------------------------------------

ProcessIdentity FakeSelf() {
  ProcessIdentity self;
  self.pid = 100;
  self.start_time = 5000;
  self.boot_id = "boot-a";
  self.host = "build-1";
  self.user = "ci";
  return self;
}

MarkerHolder HolderOnThisBoot() {
  MarkerHolder holder = SampleHolder();
  holder.pid = 200;
  holder.start_time = 7000;
  holder.host = "build-1";
  holder.boot_id = "boot-a";
  return holder;
}

StartTimeLookup Gone() {
  return [](std::int64_t) { return std::optional<std::uint64_t>(); };
}
StartTimeLookup RunningSince(std::uint64_t start) {
  return [start](std::int64_t) { return std::optional<std::uint64_t>(start); };
}

MarkerInfo Judge(const Result<MarkerHolder>& record, bool ofd_held, const StartTimeLookup& lookup) {
  return ClassifyLock(std::optional<Result<MarkerHolder>>(record), ofd_held, FakeSelf(), lookup);
}

TEST_CASE("lock verdict: no marker is free", "[lock]") {
  CHECK(ClassifyLock(std::nullopt, false, FakeSelf(), Gone()).state == LockState::kFree);
}

TEST_CASE("lock verdict: a dead pid on this host and boot is stale", "[lock]") {
  const MarkerInfo info = Judge(HolderOnThisBoot(), false, Gone());
  CHECK(info.state == LockState::kStale);
  CHECK(info.reason == "pid 200 is gone");
  REQUIRE(info.holder);
  CHECK(info.holder->pid == 200);
}

TEST_CASE("lock verdict: a reused pid (same pid, different start time) is stale", "[lock]") {
  const MarkerInfo info = Judge(HolderOnThisBoot(), false, RunningSince(7001));
  CHECK(info.state == LockState::kStale);
  CHECK(info.reason.find("reused") != std::string::npos);
}

TEST_CASE("lock verdict: a record from another boot is stale", "[lock]") {
  MarkerHolder holder = HolderOnThisBoot();
  holder.boot_id = "boot-b";
  const MarkerInfo info = Judge(holder, false, RunningSince(7000));
  CHECK(info.state == LockState::kStale);
  CHECK(info.reason == "held by a previous boot");
}

TEST_CASE("lock verdict: a record from another host is unknown", "[lock]") {
  MarkerHolder holder = HolderOnThisBoot();
  holder.host = "build-2";
  CHECK(Judge(holder, false, Gone()).state == LockState::kUnknown);
}

TEST_CASE("lock verdict: a bare pid (unobin) is unknown, even when that pid is gone", "[lock]") {
  MarkerHolder holder;
  holder.pid = 12345;
  holder.bare_pid = true;
  const MarkerInfo info = Judge(holder, false, Gone());
  CHECK(info.state == LockState::kUnknown);
  CHECK(info.reason == "bare pid 12345 (unobin): cannot prove the holder is dead");
}

TEST_CASE("lock verdict: a malformed record is unknown", "[lock]") {
  const MarkerInfo info = Judge(Result<MarkerHolder>(Status::Integrity("lock marker: empty")), false, Gone());
  CHECK(info.state == LockState::kUnknown);
  CHECK_FALSE(info.holder);
  CHECK(info.reason.rfind("holder record unreadable", 0) == 0);
}

TEST_CASE("lock verdict: a marker whose OFD lock is held elsewhere is held, whatever its record", "[lock]") {
  CHECK(Judge(HolderOnThisBoot(), true, Gone()).state == LockState::kHeld);
  CHECK(Judge(Result<MarkerHolder>(Status::Integrity("x")), true, Gone()).state == LockState::kHeld);
}

TEST_CASE("lock verdict: a live holder with the same start time is held although its OFD lock is free", "[lock]") {
  CHECK(Judge(HolderOnThisBoot(), false, RunningSince(7000)).state == LockState::kHeld);
}

TEST_CASE("lock verdict: an unknown boot id on either side is unknown", "[lock]") {
  MarkerHolder holder = HolderOnThisBoot();
  holder.boot_id = "";
  CHECK(Judge(holder, false, Gone()).state == LockState::kUnknown);
}

TEST_CASE("lock verdict: state names", "[lock]") {
  CHECK(LockStateName(LockState::kFree) == "free");
  CHECK(LockStateName(LockState::kHeld) == "held");
  CHECK(LockStateName(LockState::kStale) == "stale");
  CHECK(LockStateName(LockState::kUnknown) == "unknown");
}

// ---- process probe ----------------------------------------------------------------------------

TEST_CASE("process probe: this process has a pid, start time, boot id, host and user", "[lock]") {
  ProcessProbe& probe = *ProcessProbe::Default();
  const ProcessIdentity& self = probe.Self();
  CHECK(self.pid == ::getpid());
  CHECK(self.start_time > 0);
  CHECK(self.boot_id.size() == 36);
  CHECK_FALSE(self.host.empty());
  CHECK_FALSE(self.user.empty());
  CHECK(probe.StartTimeOf(self.pid) == self.start_time);
  CHECK_FALSE(probe.StartTimeOf(DeadPid()).has_value());
  CHECK_FALSE(probe.StartTimeOf(0).has_value());
  CHECK_FALSE(probe.StartTimeOf(-1).has_value());
}

TEST_CASE("process probe: a forked child sees its own pid as Self", "[lock]") {
  (void)ProcessProbe::Default()->Self();  // cached in the parent first
  const pid_t child = Spawn([] { return ProcessProbe::Default()->Self().pid == ::getpid() ? 0 : 1; });
  CHECK(Reap(child) == 0);
}

TEST_CASE("process probe: the start time is read correctly when the command name holds ') ' and spaces", "[lock]") {
  Pipe report;
  Pipe renamed;
  const pid_t child = Spawn([&report, &renamed] {
    renamed.CloseWrite();  // so the parent's close is seen as end of file
    const std::uint64_t start = ProcessProbe::Default()->Self().start_time;  // read under the normal name
    ::prctl(PR_SET_NAME, "x) 1 2 (y) 3", 0, 0, 0);
    const std::string text = std::to_string(start) + "\n";
    for (char c : text) report.Send(c);
    renamed.Receive();  // wait until the parent has looked
    return 0;
  });
  std::string text;
  for (char c = report.Receive(); c != '\n' && c != '\0'; c = report.Receive()) text += c;
  const std::optional<std::uint64_t> seen = ProcessProbe::Default()->StartTimeOf(child);
  renamed.CloseWrite();
  CHECK(Reap(child) == 0);
  REQUIRE(seen.has_value());
  CHECK(std::to_string(*seen) == text);
}

TEST_CASE("process probe: a zombie counts as gone", "[lock]") {
  const pid_t child = Spawn([] { return 0; });
  // Not reaped yet: wait until it has exited (a zombie still answers kill(pid, 0)).
  siginfo_t info{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);
  CHECK_FALSE(ProcessProbe::Default()->StartTimeOf(child).has_value());
  CHECK(Reap(child) == 0);
}

// ---- acquire --------------------------------------------------------------------------------

TEST_CASE(
    "lock acquire: creates a complete 0600 marker with our pid and a 32-hex lock id, no temp debris, under any umask",
    "[lock]") {
  for (const mode_t mask : {mode_t(0), mode_t(0277)}) {
    INFO("umask " << mask);
    TempDir dir;
    MarkerLock lock = LockOn(dir);
    const mode_t previous = ::umask(mask);
    Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(0)));
    ::umask(previous);
    REQUIRE(outcome.ok());
    struct stat st;
    REQUIRE(::lstat(dir.MarkerPath().c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(st.st_nlink == 1);

    Result<MarkerHolder> on_disk = ParseLockRecord(ReadFile(dir.MarkerPath()));
    REQUIRE(on_disk.ok());
    CHECK(*on_disk == outcome->held.holder);
    CHECK(on_disk->pid == ::getpid());
    CHECK(on_disk->lock_id.size() == 32);
    CHECK(IsLowerHex(on_disk->lock_id));
    CHECK(on_disk->operation == "test");
    CHECK(on_disk->version == "0.1.0-test");
    CHECK(on_disk->boot_id == ProcessProbe::Default()->Self().boot_id);
    CHECK_FALSE(outcome->broken_stale);
    CHECK(dir.Names() == std::vector<std::string>{"lock"});
    CHECK(lock.Release(outcome->held).ok());
  }
}

// Found by fuzz/lock_record_fuzzer: a marker over kMaxLockRecordBytes (a long operation, or one
// whose invalid UTF-8 grows into U+FFFD on encoding) would be unparseable, so "unknown" to every
// other process and never broken as stale after a crash.
TEST_CASE("lock acquire: an operation that would make the marker too big to parse is refused, nothing written",
          "[lock]") {
  for (const std::string& operation : {std::string(kMaxLockRecordBytes, 'x'), std::string(700, '\xff')}) {
    TempDir dir;
    MarkerLock lock = LockOn(dir);
    LockOptions options = Timeout(milliseconds(0));
    options.operation = operation;
    Result<AcquireOutcome> outcome = lock.Acquire(options);
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.status().code() == Code::kInvalidArgument);
    CHECK(outcome.status().message().find("lock operation is too long") != std::string::npos);
    CHECK(dir.Names().empty());
  }
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  LockOptions options = Timeout(milliseconds(0));
  options.operation = std::string(500, '\xff');  // 500 x "\ufffd", 3,000 bytes encoded: fits and parses back
  Result<AcquireOutcome> outcome = lock.Acquire(options);
  REQUIRE(outcome.ok());
  CHECK(ParseLockRecord(ReadFile(dir.MarkerPath())).ok());
  CHECK(lock.Release(outcome->held).ok());
}

TEST_CASE("lock acquire: a second acquire with timeout 0 fails kLocked naming user@host, pid and lock id", "[lock]") {
  TempDir dir;
  MarkerLock first = LockOn(dir);
  MarkerLock second = LockOn(dir);
  Result<AcquireOutcome> held = first.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  Result<AcquireOutcome> again = second.Acquire(Timeout(milliseconds(0)));
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Code::kLocked);
  const MarkerHolder& h = held->held.holder;
  const std::string message = again.status().message();
  CHECK(message == "locked by " + h.user + "@" + h.host + " pid " + std::to_string(::getpid()) + " (lock id " +
                       h.lock_id + ", operation " + h.operation + ", since " + FormatRfc3339Nano(h.created) + ")");
  CHECK(dir.Names() == std::vector<std::string>{"lock"});  // the loser's temp file is gone
  CHECK(first.Release(held->held).ok());
}

TEST_CASE("lock inspect: a held lock is held, seen through a read-only descriptor", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<MarkerInfo> free_info = lock.Inspect();
  REQUIRE(free_info.ok());
  CHECK(free_info->state == LockState::kFree);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  Result<MarkerInfo> info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kHeld);
  REQUIRE(info->holder);
  CHECK(*info->holder == held->held.holder);
  CHECK(lock.Release(held->held).ok());
}

TEST_CASE("lock acquire: the holder opening and closing the marker keeps the lock (a forked child is refused)",
          "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  const int fd = ::open(dir.MarkerPath().c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  ::close(fd);
  const pid_t child = Spawn([&dir] { return TryAcquireInChild(dir, milliseconds(0)); });
  CHECK(Reap(child) == kWasLocked);
  CHECK(lock.Release(held->held).ok());
}

TEST_CASE("lock acquire: unobin's O_CREAT|O_EXCL on the marker fails with EEXIST while we hold it", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  errno = 0;
  const int fd = ::open(dir.MarkerPath().c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  const int err = errno;
  if (fd >= 0) ::close(fd);
  CHECK(fd < 0);
  CHECK(err == EEXIST);
  CHECK(lock.Release(held->held).ok());
}

TEST_CASE("lock acquire: a symlink planted at the marker is refused and nothing is written through it", "[lock]") {
  TempDir dir;
  TempDir outside;
  const std::string victim = outside.Path("victim");
  WriteFile(victim, "original\n");
  const std::string missing = outside.Path("created-through-link");
  for (const std::string& target : {victim, missing}) {
    INFO(target);
    ::unlink(dir.MarkerPath().c_str());
    REQUIRE(::symlink(target.c_str(), dir.MarkerPath().c_str()) == 0);
    MarkerLock lock = LockOn(dir);
    Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(0)));
    CHECK_FALSE(outcome.ok());
    CHECK(lock.Inspect().status().code() == Code::kIoError);
    struct stat st;
    REQUIRE(::lstat(dir.MarkerPath().c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    CHECK(ReadFile(victim) == "original\n");
    CHECK_FALSE(Exists(missing));
    CHECK(dir.Names() == std::vector<std::string>{"lock"});
  }
}

// ---- stale holders ----------------------------------------------------------------------------

TEST_CASE("lock stale: a SIGKILLed holder is stale and the next acquire breaks its lock", "[lock]") {
  TempDir dir;
  Pipe ready;
  const pid_t child = SpawnHolderThatPauses(dir, ready);
  REQUIRE(ready.Receive() == 'L');
  Result<MarkerHolder> recorded = ParseLockRecord(ReadFile(dir.MarkerPath()));
  REQUIRE(recorded.ok());
  REQUIRE(::kill(child, SIGKILL) == 0);
  CHECK(Reap(child) == 128 + SIGKILL);

  MarkerLock lock = LockOn(dir);
  Result<MarkerInfo> info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kStale);
  CHECK(info->reason == "pid " + std::to_string(child) + " is gone");

  Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(outcome.ok());
  REQUIRE(outcome->broken_stale);
  CHECK(*outcome->broken_stale == *recorded);
  CHECK(outcome->broken_stale->pid == child);
  CHECK(dir.Names() == std::vector<std::string>{"lock"});
  CHECK(lock.Release(outcome->held).ok());
}

TEST_CASE("lock stale: with break_stale off a dead holder's lock is not broken", "[lock]") {
  TempDir dir;
  const MarkerHolder dead = LeaveStaleMarker(dir);
  MarkerLock lock = LockOn(dir);
  LockOptions options = Timeout(milliseconds(30));
  options.break_stale = false;
  Result<AcquireOutcome> outcome = lock.Acquire(options);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == Code::kLocked);
  CHECK(outcome.status().message().find("(lock id " + dead.lock_id + ", ") != std::string::npos);
  CHECK(outcome.status().message().find("is gone") != std::string::npos);
  Result<MarkerHolder> still = ParseLockRecord(ReadFile(dir.MarkerPath()));
  REQUIRE(still.ok());
  CHECK(*still == dead);
}

TEST_CASE("lock stale: a bare-pid marker (unobin) is never broken, even for a dead pid", "[lock]") {
  TempDir dir;
  const std::string marker = std::to_string(DeadPid()) + "\n";
  WriteFile(dir.MarkerPath(), marker);
  MarkerLock lock = LockOn(dir);
  Result<MarkerInfo> info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kUnknown);
  REQUIRE(info->holder);
  CHECK(info->holder->bare_pid);
  for (const milliseconds timeout : {milliseconds(0), milliseconds(50)}) {
    Result<AcquireOutcome> outcome = lock.Acquire(Timeout(timeout));
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.status().code() == Code::kLocked);
    CHECK(outcome.status().message() == "locked by pid " + marker.substr(0, marker.size() - 1) +
                                            " (bare pid marker: unobin's; run force-unlock if that process is gone)");
  }
  CHECK(ReadFile(dir.MarkerPath()) == marker);
  CHECK(dir.Names() == std::vector<std::string>{"lock"});
}

TEST_CASE("lock stale: an unreadable marker is unknown and never broken", "[lock]") {
  TempDir dir;
  WriteFile(dir.MarkerPath(), "{not json");
  MarkerLock lock = LockOn(dir);
  Result<MarkerInfo> info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kUnknown);
  Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().message() == "locked (holder record unreadable)");
  CHECK(ReadFile(dir.MarkerPath()) == "{not json");
}

TEST_CASE("lock stale: a hard-linked marker is unknown and never broken; its own temp link is allowed", "[lock]") {
  TempDir dir;
  const MarkerHolder dead = LeaveStaleMarker(dir);
  TempDir outside;
  REQUIRE(::link(dir.MarkerPath().c_str(), outside.Path("copy").c_str()) == 0);
  MarkerLock lock = LockOn(dir);
  Result<MarkerInfo> info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kUnknown);
  CHECK(info->reason.find(dir.MarkerPath() + " has 2 hard links") != std::string::npos);
  Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().message() == "locked (holder record unreadable)");
  CHECK(Exists(dir.MarkerPath()));

  // A crash between link(temp, "lock") and unlink(temp) leaves the marker's own temp name as a
  // second link: the marker is still judged by its record (stale here) and broken.
  REQUIRE(::unlink(outside.Path("copy").c_str()) == 0);
  REQUIRE(::link(dir.MarkerPath().c_str(), dir.Path(TempNameFor("lock")).c_str()) == 0);
  info = lock.Inspect();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kStale);
  outcome = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(outcome.ok());
  REQUIRE(outcome->broken_stale);
  CHECK(*outcome->broken_stale == dead);
  CHECK(lock.Release(outcome->held).ok());
}

TEST_CASE("lock stale: of 8 processes racing to break one stale lock exactly one acquires", "[lock]") {
  constexpr int kRacers = 8;
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    TempDir dir;
    (void)LeaveStaleMarker(dir);
    Pipe start;
    Pipe results;
    Pipe hold;
    std::vector<pid_t> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.push_back(Spawn([&] {
        start.CloseWrite();
        hold.CloseWrite();
        start.Receive();  // end of file: everyone starts together
        MarkerLock lock = LockOn(dir);
        const int code = ExitCodeFor(lock.Acquire(Timeout(milliseconds(0))).status());
        results.Send(static_cast<char>('0' + code));
        if (code == kAcquired) hold.Receive();  // keep the lock until everyone has reported
        return code;
      }));
    }
    start.CloseWrite();
    int acquired = 0;
    int locked = 0;
    for (int i = 0; i < kRacers; ++i) {
      const char code = results.Receive();
      if (code == '0' + kAcquired) ++acquired;
      if (code == '0' + kWasLocked) ++locked;
    }
    hold.CloseWrite();
    for (const pid_t racer : racers) (void)Reap(racer);
    CHECK(acquired == 1);
    CHECK(locked == kRacers - 1);
    CHECK(dir.Names() == std::vector<std::string>{"lock"});
  }
}

// ---- release, fencing and force removal -------------------------------------------------------

TEST_CASE("lock release: removes our marker, drops the lock, and is idempotent", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  CHECK(lock.Release(held->held).ok());
  CHECK(held->held.fd == -1);
  CHECK_FALSE(Exists(dir.MarkerPath()));
  CHECK(lock.Release(held->held).ok());
  Result<AcquireOutcome> again = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(again.ok());
  CHECK_FALSE(again->broken_stale);
  CHECK(lock.Release(again->held).ok());
}

TEST_CASE("lock release: never removes a foreign marker", "[lock]") {
  TempDir dir;
  MarkerLock a = LockOn(dir);
  MarkerLock b = LockOn(dir);
  Result<AcquireOutcome> held_a = a.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held_a.ok());
  Result<std::optional<MarkerHolder>> removed = a.ForceRemove("");
  REQUIRE(removed.ok());
  Result<AcquireOutcome> held_b = b.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held_b.ok());
  const Status released = a.Release(held_a->held);
  CHECK(released.code() == Code::kLocked);
  CHECK(released.message() == "the lock was broken meanwhile; the marker now belongs to another holder");
  CHECK(held_a->held.fd == -1);
  Result<bool> still = b.StillHeld(held_b->held.holder.lock_id);
  REQUIRE(still.ok());
  CHECK(*still);
  CHECK(b.Release(held_b->held).ok());
}

TEST_CASE("lock release: a marker removed meanwhile is fine", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  REQUIRE(::unlink(dir.MarkerPath().c_str()) == 0);
  CHECK(lock.Release(held->held).ok());
}

TEST_CASE("lock force-remove: a wrong id is refused; the right id or no id removes; no marker is OK", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<std::optional<MarkerHolder>> nothing = lock.ForceRemove("");
  REQUIRE(nothing.ok());
  CHECK_FALSE(*nothing);

  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  const std::string id = held->held.holder.lock_id;
  const std::string wrong(32, 'f');
  Result<std::optional<MarkerHolder>> refused = lock.ForceRemove(wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kLocked);
  CHECK(refused.status().message().find(id) != std::string::npos);
  CHECK(refused.status().message().find(wrong) != std::string::npos);
  CHECK(Exists(dir.MarkerPath()));

  Result<std::optional<MarkerHolder>> removed = lock.ForceRemove(id);
  REQUIRE(removed.ok());
  REQUIRE(*removed);
  CHECK(**removed == held->held.holder);
  CHECK_FALSE(Exists(dir.MarkerPath()));
  CHECK(lock.Release(held->held).ok());

  WriteFile(dir.MarkerPath(), "12345\n");
  CHECK(lock.ForceRemove(id).status().code() == Code::kLocked);
  Result<std::optional<MarkerHolder>> bare = lock.ForceRemove("");
  REQUIRE(bare.ok());
  REQUIRE(*bare);
  CHECK((*bare)->bare_pid);
  CHECK((*bare)->pid == 12345);
  CHECK_FALSE(Exists(dir.MarkerPath()));
}

TEST_CASE("lock still-held: true while held, false after force-remove", "[lock]") {
  TempDir dir;
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  const std::string id = held->held.holder.lock_id;
  Result<bool> before = lock.StillHeld(id);
  REQUIRE(before.ok());
  CHECK(*before);
  Result<bool> other = lock.StillHeld(NewLockId());
  REQUIRE(other.ok());
  CHECK_FALSE(*other);
  REQUIRE(lock.ForceRemove("").ok());
  Result<bool> after = lock.StillHeld(id);
  REQUIRE(after.ok());
  CHECK_FALSE(*after);
  (void)lock.Release(held->held);
}

// ---- waiting ----------------------------------------------------------------------------------

TEST_CASE("lock wait: a waiter acquires promptly after the holder releases", "[lock]") {
  TempDir dir;
  Pipe ready;
  const pid_t child = Spawn([&dir, &ready] {
    MarkerLock lock = LockOn(dir);
    Result<AcquireOutcome> held = lock.Acquire(Timeout(milliseconds(0)));
    ready.Send(held.ok() ? 'L' : 'E');
    if (!held.ok()) return kOtherError;
    std::this_thread::sleep_for(milliseconds(100));
    return lock.Release(held->held).ok() ? 0 : kOtherError;
  });
  REQUIRE(ready.Receive() == 'L');
  MarkerLock lock = LockOn(dir);
  const auto started = std::chrono::steady_clock::now();
  Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(5000)));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(Reap(child) == 0);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->broken_stale);
  CHECK(took < std::chrono::seconds(2));  // only catches hangs and 500 ms-style polling loops
  CHECK(lock.Release(outcome->held).ok());
}

TEST_CASE("lock wait: a waiter acquires after the holder is SIGKILLed", "[lock]") {
  TempDir dir;
  Pipe ready;
  const pid_t child = SpawnHolderThatPauses(dir, ready);
  REQUIRE(ready.Receive() == 'L');
  std::thread killer([child] {
    std::this_thread::sleep_for(milliseconds(100));
    ::kill(child, SIGKILL);
  });
  MarkerLock lock = LockOn(dir);
  Result<AcquireOutcome> outcome = lock.Acquire(Timeout(milliseconds(5000)));
  killer.join();
  CHECK(Reap(child) == 128 + SIGKILL);
  REQUIRE(outcome.ok());
  REQUIRE(outcome->broken_stale);
  CHECK(outcome->broken_stale->pid == child);
  CHECK(lock.Release(outcome->held).ok());
}

TEST_CASE("lock wait: the directory watch wakes on a removal in the directory, long before its limit", "[lock]") {
  TempDir dir;
  WriteFile(dir.Path("lock"), "x");
  DirectoryWatch watch(dir.dir());
  REQUIRE(watch.watching());  // inotify works here; elsewhere the waiter falls back to polling
  std::thread remover([&dir] {
    std::this_thread::sleep_for(milliseconds(50));
    ::unlink(dir.MarkerPath().c_str());
  });
  const auto started = std::chrono::steady_clock::now();
  watch.Wait(milliseconds(20000));
  const auto took = std::chrono::steady_clock::now() - started;
  remover.join();
  CHECK(took < std::chrono::seconds(10));  // woken by the event, not by the limit
  CHECK_FALSE(Exists(dir.MarkerPath()));
}

TEST_CASE("lock wait: a timed-out waiter fails kLocked and leaves no temp file", "[lock]") {
  TempDir dir;
  MarkerLock holder = LockOn(dir);
  Result<AcquireOutcome> held = holder.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  MarkerLock waiter = LockOn(dir);
  Result<AcquireOutcome> outcome = waiter.Acquire(Timeout(milliseconds(60)));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == Code::kLocked);
  CHECK(outcome.status().message().find(held->held.holder.lock_id) != std::string::npos);
  CHECK(dir.Names() == std::vector<std::string>{"lock"});
  CHECK(holder.Release(held->held).ok());
}

TEST_CASE("lock wait: a cancelled waiter returns kCancelled", "[lock]") {
  TempDir dir;
  MarkerLock holder = LockOn(dir);
  Result<AcquireOutcome> held = holder.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  MarkerLock waiter = LockOn(dir);
  LockOptions options = Timeout(milliseconds(-1));  // forever, until cancelled
  const auto started = std::chrono::steady_clock::now();
  options.cancelled = [started] { return std::chrono::steady_clock::now() - started > milliseconds(50); };
  Result<AcquireOutcome> outcome = waiter.Acquire(options);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == Code::kCancelled);
  CHECK(outcome.status().message() == "waiting for the lock was cancelled");
  CHECK(dir.Names() == std::vector<std::string>{"lock"});
  CHECK(holder.Release(held->held).ok());
}

TEST_CASE("lock wait: a timeout too long for the clock saturates and waits, instead of giving up at once", "[lock]") {
  TempDir dir;
  MarkerLock holder = LockOn(dir);
  Result<AcquireOutcome> held = holder.Acquire(Timeout(milliseconds(0)));
  REQUIRE(held.ok());
  MarkerLock waiter = LockOn(dir);
  // 100000000h (what `--lock-timeout 100000000h` asks for) and the largest representable value:
  // both overflow steady_clock's nanoseconds when added to now.
  for (const milliseconds timeout : {milliseconds(360'000'000'000'000), milliseconds::max()}) {
    LockOptions options = Timeout(timeout);
    const auto started = std::chrono::steady_clock::now();
    options.cancelled = [started] { return std::chrono::steady_clock::now() - started > milliseconds(100); };
    Result<AcquireOutcome> outcome = waiter.Acquire(options);
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.status().code() == Code::kCancelled);  // still waiting when cancelled, not kLocked
  }
  CHECK(holder.Release(held->held).ok());
}

}  // namespace
}  // namespace sealstate::internal
