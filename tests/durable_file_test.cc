// Tests for the durable file recipes (src/io/durable_file.cc), driven through FaultInjectionEnv:
// exact bytes and modes, no replacing, syscall order, and SQLite-style failure sweeps.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/durable_file.h"
#include "io/stack_file.h"
#include "support/fault_injection_env.h"
#include "support/scratch_dir.h"

namespace sealstate::internal {
namespace {

using testing::FaultInjectionEnv;
using testing::Op;
using testing::ScratchDir;
using testing::TraceEntry;

std::function<Status(ByteSink&)> Bytes(const std::string& bytes) {
  return [bytes](ByteSink& sink) { return sink.Append(bytes); };
}

std::string Pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return out;
}

void RequireOk(const Status& status) {
  INFO(status.ToString());
  REQUIRE(status.ok());
}

bool IsOurTemp(const std::string& name) { return TempFileOwner(name) == static_cast<long>(::getpid()); }

// The names that are not `expected`: temp debris or anything else.
std::vector<std::string> Extra(const ScratchDir& scratch, const std::set<std::string>& expected) {
  std::vector<std::string> extra;
  for (const std::string& name : scratch.Names()) {
    if (expected.count(name) == 0) extra.push_back(name);
  }
  return extra;
}

TEST_CASE("durable file: WriteNewFile writes exact bytes, mode 0600 under any umask, no debris", "[durable]") {
  for (const mode_t mask : {mode_t{0}, mode_t{0277}}) {
    ScratchDir scratch;
    testing::UmaskGuard umask(mask);
    const std::string payload = Pattern(3000) + std::string(1, '\0') + "\xff\n";
    RequireOk(WriteNewFile(*Env::Default(), scratch.dir(), "snap", Bytes(payload)));
    CHECK(*scratch.Read("snap") == payload);
    CHECK(scratch.Mode("snap") == 0600);
    CHECK(scratch.Names() == std::vector<std::string>{"snap"});
  }
}

TEST_CASE("durable file: ReplaceFile creates or replaces, mode 0600 under any umask", "[durable]") {
  for (const mode_t mask : {mode_t{0}, mode_t{0277}}) {
    ScratchDir scratch;
    testing::UmaskGuard umask(mask);
    RequireOk(ReplaceFile(*Env::Default(), scratch.dir(), "current", "first"));
    CHECK(*scratch.Read("current") == "first");
    RequireOk(ReplaceFile(*Env::Default(), scratch.dir(), "current", "second, longer"));
    CHECK(*scratch.Read("current") == "second, longer");
    CHECK(scratch.Mode("current") == 0600);
    CHECK(scratch.Names() == std::vector<std::string>{"current"});
  }
}

TEST_CASE("durable file: WriteNewFile never replaces an existing file", "[durable]") {
  FaultInjectionEnv env;
  SECTION("rename without replace") {}
  SECTION("link + unlink fallback") { env.UnsupportedNoReplace(true); }
  ScratchDir scratch;
  scratch.Write("snap", "original");
  const Status status = WriteNewFile(env, scratch.dir(), "snap", Bytes("new"));
  CHECK(status.code() == Code::kAlreadyExists);
  CHECK(*scratch.Read("snap") == "original");
  CHECK(scratch.Names() == std::vector<std::string>{"snap"});
}

TEST_CASE("durable file: the link + unlink fallback publishes like rename", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  env.UnsupportedNoReplace(true);
  RequireOk(WriteNewFile(env, scratch.dir(), "snap", Bytes("payload")));
  CHECK(*scratch.Read("snap") == "payload");
  CHECK(scratch.Names() == std::vector<std::string>{"snap"});
  CHECK(env.count(Op::kLinkAt) == 1);
}

TEST_CASE("durable file: a symlink at the final name is refused and nothing is written through it", "[durable]") {
  FaultInjectionEnv env;
  SECTION("rename without replace") {}
  SECTION("link + unlink fallback") { env.UnsupportedNoReplace(true); }
  ScratchDir scratch;
  ScratchDir elsewhere;
  elsewhere.Write("victim", "precious");
  REQUIRE(::symlink(elsewhere.Path("victim").c_str(), scratch.Path("snap").c_str()) == 0);
  const Status status = WriteNewFile(env, scratch.dir(), "snap", Bytes("attacker-controlled"));
  CHECK(status.code() == Code::kAlreadyExists);
  CHECK(*elsewhere.Read("victim") == "precious");
  CHECK(scratch.Names() == std::vector<std::string>{"snap"});
  CHECK_FALSE(scratch.Read("snap"));  // still the symlink, not a regular file
}

TEST_CASE("durable file: short writes still produce the exact bytes", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  env.ShortWrites(true);
  const std::string big = Pattern(600 * 1024);  // larger than FdSink's buffer
  RequireOk(WriteNewFile(env, scratch.dir(), "snap", [&](ByteSink& sink) {
    SEALSTATE_RETURN_IF_ERROR(sink.Append(big.substr(0, 1000)));
    SEALSTATE_RETURN_IF_ERROR(sink.Append(big.substr(1000, 400 * 1024)));
    return sink.Append(big.substr(1000 + 400 * 1024));
  }));
  CHECK(*scratch.Read("snap") == big);
  CHECK(env.count(Op::kWrite) > 10);
  RequireOk(ReplaceFile(env, scratch.dir(), "current", "pointer contents"));
  CHECK(*scratch.Read("current") == "pointer contents");
}

TEST_CASE("durable file: a short write followed by ENOSPC fails cleanly", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  env.ShortWriteThenFail(0);
  const Status status = WriteNewFile(env, scratch.dir(), "snap", Bytes(Pattern(5000)));
  CHECK(status.code() == Code::kIoError);
  CHECK(status.error_number() == ENOSPC);
  CHECK(scratch.Names().empty());
}

TEST_CASE("durable file: a failing before_publish check aborts without debris", "[durable]") {
  ScratchDir scratch;
  scratch.Write("current", "old");
  const auto refuse = [] { return Status::Conflict("current moved"); };
  CHECK(WriteNewFile(*Env::Default(), scratch.dir(), "snap", Bytes("x"), refuse).code() == Code::kConflict);
  CHECK(ReplaceFile(*Env::Default(), scratch.dir(), "current", "new", refuse).code() == Code::kConflict);
  CHECK(scratch.Names() == std::vector<std::string>{"current"});
  CHECK(*scratch.Read("current") == "old");
}

// The calls of `trace` as "Op path" strings, with the temp name replaced by "TEMP".
std::vector<std::string> Describe(const std::vector<TraceEntry>& trace, const std::string& temp_path) {
  std::vector<std::string> out;
  for (const TraceEntry& t : trace) {
    std::string line = std::string(testing::OpName(t.op)) + " " + (t.path == temp_path ? "TEMP" : t.path);
    if (!t.target.empty()) line += " -> " + t.target;
    out.push_back(line);
  }
  return out;
}

TEST_CASE("durable file: the syscall order is create, write, fsync, close, rename, fsync(dir)", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  const bool replace = GENERATE(false, true);
  const std::string name = replace ? "current" : "snap";
  RequireOk(replace ? ReplaceFile(env, scratch.dir(), name, "contents")
                    : WriteNewFile(env, scratch.dir(), name, Bytes("contents")));
  const std::vector<TraceEntry> trace = env.trace();
  REQUIRE_FALSE(trace.empty());
  REQUIRE(trace[0].op == Op::kOpenAt);
  const std::string temp_path = trace[0].path;
  const std::string temp_name = temp_path.substr(scratch.dir().path.size() + 1);
  CHECK(IsOurTemp(temp_name));
  CHECK(temp_name.rfind("." + name + ".tmp.", 0) == 0);
  CHECK((trace[0].arg & O_EXCL) != 0);
  CHECK((trace[0].arg & O_CREAT) != 0);
  CHECK((trace[0].arg & O_NOFOLLOW) != 0);

  const std::string final_path = scratch.Path(name);
  // The second description that holds the temp file's OFD lock (for debris cleanup) is opened
  // and locked right after the create and closed after the publish: the durable steps between
  // keep their order.
  const std::vector<std::string> expected = {
      "Chmod TEMP",
      "OpenAt TEMP",
      "OfdLock TEMP",
      "Write TEMP",
      "Fsync TEMP",
      "Close TEMP",
      "RenameAt TEMP -> " + final_path,
      "Fsync " + scratch.dir().path,
      "Close TEMP",
  };
  std::vector<std::string> described = Describe(trace, temp_path);
  described.erase(described.begin());
  CHECK(described == expected);
  CHECK((trace[2].arg & (O_CREAT | O_TRUNC)) == 0);  // the lock's description opens the temp as it is
  const TraceEntry& rename = trace[7];
  CHECK(rename.arg == (replace ? 0 : 1));  // no_replace for new files only
}

TEST_CASE("durable file: a large file's writeback is started as it is written, before its fsync", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  const std::string data = Pattern(10 * 1024 * 1024 + 5);
  RequireOk(WriteNewFile(env, scratch.dir(), "big", [&](ByteSink& sink) {
    for (std::size_t at = 0; at < data.size(); at += 100000)
      SEALSTATE_RETURN_IF_ERROR(sink.Append(data.substr(at, 100000)));
    return Status::OK();
  }));
  CHECK(*scratch.Read("big") == data);
  std::vector<std::uint64_t> started;
  std::optional<std::uint64_t> fsync;
  for (const TraceEntry& t : env.trace()) {
    if (t.op == Op::kStartWriteback) started.push_back(t.index);
    if (t.op == Op::kFsync && !fsync) fsync = t.index;
  }
  CHECK(started.size() == 2);  // after 4 MiB and 8 MiB; the fsync covers the rest
  REQUIRE(fsync);
  for (std::uint64_t index : started) CHECK(index < *fsync);
  env.ResetCounters();
  RequireOk(WriteNewFile(env, scratch.dir(), "small", Bytes(Pattern(1024 * 1024))));
  CHECK(env.count(Op::kStartWriteback) == 0);  // small files: the fsync alone
}

TEST_CASE("durable file: a failed writeback start fails the write and leaves nothing", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  const std::string data = Pattern(5 * 1024 * 1024);
  RequireOk(WriteNewFile(env, scratch.dir(), "probe", Bytes(data)));
  std::optional<std::uint64_t> start;
  for (const TraceEntry& t : env.trace()) {
    if (t.op == Op::kStartWriteback) start = t.index;
  }
  REQUIRE(start);
  REQUIRE(::unlinkat(scratch.dir().fd, "probe", 0) == 0);
  env.ResetCounters();
  env.FailCall(*start, EIO, /*persistent=*/false);
  const Status status = WriteNewFile(env, scratch.dir(), "snap", Bytes(data));
  CHECK(status.code() == Code::kIoError);
  CHECK(status.message().find("start writeback of") != std::string::npos);
  CHECK(scratch.Names().empty());
}

// What one sweep case injects, and the state it starts from.
struct SweepMode {
  int err;
  bool persistent;
  bool fallback;  // RENAME_NOREPLACE unsupported: link + unlink
  bool short_writes;
};

std::string Label(const SweepMode& m) {
  return std::string(m.err == EIO ? "EIO" : "ENOSPC") + (m.persistent ? " persistent" : " once") +
         (m.fallback ? " link-fallback" : "") + (m.short_writes ? " short-writes" : "");
}

// Whether the last UnlinkAt of `path` in `trace` failed (so the file legitimately remains).
bool LastUnlinkFailed(const std::vector<TraceEntry>& trace, const std::string& path) {
  bool failed = false;
  for (const TraceEntry& t : trace) {
    if (t.op == Op::kUnlinkAt && t.path == path) failed = t.failed;
  }
  return failed;
}

// Whether a RenameAt or LinkAt to `path` succeeded (the new file was published).
bool Published(const std::vector<TraceEntry>& trace, const std::string& path) {
  for (const TraceEntry& t : trace) {
    if ((t.op == Op::kRenameAt || t.op == Op::kLinkAt) && t.target == path && !t.failed) return true;
  }
  return false;
}

// Every injected failure was harmless to a published file: an UnlinkAt of a temp file (after
// the file was published), or the Close after the publish of the temp's lock-holding
// description (never written, so its result does not matter).
bool OnlyHarmlessTempCallsFailed(const std::vector<TraceEntry>& trace, const ScratchDir& scratch) {
  bool published = false;
  for (const TraceEntry& t : trace) {
    if ((t.op == Op::kRenameAt || t.op == Op::kLinkAt) && !t.failed) published = true;
    if (!t.failed) continue;
    const std::string name = t.path.substr(scratch.dir().path.size() + 1);
    const bool lock_close = t.op == Op::kClose && published;
    if (!(t.op == Op::kUnlinkAt || lock_close) || !IsOurTemp(name)) return false;
  }
  return true;
}

// Debris may remain only where removing it was itself made to fail.
void CheckDebris(const ScratchDir& scratch, const std::vector<TraceEntry>& trace,
                 const std::set<std::string>& expected) {
  for (const std::string& name : Extra(scratch, expected)) {
    INFO("left behind: " << name);
    CHECK(IsOurTemp(name));
    CHECK(LastUnlinkFailed(trace, scratch.Path(name)));
  }
}

// One WriteNewFile with call k failed. Returns false when no failure was injected (k is past
// the last call): the sweep is complete.
bool SweepWriteNewFileAt(std::uint64_t k, const SweepMode& mode) {
  ScratchDir scratch;
  scratch.Write("other", "keep");
  const std::string payload = Pattern(mode.short_writes ? 64 : 1000);
  FaultInjectionEnv env;
  env.UnsupportedNoReplace(mode.fallback);
  env.ShortWrites(mode.short_writes);
  env.FailCall(k, mode.err, mode.persistent);
  const int fds_before = testing::OpenFdCount();
  const Status status = WriteNewFile(env, scratch.dir(), "snap", Bytes(payload));
  const std::vector<TraceEntry> trace = env.trace();
  INFO("WriteNewFile, fail call " << k << " (" << Label(mode) << "): " << status.ToString());
  CHECK(testing::OpenFdCount() == fds_before);
  CHECK(*scratch.Read("other") == "keep");
  const std::optional<std::string> snap = scratch.Read("snap");
  if (env.injected() == 0) {
    CHECK(status.ok());
    CHECK(snap == payload);
    return false;
  }
  if (status.ok()) {
    // Only the fallback's temp unlink after a successful link (the temp is then debris, removed
    // at the end if possible) and the close of the temp's lock-holding description after the
    // publish may fail without failing the write.
    CHECK(OnlyHarmlessTempCallsFailed(trace, scratch));
    CHECK(snap == payload);
  } else if (snap) {
    // Published, then the directory fsync failed and removing the name failed too.
    CHECK(*snap == payload);
    CHECK(LastUnlinkFailed(trace, scratch.Path("snap")));
  }
  CheckDebris(scratch, trace, {"other", "snap"});
  return true;
}

// ReplaceFile, or the same through PreparedReplacement (Prepare, then Publish).
Status Replace(Env& env, const Dir& dir, std::string_view name, const std::string& contents, bool prepared) {
  if (!prepared) return ReplaceFile(env, dir, name, contents);
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<PreparedReplacement> replacement,
                             PreparedReplacement::Prepare(env, dir, name, contents));
  return replacement->Publish();
}

