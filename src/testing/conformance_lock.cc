// Conformance: AcquireLock, Lock, GetLockInfo; waiting, timeout and cancellation (lock.h,
// backend.h).
#include <unistd.h>

#include <atomic>
#include <thread>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

std::unique_ptr<Lock> Take(Backend& backend, const std::string& operation) {
  LockOptions options;
  options.operation = operation;
  Result<std::unique_ptr<Lock>> lock = backend.AcquireLock(options);
  INFO(lock.status().ToString());
  REQUIRE(lock.ok());
  return std::move(*lock);
}

LockState StateOf(Backend& backend) {
  Result<LockInfo> info = backend.GetLockInfo();
  REQUIRE(info.ok());
  return info->state;
}

// The holder's lock id and the words "locked by", as AcquireLock's kLocked message names them.
void CheckNamesHolder(const Status& status, const Lock& holder) {
  INFO(status.ToString());
  CHECK(status.code() == Code::kLocked);
  CHECK(status.message().find("locked by") != std::string::npos);
  CHECK(status.message().find(holder.id()) != std::string::npos);
}

// A waiter with `timeout` blocks while the lock is held and takes it within milliseconds (2 s,
// for loaded machines) of its release.
void CheckPromptWakeUp(Fixture& f, std::chrono::milliseconds timeout) {
  std::unique_ptr<Lock> holder = Take(*f.backend, "one");
  std::unique_ptr<Backend> other = f.Open();
  Status waited;
  Clock::time_point acquired;
  std::thread waiter([&] {
    LockOptions options;
    options.timeout = timeout;
    Result<std::unique_ptr<Lock>> lock = other->AcquireLock(options);
    acquired = Clock::now();
    waited = lock.status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Clock::time_point released = Clock::now();
  Status unlocked = holder->Unlock();
  waiter.join();
  REQUIRE(unlocked.ok());
  INFO(waited.ToString());
  CHECK(waited.ok());
  CHECK(acquired >= released);
  CHECK(MillisBetween(released, acquired) < 2000);  // promptly: milliseconds; generous for loaded machines
}

}  // namespace

void CheckLock(Fixture& f) {
  Backend& b = *f.backend;

  SECTION("AcquireLock records the holder: lock id, user, host, pid, operation, created") {
    Timestamp before = NowUtc();
    std::unique_ptr<Lock> lock = Take(b, "conformance-op");
    Result<LockInfo> info = f.Open(nullptr)->GetLockInfo();
    REQUIRE(info.ok());
    CHECK(info->state == LockState::kHeld);
    REQUIRE(info->holder.has_value());
    const LockHolder& holder = *info->holder;
    CHECK_FALSE(lock->id().empty());
    CHECK(holder.lock_id == lock->id());
    CHECK_FALSE(holder.user.empty());
    CHECK_FALSE(holder.host.empty());
    CHECK(holder.pid == ::getpid());
    CHECK(holder.operation == "conformance-op");
    CHECK_FALSE(holder.version.empty());
    CHECK(holder.created.unix_seconds >= before.unix_seconds - 5);
    CHECK(holder.created.unix_seconds <= NowUtc().unix_seconds + 5);
  }

  SECTION("each acquisition has a new lock id") {
    std::string first = Take(b, "one")->id();
    CHECK(Take(b, "two")->id() != first);
  }

  SECTION("Unlock frees the lock and is idempotent; destroying a Lock unlocks") {
    std::unique_ptr<Lock> lock = Take(b, "one");
    REQUIRE(lock->Unlock().ok());
    CHECK(StateOf(b) == LockState::kFree);
    CHECK(lock->Unlock().ok());
    lock = Take(b, "two");
    CHECK(StateOf(b) == LockState::kHeld);
    lock.reset();
    CHECK(StateOf(b) == LockState::kFree);
  }

  SECTION("a Lock may outlive the Backend that handed it out") {
    std::unique_ptr<Backend> other = f.Open();
    std::unique_ptr<Lock> lock = Take(*other, "one");
    other.reset();
    CHECK(StateOf(b) == LockState::kHeld);
    CHECK(lock->Unlock().ok());
    CHECK(StateOf(b) == LockState::kFree);
  }

  SECTION("AcquireLock with timeout zero fails at once with kLocked naming the holder") {
    std::unique_ptr<Lock> holder = Take(b, "one");
    Clock::time_point start = Clock::now();
    Result<std::unique_ptr<Lock>> second = f.Open()->AcquireLock(LockOptions{});
    CHECK(MillisBetween(start, Clock::now()) < 1000);
    CheckNamesHolder(second.status(), *holder);
  }

  SECTION("AcquireLock waits out its timeout, then fails with kLocked naming the holder") {
    std::unique_ptr<Lock> holder = Take(b, "one");
    LockOptions options;
    options.timeout = std::chrono::milliseconds(300);
    Clock::time_point start = Clock::now();
    Result<std::unique_ptr<Lock>> second = f.Open()->AcquireLock(options);
    std::int64_t waited = MillisBetween(start, Clock::now());
    CHECK(waited >= 250);
    CHECK(waited < 10000);
    CheckNamesHolder(second.status(), *holder);
  }

  for (auto [name, timeout] : {std::pair{"30 s", std::chrono::milliseconds(30000)},
                               std::pair{"negative: forever", std::chrono::milliseconds(-1)},
                               std::pair{"too long for the clock", std::chrono::milliseconds::max()}}) {
    DYNAMIC_SECTION("a waiter (timeout " << name << ") takes the lock promptly once it is released") {
      CheckPromptWakeUp(f, timeout);
    }
  }

  SECTION("a waiter that is cancelled fails with kCancelled promptly") {
    std::unique_ptr<Lock> holder = Take(b, "one");
    std::unique_ptr<Backend> other = f.Open();
    std::atomic<bool> cancel{false};
    Status waited;
    Clock::time_point returned;
    std::thread waiter([&] {
      LockOptions options;
      options.timeout = std::chrono::seconds(30);
      options.cancelled = [&] { return cancel.load(); };
      waited = other->AcquireLock(options).status();
      returned = Clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Clock::time_point cancelled = Clock::now();
    cancel = true;
    waiter.join();
    CHECK(waited.code() == Code::kCancelled);
    CHECK(MillisBetween(cancelled, returned) < 2000);
    CHECK(StateOf(b) == LockState::kHeld);
  }

  SECTION("an operation too long for the holder record is kInvalidArgument, or is recorded as given") {
    std::string operation(1 << 20, 'o');
    LockOptions options;
    options.operation = operation;
    Result<std::unique_ptr<Lock>> lock = b.AcquireLock(options);
    Result<LockInfo> info = b.GetLockInfo();
    REQUIRE(info.ok());
    if (lock.ok()) {
      REQUIRE(info->holder.has_value());
      CHECK(info->holder->operation == operation);
    } else {
      CHECK(lock.status().code() == Code::kInvalidArgument);
      CHECK(info->state == LockState::kFree);
    }
  }
}

}  // namespace sealstate::testing::conformance
