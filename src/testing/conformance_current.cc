// Conformance: Current, CurrentRev and SetCurrent with compare-and-swap and fencing (backend.h,
// lock.h).
#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

std::string WriteOne(Fixture& f, const std::string& mark) {
  Result<std::string> rev = f.backend->Write(f.Snap(mark), WriteOptions{});
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  return *rev;
}

}  // namespace

void CheckCurrent(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("SetCurrent points current at a revision: Current and CurrentRev return it, journaled set-current") {
    std::string rev = WriteOne(f, "one");
    Status moved = b.SetCurrent(rev, SetCurrentOptions{});
    INFO(moved.ToString());
    REQUIRE(moved.ok());
    CHECK(f.CurrentOrEmpty() == rev);
    Result<Snapshot> current = f.Open()->Current();
    REQUIRE(current.ok());
    CHECK(*current == f.Snap("one"));
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 2);
    CHECK(journal[1].event == "set-current");
    CHECK(journal[1].rev == rev);
  }

  SECTION("SetCurrent to a missing revision is kNotFound and leaves current unchanged") {
    std::string rev = WriteOne(f, "one");
    REQUIRE(b.SetCurrent(rev, SetCurrentOptions{}).ok());
    Status missing = b.SetCurrent("2001-01-01T00:00:00Z", SetCurrentOptions{});
    CHECK(missing.code() == Code::kNotFound);
    CHECK(missing.message().find("set-current 2001-01-01T00:00:00Z: ") != std::string::npos);
    CHECK(f.CurrentOrEmpty() == rev);
  }

  SECTION("SetCurrent with an expected current that is not current is kConflict and moves nothing") {
    std::string one = WriteOne(f, "one");
    std::string two = WriteOne(f, "two");
    REQUIRE(b.SetCurrent(one, SetCurrentOptions{}).ok());
    CHECK(b.SetCurrent(two, SetCurrentOptions{.expected_current = two, .lock_id = ""}).code() == Code::kConflict);
    CHECK(b.SetCurrent(two, SetCurrentOptions{.expected_current = "", .lock_id = ""}).code() == Code::kConflict);
    CHECK(f.CurrentOrEmpty() == one);
    Status moved = b.SetCurrent(two, SetCurrentOptions{.expected_current = one, .lock_id = ""});
    INFO(moved.ToString());
    CHECK(moved.ok());
    CHECK(f.CurrentOrEmpty() == two);
  }

  SECTION("SetCurrent with expected current \"\" succeeds when there is no current") {
    std::string one = WriteOne(f, "one");
    std::string two = WriteOne(f, "two");
    CHECK(b.SetCurrent(one, SetCurrentOptions{.expected_current = "", .lock_id = ""}).ok());
    CHECK(b.SetCurrent(two, SetCurrentOptions{.expected_current = "", .lock_id = ""}).code() == Code::kConflict);
    CHECK(f.CurrentOrEmpty() == one);
  }

  SECTION("SetCurrent fenced by the lock the caller holds moves current and journals the lock id") {
    std::string rev = WriteOne(f, "one");
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    Status moved = b.SetCurrent(rev, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*lock)->id()});
    INFO(moved.ToString());
    REQUIRE(moved.ok());
    CHECK(f.CurrentOrEmpty() == rev);
    CHECK(f.Journal().back().lock_id == (*lock)->id());
  }

  SECTION("SetCurrent fenced by a lock that was force-unlocked is kLocked and leaves current unchanged") {
    std::string one = WriteOne(f, "one");
    std::string two = WriteOne(f, "two");
    REQUIRE(b.SetCurrent(one, SetCurrentOptions{}).ok());
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(f.Open()->ForceUnlock("").ok());
    Status moved = b.SetCurrent(two, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*lock)->id()});
    CHECK(moved.code() == Code::kLocked);
    CHECK(f.CurrentOrEmpty() == one);
  }

  SECTION("SetCurrent fenced by a lock that was broken and taken by another holder is kLocked") {
    std::string one = WriteOne(f, "one");
    std::string two = WriteOne(f, "two");
    REQUIRE(b.SetCurrent(one, SetCurrentOptions{}).ok());
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    std::unique_ptr<Backend> other = f.Open();
    REQUIRE(other->ForceUnlock((*lock)->id()).ok());
    Result<std::unique_ptr<Lock>> taken = other->AcquireLock(LockOptions{});
    REQUIRE(taken.ok());
    CHECK(b.SetCurrent(two, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*lock)->id()}).code() ==
          Code::kLocked);
    CHECK(f.CurrentOrEmpty() == one);
    CHECK(other->SetCurrent(two, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*taken)->id()}).ok());
    CHECK(f.CurrentOrEmpty() == two);
  }
}

}  // namespace sealstate::testing::conformance
