// Tests for the stack journal (src/journal): seqs, order, round-trip, torn-line repair,
// corruption reports, modes, concurrent appenders, and injected I/O failures.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "journal/journal_event_json.h"
#include "journal/journal_mac.h"
#include "support/fault_injection_env.h"
#include "support/journal_fixture.h"
#include "support/scratch_dir.h"
#include "test_support.h"

namespace sealstate::internal {
namespace {

using testing::FaultInjectionEnv;
using testing::JournalTestKey;
using testing::MustReadJournal;
using testing::Op;
using testing::ScratchDir;

Timestamp At(std::int64_t unix_seconds, std::int32_t nanos = 0, std::int32_t offset = 0) {
  Timestamp t;
  t.unix_seconds = unix_seconds;
  t.nanos = nanos;
  t.offset_seconds = offset;
  return t;
}

JournalEvent Event(std::string kind, std::string detail = "") {
  return testing::JournalTestEvent(std::move(kind), "0000000001", std::move(detail));
}

std::uint64_t MustAppend(JournalFile& journal, const JournalEvent& event) {
  Result<std::uint64_t> seq = journal.Append(event);
  INFO(seq.status().ToString());
  REQUIRE(seq.ok());
  return *seq;
}

std::vector<std::uint64_t> Seqs(const std::vector<JournalEvent>& events) {
  std::vector<std::uint64_t> seqs;
  for (const JournalEvent& e : events) seqs.push_back(e.seq);
  return seqs;
}

std::string Line(std::uint64_t seq) {
  JournalEvent e = Event("write");
  e.seq = seq;
  return EncodeJournalEvent(e) + "\n";
}

// Line(seq) as a JournalFile without a MAC key appends it: saying it is unauthenticated.
std::string AppendedLine(std::uint64_t seq) {
  JournalEvent e = Event("write");
  e.seq = seq;
  e.mac = "none";
  return EncodeJournalEvent(e) + "\n";
}

TEST_CASE("journal: appends get seqs 1, 2, 3 and read back in file order", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  CHECK(MustReadJournal(journal).empty());  // no journal file yet
  CHECK_FALSE(scratch.Read("journal"));
  CHECK(MustAppend(journal, Event("write", "a")) == 1);
  CHECK(MustAppend(journal, Event("set-current", "b")) == 2);
  CHECK(MustAppend(journal, Event("remove", "c")) == 3);

  const std::vector<JournalEvent> all = MustReadJournal(journal);
  REQUIRE(Seqs(all) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(all[0].detail == "a");
  CHECK(all[1].event == "set-current");
  CHECK(all[2].detail == "c");
  CHECK(Seqs(MustReadJournal(journal, 1)) == std::vector<std::uint64_t>{2, 3});
  CHECK(Seqs(MustReadJournal(journal, 2)) == std::vector<std::uint64_t>{3});
  CHECK(MustReadJournal(journal, 3).empty());
  CHECK(MustReadJournal(journal, 100).empty());
}

TEST_CASE("journal: every field round-trips; the line is compact JSON in a fixed order", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  JournalEvent e;
  e.time = At(1777550400, 123456789, 2 * 3600);
  e.event = "lock-break";
  e.rev = "0000000007";
  e.lock_id = "9f1c2e";
  e.actor = "bob@h2";
  e.pid = -1;
  e.detail = "pid 4242 on h1 is gone; \"quoted\", tab\t, newline\n, <&> é \xE2\x9C\x93";
  REQUIRE(MustAppend(journal, e) == 1);

  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 1);
  e.seq = 1;
  e.mac = "none";  // appended without a MAC key
  CHECK(events[0] == e);
  const std::string text = *scratch.Read("journal");
  CHECK(text.rfind("{\"seq\":1,\"time\":\"2026-04-30T14:00:00.123456789+02:00\",\"event\":\"lock-break\","
                   "\"rev\":\"0000000007\",\"lock-id\":\"9f1c2e\",\"actor\":\"bob@h2\",\"pid\":-1,\"detail\":",
                   0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);  // the newline in detail is escaped
  CHECK(text.back() == '\n');
}

TEST_CASE(
    "journal: a write's envelope version is recorded after the other members (before the MAC), and lines without it "
    "read as 0",
    "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  JournalEvent e;
  e.time = At(1777550400, 0, 0);
  e.event = "write";
  e.rev = "2026-04-30T12:00:00Z";
  e.envelope_version = 2;
  REQUIRE(MustAppend(journal, e) == 1);
  JournalEvent other;
  other.time = e.time;
  other.event = "set-current";
  REQUIRE(MustAppend(journal, other) == 2);
  const std::string text = *scratch.Read("journal");
  const std::string first = text.substr(0, text.find('\n'));
  CHECK(first.size() > 35);
  CHECK(first.substr(first.size() - 35) == ",\"envelope-version\":2,\"mac\":\"none\"}");
  CHECK(text.substr(first.size() + 1).find("envelope-version") == std::string::npos);  // only when recorded
  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 2);
  CHECK(events[0].envelope_version == 2);
  CHECK(events[1].envelope_version == 0);
}

TEST_CASE("journal: an unset time is taken from env.Now()", "[journal]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  env.FreezeClock(At(1800000000, 5));
  JournalFile journal(env, scratch.dir());
  JournalEvent e = Event("write");
  e.time = Timestamp{};
  REQUIRE(MustAppend(journal, e) == 1);
  CHECK(MustReadJournal(journal)[0].time == At(1800000000, 5));
}

TEST_CASE("journal: a torn last line is skipped on read and truncated by the next append", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  MustAppend(journal, Event("write"));
  MustAppend(journal, Event("set-current"));
  const std::string intact = *scratch.Read("journal");
  scratch.Append("journal", "{\"seq\":3,\"time\":\"2026-");  // a crash mid-write

  CHECK(Seqs(MustReadJournal(journal)) == std::vector<std::uint64_t>{1, 2});
  CHECK(MustAppend(journal, Event("remove", "after repair")) == 3);
  const std::string repaired = *scratch.Read("journal");
  CHECK(repaired.substr(0, intact.size()) == intact);
  CHECK(std::count(repaired.begin(), repaired.end(), '\n') == 3);
  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(Seqs(events) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(events[2].detail == "after repair");
}

TEST_CASE("journal: a file holding only a torn line is repaired to empty", "[journal]") {
  ScratchDir scratch;
  scratch.Write("journal", std::string(100, '\0'));  // zero-filled tail after power loss
  JournalFile journal(*Env::Default(), scratch.dir());
  CHECK(MustReadJournal(journal).empty());
  CHECK(MustAppend(journal, Event("write")) == 1);
  CHECK(MustReadJournal(journal).size() == 1);
  CHECK(scratch.Read("journal")->find('\0') == std::string::npos);
}

TEST_CASE("journal: long lines spanning read chunks", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  const std::string big(200 * 1024, 'x');
  MustAppend(journal, Event("write", big));
  MustAppend(journal, Event("write", big));
  scratch.Append("journal", std::string(150 * 1024, 'y'));  // a long torn line
  CHECK(MustAppend(journal, Event("write", "small")) == 3);
  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 3);
  CHECK(events[1].detail == big);
}

TEST_CASE("journal: a malformed complete line is an integrity error naming its line", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());

