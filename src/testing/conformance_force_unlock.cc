// Conformance: ForceUnlock, and what the broken holder's Lock does afterwards (backend.h).
#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

std::unique_ptr<Lock> Take(Backend& backend) {
  Result<std::unique_ptr<Lock>> lock = backend.AcquireLock(LockOptions{});
  INFO(lock.status().ToString());
  REQUIRE(lock.ok());
  return std::move(*lock);
}

std::optional<std::string> HolderId(Backend& backend) {
  Result<LockInfo> info = backend.GetLockInfo();
  REQUIRE(info.ok());
  if (info->state == LockState::kFree) return std::nullopt;
  REQUIRE(info->holder.has_value());
  return info->holder->lock_id;
}

}  // namespace

void CheckForceUnlock(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("ForceUnlock without a lock is OK") {
    CHECK(b.ForceUnlock("").ok());
    CHECK(b.ForceUnlock("0123456789abcdef0123456789abcdef").ok());
  }

  SECTION("ForceUnlock with an expected id that is not the holder's is kLocked and breaks nothing") {
    std::unique_ptr<Lock> lock = Take(b);
    CHECK(f.Open()->ForceUnlock("0123456789abcdef0123456789abcdef").code() == Code::kLocked);
    CHECK(HolderId(b) == lock->id());
    CHECK(f.Journal().empty());
  }

  SECTION("ForceUnlock with the holder's id, or none, breaks the lock and journals force-unlock with its id") {
    std::unique_ptr<Lock> first = Take(b);
    REQUIRE(f.Open()->ForceUnlock(first->id()).ok());
    CHECK_FALSE(HolderId(b).has_value());
    std::unique_ptr<Lock> second = Take(b);
    REQUIRE(f.Open()->ForceUnlock("").ok());
    CHECK_FALSE(HolderId(b).has_value());
    std::vector<JournalEvent> journal = f.Journal();
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].event == "force-unlock");
    CHECK(journal[0].lock_id == first->id());
    CHECK(journal[1].event == "force-unlock");
    CHECK(journal[1].lock_id == second->id());
  }

  SECTION("after ForceUnlock the broken holder's Unlock is OK while nobody else took the lock") {
    std::unique_ptr<Lock> lock = Take(b);
    REQUIRE(f.Open()->ForceUnlock(lock->id()).ok());
    CHECK(lock->Unlock().ok());
    CHECK_FALSE(HolderId(b).has_value());
  }

  SECTION(
      "after ForceUnlock the broken holder's Unlock is kLocked once another holder took the lock, "
      "which keeps it") {
    std::unique_ptr<Lock> lock = Take(b);
    std::unique_ptr<Backend> other = f.Open();
    REQUIRE(other->ForceUnlock(lock->id()).ok());
    std::unique_ptr<Lock> taken = Take(*other);
    CHECK(lock->Unlock().code() == Code::kLocked);
    CHECK(HolderId(b) == taken->id());
  }
}

}  // namespace sealstate::testing::conformance