// One ReplaceFile of "current" with call k failed; false when no failure was injected.
bool SweepReplaceFileAt(std::uint64_t k, const SweepMode& mode, bool prepared) {
  ScratchDir scratch;
  scratch.Write("current", "old contents");
  const std::string payload = "new contents " + Pattern(mode.short_writes ? 40 : 500);
  FaultInjectionEnv env;
  env.ShortWrites(mode.short_writes);
  env.FailCall(k, mode.err, mode.persistent);
  const int fds_before = testing::OpenFdCount();
  const Status status = Replace(env, scratch.dir(), "current", payload, prepared);
  const std::vector<TraceEntry> trace = env.trace();
  INFO((prepared ? "PreparedReplacement" : "ReplaceFile")
       << ", fail call " << k << " (" << Label(mode) << "): " << status.ToString());
  CHECK(testing::OpenFdCount() == fds_before);
  const std::optional<std::string> current = scratch.Read("current");
  REQUIRE(current);
  if (env.injected() == 0) {
    CHECK(status.ok());
    CHECK(*current == payload);
    return false;
  }
  if (status.ok()) {
    // Only the close of the temp's lock-holding description after the publish may fail.
    CHECK(OnlyHarmlessTempCallsFailed(trace, scratch));
    CHECK(*current == payload);
  } else if (*current != "old contents") {
    // Only a failure after the rename (the directory fsync) may leave the new contents.
    CHECK(*current == payload);
    CHECK(Published(trace, scratch.Path("current")));
  }
  CheckDebris(scratch, trace, {"current"});
  return true;
}