  SECTION("not JSON") { scratch.Write("journal", Line(1) + "garbage\n" + Line(3)); }
  SECTION("an empty line") { scratch.Write("journal", Line(1) + "\n" + Line(3)); }
  SECTION("a missing seq") { scratch.Write("journal", Line(1) + "{\"time\":\"2026-04-30T12:00:00Z\"}\n" + Line(3)); }
  SECTION("a bad time") { scratch.Write("journal", Line(1) + "{\"seq\":2,\"time\":\"yesterday\"}\n" + Line(3)); }
  SECTION("a wrongly typed member") {
    scratch.Write("journal", Line(1) + "{\"seq\":2,\"time\":\"2026-04-30T12:00:00Z\",\"pid\":\"x\"}\n" + Line(3));
  }
  Result<std::vector<JournalEvent>> events = journal.Read(0);
  REQUIRE_FALSE(events.ok());
  CHECK(events.status().code() == Code::kIntegrity);
  CHECK(events.status().message().rfind("journal: line 2: ", 0) == 0);
}

// After a power cut the unsynced part of the append in flight can come back zero-filled or as
// garbage, newlines included (found by the power-loss suite): malformed complete lines at the
// end are that torn append, skipped on read and cut off by the next append, which must not
// refuse (every later commit would fail).
TEST_CASE("journal: malformed lines at the end are a torn append, repaired", "[journal]") {
  ScratchDir scratch;
  std::string tail;
  SECTION("not json") { tail = "not json\n"; }
  SECTION("zeros with the newline") { tail = std::string(40, '\0') + "\n"; }
  SECTION("garbage with newlines") { tail = std::string("\x93\x01\n\xff{\"seq\n\x07", 10); }
  SECTION("zeros, then the end of the line") { tail = std::string(30, '\0') + Line(2).substr(30); }
  scratch.Write("journal", Line(1) + tail);
  JournalFile journal(*Env::Default(), scratch.dir());
  CHECK(Seqs(MustReadJournal(journal)) == std::vector<std::uint64_t>{1});
  CHECK(MustAppend(journal, Event("write")) == 2);
  const std::string repaired = *scratch.Read("journal");
  CHECK(repaired.rfind(Line(1), 0) == 0);
  CHECK(std::count(repaired.begin(), repaired.end(), '\n') == 2);
  CHECK(Seqs(MustReadJournal(journal)) == std::vector<std::uint64_t>{1, 2});
  CHECK(scratch.Read("journal")->find('\0') == std::string::npos);
}

TEST_CASE("journal: append refuses when malformed lines at the end exceed a torn append", "[journal]") {
  ScratchDir scratch;
  std::string garbage;
  while (garbage.size() <= (1u << 20)) garbage += "not json\n";
  scratch.Write("journal", Line(1) + garbage);
  JournalFile journal(*Env::Default(), scratch.dir());
  Result<std::uint64_t> seq = journal.Append(Event("write"));
  REQUIRE_FALSE(seq.ok());
  CHECK(seq.status().code() == Code::kIntegrity);
  CHECK(*scratch.Read("journal") == Line(1) + garbage);
  Result<std::vector<JournalEvent>> events = journal.Read(0);
  REQUIRE_FALSE(events.ok());
  CHECK(events.status().code() == Code::kIntegrity);
}

// Passes every call on and counts the bytes ReadAt returns.
class ReadCountingEnv : public testing::EnvWrapper {
 public:
  ReadCountingEnv() : EnvWrapper(Env::Default()) {}
  Result<std::size_t> ReadAt(int fd, char* buffer, std::size_t capacity, off_t offset,
                             const std::string& what) override {
    Result<std::size_t> n = EnvWrapper::ReadAt(fd, buffer, capacity, offset, what);
    if (n.ok()) bytes_read += *n;
    return n;
  }
  std::size_t bytes_read = 0;
};

// A torn append is one line (at most kMaxJournalLineBytes) plus what a power cut leaves (at
// most kMaxTornTailBytes in all): the append looks back no further than that, however long the
// tail (it read the whole tail, and in quadratic time, before).
TEST_CASE("journal: append reads a bounded tail and refuses an unterminated tail beyond a torn append", "[journal]") {
  ScratchDir scratch;
  const std::string tail(8u << 20, 'x');
  scratch.Write("journal", Line(1) + tail);
  ReadCountingEnv env;
  JournalFile journal(env, scratch.dir());
  Result<std::uint64_t> seq = journal.Append(Event("write"));
  CHECK(env.bytes_read <= kMaxJournalLineBytes + kMaxTornTailBytes + 64 * 1024);
  REQUIRE_FALSE(seq.ok());
  CHECK(seq.status().code() == Code::kIntegrity);
  CHECK(seq.status().message().find(scratch.Path("journal")) != std::string::npos);
  CHECK(seq.status().message().find("more than 1 MiB") != std::string::npos);
  CHECK(*scratch.Read("journal") == Line(1) + tail);
}

TEST_CASE("journal: a longest line followed by a longest torn tail is repaired", "[journal]") {
  ScratchDir scratch;
  JournalEvent longest = Event("write");
  longest.seq = 2;
  longest.detail = std::string(kMaxJournalLineBytes - EncodeJournalEvent(longest).size() - 1, 'd');
  const std::string line = EncodeJournalEvent(longest) + "\n";
  REQUIRE(line.size() == kMaxJournalLineBytes);
  // Line(1)'s newline is the first byte the append must read.
  scratch.Write("journal", Line(1) + line + "not json\n" + std::string(kMaxTornTailBytes - 9, 'y'));
  JournalFile journal(*Env::Default(), scratch.dir());
  CHECK(MustAppend(journal, Event("write")) == 3);
  CHECK(*scratch.Read("journal") == Line(1) + line + AppendedLine(3));
}

TEST_CASE("journal: append refuses an event longer than a journal line may be", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  MustAppend(journal, Event("write"));
  Result<std::uint64_t> seq = journal.Append(Event("write", std::string(kMaxJournalLineBytes, 'd')));
  REQUIRE_FALSE(seq.ok());
  CHECK(seq.status().code() == Code::kInvalidArgument);
  CHECK(seq.status().message().find("1 MiB") != std::string::npos);
  CHECK(*scratch.Read("journal") == AppendedLine(1));
}

TEST_CASE("journal: read refuses a line longer than a journal line may be", "[journal]") {
  ScratchDir scratch;
  JournalFile journal(*Env::Default(), scratch.dir());
  SECTION("unterminated") { scratch.Write("journal", Line(1) + std::string(kMaxJournalLineBytes + 1, 'x')); }
  SECTION("complete") { scratch.Write("journal", Line(1) + std::string(kMaxJournalLineBytes, 'x') + "\n" + Line(3)); }
  Result<std::vector<JournalEvent>> events = journal.Read(0);
  REQUIRE_FALSE(events.ok());
  CHECK(events.status().code() == Code::kIntegrity);
  CHECK(events.status().message().rfind("journal: line 2: longer than 1 MiB", 0) == 0);
}

TEST_CASE("journal: the file is created 0600 whatever the umask", "[journal]") {
  for (const mode_t mask : {mode_t{0}, mode_t{0277}}) {
    ScratchDir scratch;
    testing::UmaskGuard umask(mask);
    JournalFile journal(*Env::Default(), scratch.dir());
    MustAppend(journal, Event("write"));
    CHECK(scratch.Mode("journal") == 0600);
  }
}

TEST_CASE("journal: creation fsyncs the directory; later appends fsync only the file", "[journal]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  JournalFile journal(env, scratch.dir());
  MustAppend(journal, Event("write"));
  std::vector<std::string> synced;
  for (const testing::TraceEntry& t : env.trace()) {
    if (t.op == Op::kFsync) synced.push_back(t.path);
  }
  // Created through WriteNewFile: temp file, directory, then the appended journal.
  REQUIRE(synced.size() == 3);
  CHECK(synced[0].find("/.journal.tmp.") != std::string::npos);
  CHECK(synced[1] == scratch.dir().path);
  CHECK(synced[2] == scratch.Path("journal"));
  CHECK(env.count(Op::kOfdLock) == 2);  // the temp file's (while created), the append's

  env.ResetCounters();
  MustAppend(journal, Event("write"));
  CHECK(env.count(Op::kFsync) == 1);
  CHECK(env.count(Op::kClose) == 1);
}

TEST_CASE("journal: a symlink at the journal name is refused", "[journal]") {
  ScratchDir scratch;
  ScratchDir elsewhere;
  elsewhere.Write("victim", "precious\n");
  REQUIRE(::symlink(elsewhere.Path("victim").c_str(), scratch.Path("journal").c_str()) == 0);
  JournalFile journal(*Env::Default(), scratch.dir());
  CHECK_FALSE(journal.Append(Event("write")).ok());
  CHECK_FALSE(journal.Read(0).ok());
  CHECK(*elsewhere.Read("victim") == "precious\n");
}

TEST_CASE("journal: short writes still produce whole lines", "[journal]") {
  ScratchDir scratch;
  FaultInjectionEnv env;
  env.ShortWrites(true);
  JournalFile journal(env, scratch.dir());
  CHECK(MustAppend(journal, Event("write", std::string(1000, 'z'))) == 1);
  CHECK(MustAppend(journal, Event("write")) == 2);
  CHECK(env.count(Op::kWrite) > 2);
  CHECK(Seqs(MustReadJournal(journal)) == std::vector<std::uint64_t>{1, 2});
}

// Appends `count` events tagged with this process's pid; exits 0 on success.
[[noreturn]] void AppendInChild(const Dir& dir, int count) {
  JournalFile journal(*Env::Default(), dir);
  for (int i = 0; i < count; ++i) {
    JournalEvent e;
    e.event = "write";
    e.pid = ::getpid();
    e.detail = std::to_string(i);
    if (!journal.Append(e).ok()) ::_exit(1);
  }
  ::_exit(0);
}

TEST_CASE("journal: two processes appending concurrently get seqs 1..400 without duplicates", "[journal]") {
  ScratchDir scratch;
  constexpr int kPerChild = 200;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) AppendInChild(scratch.dir(), kPerChild);
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  JournalFile journal(*Env::Default(), scratch.dir());
  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 2 * kPerChild);
  std::map<std::int64_t, int> next_per_child;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].seq == i + 1);
    int& next = next_per_child[events[i].pid];
    CHECK(events[i].detail == std::to_string(next));  // each child's events in its own order
    ++next;
  }
  CHECK(next_per_child.size() == 2);
  const std::string text = *scratch.Read("journal");
  CHECK(std::count(text.begin(), text.end(), '\n') == 2 * kPerChild);
}

