// The conformance suite's shared fixture (conformance_fixture.h).
#include "conformance_fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>  // setenv

namespace sealstate::testing::conformance {
namespace {

// Test-only keys: 32 x 0x00 and 32 x 0x01.
constexpr const char* kKeyA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
constexpr const char* kKeyB = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

std::shared_ptr<const Encrypter> EnvKey(const char* variable, const char* key_base64) {
  ::setenv(variable, key_base64, 1);
  Result<std::unique_ptr<Encrypter>> key = NewEnvKeyEncrypter(variable);
  REQUIRE(key.ok());
  return std::shared_ptr<const Encrypter>(std::move(*key));
}

// A stack name no earlier run (of this process or another) used.
std::string FreshStackName() {
  static std::atomic<int> runs{0};
  return "s" + std::to_string(::getpid()) + "-" + std::to_string(runs++);
}

}  // namespace

Fixture::Fixture(const ConformanceTarget& target_in)
    : target(target_in),
      stack(FreshStackName()),
      key_a(EnvKey("SEALSTATE_CONFORMANCE_KEY_A", kKeyA)),
      key_b(EnvKey("SEALSTATE_CONFORMANCE_KEY_B", kKeyB)),
      backend(Open()) {}

BackendContext Fixture::Context(std::shared_ptr<const Encrypter> key) const {
  BackendContext context;
  context.factory = factory;
  context.stack = stack;
  context.encrypter = std::move(key);
  return context;
}

std::unique_ptr<Backend> Fixture::Open(std::shared_ptr<const Encrypter> key) const {
  Result<std::unique_ptr<Backend>> opened = target.open(Context(std::move(key)));
  INFO(target.name << ": " << opened.status().ToString());
  REQUIRE(opened.ok());
  REQUIRE(*opened != nullptr);
  return std::move(*opened);
}

Snapshot Fixture::Snap(const std::string& mark) const { return TestSnapshot(factory, stack, mark); }

std::vector<JournalEvent> Fixture::Journal() const {
  Result<std::vector<JournalEvent>> journal = backend->Journal(0);
  INFO(journal.status().ToString());
  REQUIRE(journal.ok());
  return *journal;
}

std::string Fixture::CurrentOrEmpty() const {
  Result<std::string> current = backend->CurrentRev();
  if (!current.ok()) {
    INFO(current.status().ToString());
    REQUIRE(current.status().code() == Code::kNoCurrent);
    return "";
  }
  return *current;
}

std::vector<std::string> Fixture::Revisions() const {
  Result<std::vector<std::string>> revisions = backend->List();
  INFO(revisions.status().ToString());
  REQUIRE(revisions.ok());
  return *revisions;
}

std::size_t CountEvents(const std::vector<JournalEvent>& journal, const std::string& event, const std::string& rev) {
  std::size_t count = 0;
  for (const JournalEvent& e : journal) count += e.event == event && e.rev == rev ? 1 : 0;
  return count;
}

std::int64_t MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace sealstate::testing::conformance
