// Conformance: Remove (backend.h).
#include <algorithm>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {

void CheckRemove(Fixture& f) {
  Backend& b = *f.backend;
  Result<std::string> kept = b.Commit(f.Snap("kept"), LockOptions{}, WriteOptions{});
  REQUIRE(kept.ok());
  Result<std::string> other = b.Write(f.Snap("other"), WriteOptions{});
  REQUIRE(other.ok());

  SECTION("Remove deletes a revision that is not current and journals remove") {
    Status removed = b.Remove(*other, "");
    INFO(removed.ToString());
    REQUIRE(removed.ok());
    CHECK(f.Revisions() == std::vector<std::string>{*kept});
    CHECK(b.Get(*other).status().code() == Code::kNotFound);
    CHECK(f.Journal().back().event == "remove");
    CHECK(f.Journal().back().rev == *other);
  }

  SECTION("Remove fenced by the lock the caller holds removes and journals the lock id") {
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(b.Remove(*other, (*lock)->id()).ok());
    CHECK(f.Revisions() == std::vector<std::string>{*kept});
    CHECK(f.Journal().back().lock_id == (*lock)->id());
  }

  SECTION("Remove refuses the current revision with kInvalidArgument") {
    CHECK(b.Remove(*kept, "").code() == Code::kInvalidArgument);
    CHECK(f.Revisions().size() == 2);
    CHECK(f.CurrentOrEmpty() == *kept);
  }

  SECTION("Remove of a missing revision is OK") {
    CHECK(b.Remove("2001-01-01T00:00:00Z", "").ok());
    REQUIRE(b.Remove(*other, "").ok());
    CHECK(b.Remove(*other, "").ok());
  }

  SECTION("Remove fenced by a lock that was force-unlocked is kLocked and removes nothing") {
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(LockOptions{});
    REQUIRE(lock.ok());
    REQUIRE(f.Open()->ForceUnlock((*lock)->id()).ok());
    CHECK(b.Remove(*other, (*lock)->id()).code() == Code::kLocked);
    CHECK(f.Revisions().size() == 2);
  }
}

}  // namespace sealstate::testing::conformance