// The journal after a failed append must still be readable, with seqs 1..n in order and the
// failed event either fully there or absent; the next append must work.
void CheckJournalRecovers(const ScratchDir& scratch, std::uint64_t before, bool& failed_line_present) {
  JournalFile clean(*Env::Default(), scratch.dir());
  const std::vector<JournalEvent> events = MustReadJournal(clean);
  REQUIRE((events.size() == before || events.size() == before + 1));
  failed_line_present = events.size() == before + 1;
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].seq == i + 1);
  CHECK(MustAppend(clean, Event("write", "next")) == events.size() + 1);
}

TEST_CASE("journal: a failed fsync is reported and leaves a consistent journal", "[journal]") {
  ScratchDir scratch;
  JournalFile plain(*Env::Default(), scratch.dir());
  MustAppend(plain, Event("write"));
  MustAppend(plain, Event("write"));

  FaultInjectionEnv env;
  JournalFile journal(env, scratch.dir());
  MustAppend(journal, Event("write"));  // a dry run to find the file fsync's call index
  std::uint64_t fsync_index = 0;
  for (const testing::TraceEntry& t : env.trace()) {
    if (t.op == Op::kFsync) fsync_index = t.index;
  }
  env.ResetCounters();
  env.FailCall(fsync_index, EIO, /*persistent=*/false);
  Result<std::uint64_t> seq = journal.Append(Event("write", "fsync fails"));
  REQUIRE_FALSE(seq.ok());
  CHECK(seq.status().code() == Code::kIoError);
  CHECK(seq.status().error_number() == EIO);
  CHECK(env.injected() == 1);
  CHECK(env.trace()[fsync_index].op == Op::kFsync);
  bool present = false;
  CheckJournalRecovers(scratch, 3, present);
}