template <typename Case>
int Sweep(const std::vector<SweepMode>& modes, Case run_case) {
  int cases = 0;
  for (const SweepMode& mode : modes) {
    for (std::uint64_t k = 0; run_case(k, mode); ++k) ++cases;
  }
  return cases;
}

std::vector<SweepMode> AllModes(bool with_fallback) {
  std::vector<SweepMode> modes;
  for (const int err : {EIO, ENOSPC}) {
    for (const bool persistent : {false, true}) {
      for (const bool fallback : {false, true}) {
        if (fallback && !with_fallback) continue;
        for (const bool short_writes : {false, true}) modes.push_back({err, persistent, fallback, short_writes});
      }
    }
  }
  return modes;
}

TEST_CASE("durable file: sweep: WriteNewFile with any one call failing", "[durable][sweep]") {
  const int cases = Sweep(AllModes(/*with_fallback=*/true), SweepWriteNewFileAt);
  WARN("WriteNewFile sweep: " << cases << " failure cases");
  CHECK(cases > 0);
}

TEST_CASE("durable file: sweep: ReplaceFile with any one call failing", "[durable][sweep]") {
  const int cases = Sweep(AllModes(/*with_fallback=*/false),
                          [](std::uint64_t k, const SweepMode& mode) { return SweepReplaceFileAt(k, mode, false); });
  WARN("ReplaceFile sweep: " << cases << " failure cases");
  CHECK(cases > 0);
}

