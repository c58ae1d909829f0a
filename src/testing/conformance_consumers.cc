// Conformance: journal consumers' checkpoints and WaitForJournal (backend.h).
#include <atomic>
#include <thread>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

using std::chrono::milliseconds;

// The consumer's checkpoint (REQUIREs success).
std::uint64_t CheckpointOf(Backend& backend, std::string_view name) {
  Result<std::uint64_t> seq = backend.GetCheckpoint(name);
  REQUIRE(seq.ok());
  return *seq;
}

void CheckCheckpoints(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("a consumer that never stored a checkpoint has checkpoint 0") {
    Result<std::uint64_t> none = b.GetCheckpoint("siem");
    REQUIRE(none.ok());
    CHECK(*none == 0);
  }

  SECTION("Checkpoint stores a consumer's seq, seen by every Backend on the stack, per consumer") {
    REQUIRE(b.Commit(f.Snap("one"), LockOptions{}, WriteOptions{}).ok());
    REQUIRE(b.Checkpoint("siem", 2).ok());
    REQUIRE(b.Checkpoint("chat", 1).ok());
    std::unique_ptr<Backend> other = f.Open();
    CHECK(CheckpointOf(*other, "siem") == 2);
    CHECK(CheckpointOf(*other, "chat") == 1);
    REQUIRE(other->Checkpoint("siem", 1).ok());  // lower: a replay
    CHECK(CheckpointOf(b, "siem") == 1);
    REQUIRE(b.Checkpoint("siem", 1000).ok());  // beyond the journal's end
    CHECK(CheckpointOf(b, "siem") == 1000);
  }

  SECTION("Checkpoint is not journaled") {
    REQUIRE(b.AppendJournal("note", "", "", "").ok());
    REQUIRE(b.Checkpoint("siem", 1).ok());
    CHECK(f.Journal().size() == 1);
  }

  SECTION("a consumer name ValidateName refuses is kInvalidArgument, nothing stored") {
    for (const char* bad : {"", "../x", "a/b", "."}) {
      INFO("name \"" << bad << "\"");
      CHECK(b.Checkpoint(bad, 1).code() == Code::kInvalidArgument);
      CHECK(b.GetCheckpoint(bad).status().code() == Code::kInvalidArgument);
    }
  }
}

void CheckWaitForJournal(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("WaitForJournal returns true at once when the journal has a later event") {
    REQUIRE(b.AppendJournal("note", "", "", "").ok());
    Result<bool> waited = b.WaitForJournal(0, milliseconds(-1), nullptr);
    REQUIRE(waited.ok());
    CHECK(*waited);
  }

  SECTION("WaitForJournal returns false when the timeout passes without an event") {
    REQUIRE(b.AppendJournal("note", "", "", "").ok());
    const Clock::time_point start = Clock::now();
    Result<bool> waited = b.WaitForJournal(1, milliseconds(100), nullptr);
    REQUIRE(waited.ok());
    CHECK_FALSE(*waited);
    CHECK(MillisBetween(start, Clock::now()) >= 90);
  }

  SECTION("WaitForJournal wakes when another Backend appends") {
    std::unique_ptr<Backend> other = f.Open();
    std::thread appender([&other] {
      std::this_thread::sleep_for(milliseconds(100));
      (void)other->AppendJournal("note", "", "woken", "");
    });
    const Clock::time_point start = Clock::now();
    Result<bool> waited = b.WaitForJournal(0, milliseconds(60000), nullptr);
    const std::int64_t took = MillisBetween(start, Clock::now());
    appender.join();
    REQUIRE(waited.ok());
    CHECK(*waited);
    CHECK(took < 10000);  // woken by the append, not by the timeout (a generous bound: no hang)
  }

  SECTION("WaitForJournal stops with kCancelled when asked to") {
    std::atomic<int> asked{0};
    Result<bool> waited = b.WaitForJournal(0, milliseconds(60000), [&asked] { return ++asked >= 2; });
    CHECK(waited.status().code() == Code::kCancelled);
  }
}

}  // namespace

void CheckConsumers(Fixture& f) {
  SECTION("checkpoints") { CheckCheckpoints(f); }
  SECTION("waiting for events") { CheckWaitForJournal(f); }
}

}  // namespace sealstate::testing::conformance