TEST_CASE("journal: sweep: failing any call of an append leaves a consistent journal", "[journal][sweep]") {
  int cases = 0;
  for (const int err : {EIO, ENOSPC}) {
    for (const bool persistent : {false, true}) {
      for (std::uint64_t k = 0;; ++k) {
        ScratchDir scratch;
        JournalFile plain(*Env::Default(), scratch.dir());
        MustAppend(plain, Event("write"));
        scratch.Append("journal", "{\"torn");  // so the repair path is swept too
        FaultInjectionEnv env;
        env.FailCall(k, err, persistent);
        JournalFile journal(env, scratch.dir());
        const int fds_before = testing::OpenFdCount();
        Result<std::uint64_t> seq = journal.Append(Event("write", "swept"));
        CHECK(testing::OpenFdCount() == fds_before);
        if (env.injected() == 0) {
          CHECK(seq.ok());
          break;
        }
        ++cases;
        INFO("k=" << k << " err=" << err << " persistent=" << persistent);
        CHECK_FALSE(seq.ok());
        bool present = false;
        CheckJournalRecovers(scratch, 1, present);
      }
    }
  }
  WARN("journal append sweep: " << cases << " failure cases");
  CHECK(cases > 0);
}

TEST_CASE("journal: the first append to a new journal survives a sweep of failures", "[journal][sweep]") {
  int cases = 0;
  for (std::uint64_t k = 0;; ++k) {
    ScratchDir scratch;
    FaultInjectionEnv env;
    env.FailCall(k, EIO, /*persistent=*/false);
    JournalFile journal(env, scratch.dir());
    Result<std::uint64_t> seq = journal.Append(Event("write"));
    if (env.injected() == 0) {
      CHECK(seq.ok());
      break;
    }
    ++cases;
    INFO("k=" << k);
    if (seq.ok()) {
      // Only the close of the new journal's lock-holding description (never written) may fail
      // without failing the append.
      const testing::TraceEntry failed = env.trace()[k];
      CHECK(failed.op == Op::kClose);
      CHECK(failed.path.find("/.journal.tmp.") != std::string::npos);
    }
    bool present = false;
    CheckJournalRecovers(scratch, 0, present);
    CHECK(scratch.Mode("journal") == 0600);
  }
  WARN("journal create sweep: " << cases << " failure cases");
}