TEST_CASE("durable file: sweep: PreparedReplacement (Prepare, then Publish) with any one call failing",
          "[durable][sweep]") {
  const int cases = Sweep(AllModes(/*with_fallback=*/false),
                          [](std::uint64_t k, const SweepMode& mode) { return SweepReplaceFileAt(k, mode, true); });
  WARN("PreparedReplacement sweep: " << cases << " failure cases");
  CHECK(cases > 0);
}

TEST_CASE("durable file: a PreparedReplacement fsyncs its temp file before the rename, or leaves nothing",
          "[durable]") {
  ScratchDir scratch;
  scratch.Write("current", "old");
  FaultInjectionEnv env;
  {
    Result<std::unique_ptr<PreparedReplacement>> abandoned =
        PreparedReplacement::Prepare(env, scratch.dir(), "current", "never");
    REQUIRE(abandoned.ok());
    CHECK(scratch.Names().size() == 2);  // current and the temp file
  }
  CHECK(*scratch.Read("current") == "old");
  CHECK(scratch.Names() == std::vector<std::string>{"current"});
  env.ResetCounters();
  Result<std::unique_ptr<PreparedReplacement>> prepared =
      PreparedReplacement::Prepare(env, scratch.dir(), "current", "new\n");
  REQUIRE(prepared.ok());
  RequireOk((*prepared)->Publish());
  CHECK(*scratch.Read("current") == "new\n");
  std::vector<Op> ops;
  for (const TraceEntry& t : env.trace()) {
    if (t.op == Op::kFsync || t.op == Op::kRenameAt) ops.push_back(t.op);
  }
  CHECK(ops == std::vector<Op>{Op::kFsync, Op::kRenameAt, Op::kFsync});
  CHECK((*prepared)->Publish().code() == Code::kInternal);  // at most once
}