TEST_CASE("journal: lines are MAC-chained; an edited, removed or inserted line is found by its seq", "[journal]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  JournalFile journal(*Env::Default(), scratch.dir(), key);
  MustAppend(journal, Event("write"));
  JournalEvent moved = Event("set-current");
  MustAppend(journal, moved);
  MustAppend(journal, Event("prune"));
  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 3);
  CHECK(events[0].mac_key == key->key_id);
  CHECK(events[1].current == std::optional<std::string>("0000000001"));
  CHECK(events[2].current == events[1].current);  // carried: the line before authenticates
  CHECK(CheckJournalChain(events, {key}).problems.empty());

  std::vector<JournalEvent> edited = events;
  edited[1].actor = "mallory@h9";
  const JournalChainFindings edit = CheckJournalChain(edited, {key});
  REQUIRE(edit.problems.size() == 1);
  CHECK(edit.problems[0].find("line seq 2 does not authenticate") != std::string::npos);

  std::vector<JournalEvent> removed = {events[0], events[2]};
  const JournalChainFindings removal = CheckJournalChain(removed, {key});
  REQUIRE_FALSE(removal.problems.empty());
  CHECK(removal.problems[0].find("line seq 2 removed") != std::string::npos);

  std::vector<JournalEvent> inserted = {events[0], events[1], events[1], events[2]};
  const JournalChainFindings insertion = CheckJournalChain(inserted, {key});
  REQUIRE_FALSE(insertion.problems.empty());
  CHECK(insertion.problems[0].find("line seq 2 follows seq 2") != std::string::npos);

  const JournalChainFindings keyless = CheckJournalChain(events, {});
  CHECK(keyless.problems.empty());
  REQUIRE(keyless.notes.size() == 1);
  CHECK(keyless.notes[0].find("not checked: key " + key->key_id + " not given") != std::string::npos);
}