// Whether some open file description other than a fresh one of ours holds an OFD lock on `path`.
bool OfdLockedElsewhere(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_OFD_GETLK, &lock) == 0);
  ::close(fd);
  return lock.l_type != F_UNLCK;
}

// The temp files (of this process) in the scratch directory.
std::vector<std::string> OurTemps(const ScratchDir& scratch) {
  std::vector<std::string> temps;
  for (const std::string& name : scratch.Names()) {
    if (IsOurTemp(name)) temps.push_back(name);
  }
  return temps;
}

TEST_CASE("durable file: the temp file is OFD-locked from creation until it is published", "[durable]") {
  // Debris cleanup decides liveness by that lock (pids do not cross pid namespaces).
  ScratchDir scratch;
  FaultInjectionEnv env;
  bool locked_while_written = false;
  RequireOk(WriteNewFile(env, scratch.dir(), "snap", [&](ByteSink& sink) {
    const std::vector<std::string> temps = OurTemps(scratch);
    REQUIRE(temps.size() == 1);
    locked_while_written = OfdLockedElsewhere(scratch.Path(temps[0]));
    return sink.Append("bytes");
  }));
  CHECK(locked_while_written);
  bool locked_before_publish = false;
  RequireOk(ReplaceFile(env, scratch.dir(), "current", "rev\n", [&]() {
    const std::vector<std::string> temps = OurTemps(scratch);
    REQUIRE(temps.size() == 1);
    locked_before_publish = OfdLockedElsewhere(scratch.Path(temps[0]));
    return Status::OK();
  }));
  CHECK(locked_before_publish);
  CHECK_FALSE(OfdLockedElsewhere(scratch.Path("snap")));  // released once published
  CHECK_FALSE(OfdLockedElsewhere(scratch.Path("current")));
}

// OpenStackFile's result for `name`: the fd closed again, only the status kept.
Status OpenedStatus(Env& env, const ScratchDir& scratch, const std::string& name, int access) {
  Result<int> fd = OpenStackFile(env, scratch.dir(), name, access);
  if (fd.ok()) ::close(*fd);
  return fd.status();
}

TEST_CASE("stack file: a regular file with one link opens, without blocking flags leaking into reads", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  scratch.Write("journal", "line\n");
  Result<int> fd = OpenStackFile(env, scratch.dir(), "journal", O_RDWR);
  REQUIRE(fd.ok());
  char buffer[8] = {};
  CHECK(::read(*fd, buffer, sizeof buffer) == 5);
  ::close(*fd);
  CHECK((env.trace()[0].arg & (O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) == (O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  CHECK(OpenedStatus(env, scratch, "missing", O_RDONLY).code() == Code::kNotFound);
}

TEST_CASE("stack file: a FIFO is refused at once, for reading and for writing, naming the file", "[durable]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  REQUIRE(::mkfifo(scratch.Path("current").c_str(), 0600) == 0);
  const int fds_before = testing::OpenFdCount();
  for (const int access : {O_RDONLY, O_RDWR}) {
    const Status status = OpenedStatus(env, scratch, "current", access);  // a plain open would block here
    CHECK(status.code() == Code::kIntegrity);
    CHECK(status.message() == scratch.Path("current") +
                                  " is not a regular file (a FIFO); a stack file must be one: "
                                  "remove it, or restore the file sealstate wrote there");
  }
  CHECK(testing::OpenFdCount() == fds_before);  // the refused fd was closed
  REQUIRE(::mkdir(scratch.Path("snapshot").c_str(), 0700) == 0);
  CHECK(OpenedStatus(env, scratch, "snapshot", O_RDONLY).message().find("(a directory)") != std::string::npos);
  REQUIRE(::symlink("/etc/hostname", scratch.Path("link").c_str()) == 0);
  const Status symlink = OpenedStatus(env, scratch, "link", O_RDONLY);
  CHECK(symlink.code() == Code::kIoError);
  CHECK(symlink.error_number() == ELOOP);
}

TEST_CASE("stack file: a second hard link is refused unless it is the file's own temp name", "[durable]") {
  ScratchDir scratch;
  ScratchDir outside;
  FaultInjectionEnv env;
  scratch.Write("journal", "line\n");
  REQUIRE(::link(scratch.Path("journal").c_str(), outside.Path("elsewhere").c_str()) == 0);
  for (const int access : {O_RDONLY, O_RDWR}) {
    const Status status = OpenedStatus(env, scratch, "journal", access);
    CHECK(status.code() == Code::kIntegrity);
    CHECK(status.message().rfind(scratch.Path("journal") + " has 2 hard links; ", 0) == 0);
  }
  CHECK(*outside.Read("elsewhere") == "line\n");
  REQUIRE(::unlink(outside.Path("elsewhere").c_str()) == 0);
  CHECK(OpenedStatus(env, scratch, "journal", O_RDWR).ok());

  // Published by link + unlink: until the temp name is removed (or after a crash left it), the
  // file's own temp name is a second link, which is allowed; any other name is not.
  scratch.Write("lock", "record");
  REQUIRE(::link(scratch.Path("lock").c_str(), scratch.Path(TempNameFor("lock")).c_str()) == 0);
  CHECK(OpenedStatus(env, scratch, "lock", O_RDONLY).ok());
  REQUIRE(::link(scratch.Path("lock").c_str(), scratch.Path(".lock.backup").c_str()) == 0);
  CHECK(OpenedStatus(env, scratch, "lock", O_RDONLY).message().find("has 3 hard links") != std::string::npos);
  REQUIRE(::link(scratch.Path("journal").c_str(), scratch.Path(TempNameFor("lock")).c_str()) == 0);
  CHECK(OpenedStatus(env, scratch, "journal", O_RDONLY).code() == Code::kIntegrity);  // another file's temp name
}

TEST_CASE("durable file: temp names are hidden, attributable and carry the pid", "[durable]") {
  const std::string a = TempNameFor("snap-0001");
  const std::string b = TempNameFor("snap-0001");
  CHECK(a != b);
  CHECK(a.rfind(".snap-0001.tmp.", 0) == 0);
  CHECK(TempFileOwner(a) == static_cast<long>(::getpid()));
  CHECK(TempFileOwner(TempNameFor("a.tmp.5")) == static_cast<long>(::getpid()));
  CHECK(TempFileOwner(".snap.tmp.4242.00ff00ff00ff00ff") == 4242);
  for (const char* not_temp : {"snap", "", ".hidden", ".snap.tmp.", ".snap.tmp.abc.def", ".snap.tmp.-5.ab",
                               ".snap.tmp.0.ab", ".snap.tmp.12", "snap.tmp.12.ab"}) {
    INFO(not_temp);
    CHECK(TempFileOwner(not_temp) == 0);
  }
}

}  // namespace
}  // namespace sealstate::internal

namespace sealstate::internal {
namespace {

// Whether `fd` is open in this process.
bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

// How many threads this process has (entries of /proc/self/task).
std::size_t ThreadCount() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++count;
  return count;
}

TEST_CASE("env: CloseLater closes an unlinked file's fd, at the latest by WaitForLaterCloses", "[durable]") {
  ScratchDir scratch;
  Env& env = *Env::Default();
  const std::size_t threads_before = ThreadCount();
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) {
    const std::string name = "old-" + std::to_string(i);
    RequireOk(ReplaceFile(env, scratch.dir(), name, Pattern(64 * 1024)));
    Result<int> fd = env.OpenAt(scratch.dir(), name, O_RDONLY | O_CLOEXEC, 0);
    RequireOk(fd.status());
    RequireOk(env.UnlinkAt(scratch.dir(), name));
    struct stat st;
    REQUIRE(::fstat(*fd, &st) == 0);
    CHECK(st.st_nlink == 0);  // no name left; the open fd keeps the blocks
    fds.push_back(*fd);
  }
  for (const int fd : fds) env.CloseLater(fd, "old");
  env.WaitForLaterCloses();
  for (const int fd : fds) CHECK_FALSE(IsOpen(fd));
  // The closer thread has ended and was joined: none is left running (to the process's exit,
  // where a leak checker would count its stack's thread-local block as possibly lost).
  CHECK(ThreadCount() == threads_before);
  env.WaitForLaterCloses();  // nothing pending: returns at once
}

}  // namespace
}  // namespace sealstate::internal