TEST_CASE("journal: the rollback check compares the pointer with the newest authenticated line", "[journal]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  const JournalMacKeys keys{key};
  JournalFile journal(*Env::Default(), scratch.dir(), key);
  JournalEvent moved = Event("set-current");
  moved.rev = "2026-04-30T12:00:00Z";
  MustAppend(journal, moved);
  MustAppend(journal, Event("prune"));
  Result<std::vector<JournalEvent>> tail = journal.ReadBackTo(keys);
  REQUIRE(tail.ok());
  CHECK(tail->size() == 2);
  CHECK(CheckCurrentAgainstJournal("", "2026-04-30T12:00:00Z", *tail, keys, JournalMoves::kSettledAfter).ok());
  const Status rolled_back =
      CheckCurrentAgainstJournal("", "2026-04-29T12:00:00Z", *tail, keys, JournalMoves::kSettledAfter);
  CHECK(rolled_back.code() == Code::kIntegrity);
  CHECK(rolled_back.message().find("rollback detected: current names 2026-04-29T12:00:00Z") != std::string::npos);
  CHECK(CheckCurrentAgainstJournal("", "", *tail, keys, JournalMoves::kSettledAfter).code() == Code::kIntegrity);
  // A revision written after the newest line is no longer excused: a move is journaled before
  // the pointer moves, so a crash cannot leave the pointer ahead of the journal.
  CHECK(CheckCurrentAgainstJournal("", "2099-01-01T00:00:00Z", *tail, keys, JournalMoves::kSettledAfter).code() ==
        Code::kIntegrity);
}

// AppendMove journals the intent before the move and settles it after; while a move is
// unsettled (cut off, or its pointer write failed) the pointer may name either side of it, and
// the next append settles it with what the pointer names. Settling lines are not events.
TEST_CASE("journal: a move is journaled before it happens and settled after; an unsettled one allows either side",
          "[journal]") {
  ScratchDir scratch;
  const auto key = JournalTestKey();
  std::string pointer;
  JournalFile journal(*Env::Default(), scratch.dir(), key, [&]() -> Result<std::string> { return pointer; });
  const auto check = [&](const std::string& seen) { return testing::PointerCheckCode(journal, key, seen); };
  const auto move_to = [&](const std::string& rev, bool succeeds) {
    JournalEvent intent = Event("set-current");
    intent.rev = rev;
    bool moved = false;
    const Result<std::uint64_t> seq = journal.AppendMove(
        intent, [] { return Status::OK(); },
        [&]() -> Status {
          CHECK(check(pointer) == Code::kOk);  // in flight: the intent is there, the pointer not moved
          if (!succeeds) return Status::IoError("rename", "current", EIO);
          pointer = rev;
          return Status::OK();
        },
        moved);
    CHECK(moved == succeeds);
    return seq.ok();
  };
  REQUIRE(move_to("2026-01-01T00:00:00Z", true));
  CHECK(check("2026-01-01T00:00:00Z") == Code::kOk);
  CHECK(check("") == Code::kIntegrity);  // settled: the side before it is a rollback now
  REQUIRE(move_to("2026-02-01T00:00:00Z", true));
  CHECK(check("2026-01-01T00:00:00Z") == Code::kIntegrity);

  CHECK_FALSE(move_to("2025-12-01T00:00:00Z", false));  // the pointer write fails: unsettled
  CHECK(check("2026-02-01T00:00:00Z") == Code::kOk);    // before it
  CHECK(check("2025-12-01T00:00:00Z") == Code::kOk);    // its rev
  CHECK(check("2026-01-01T00:00:00Z") == Code::kIntegrity);

  MustAppend(journal, Event("lock-break"));  // settles it with what the pointer names
  CHECK(check("2026-02-01T00:00:00Z") == Code::kOk);
  CHECK(check("2025-12-01T00:00:00Z") == Code::kIntegrity);

  const std::vector<JournalEvent> events = MustReadJournal(journal);
  REQUIRE(events.size() == 4);  // three set-current lines and the lock break; no settling lines
  CHECK(events[3].event == "lock-break");
  CHECK(events[3].seq == 4);
  CHECK(events[3].current == std::optional<std::string>("2026-02-01T00:00:00Z"));
  CHECK(CheckJournalChain(events, {key}).problems.empty());
  const std::string text = scratch.Read("journal").value_or("");
  CHECK(std::count(text.begin(), text.end(), '\n') == 7);  // three intents, three settling lines, one event
}

}  // namespace
}  // namespace sealstate::internal
