// Helpers shared by the process-level reliability tests (kill -9 loop, real ENOSPC, syscall
// audit, lock torture): opening a stack with the test key, snapshots for any stack, a violation
// counter that prints what went wrong, and SEALSTATE_LONG.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <sealstate/encrypter.h>
#include <sealstate/local_store.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>

#include "test_support.h"

namespace sealstate::process_test {

inline constexpr const char* kFactory = "cluster-deploy";
inline constexpr const char* kKeyVar = "SEALSTATE_PROCESS_TEST_KEY";
inline constexpr const char* kSecondKeyVar = "SEALSTATE_PROCESS_TEST_KEY_B";  // the rekey kill loop's other key

// True when SEALSTATE_LONG=1 asks for the release sizes.
inline bool LongRun() {
  const char* value = std::getenv("SEALSTATE_LONG");
  return value != nullptr && std::string_view(value) == "1";
}

// A positive integer from the environment, or `fallback`.
inline long EnvCount(const char* name, long fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  return (*end == '\0' && parsed > 0) ? parsed : fallback;
}

// The env-key encrypter every process of these tests shares (a fixed test key).
inline std::shared_ptr<const Encrypter> TestEncrypter() {
  return std::shared_ptr<const Encrypter>(testing::EnvKey(kKeyVar, testing::kKeyA));
}

// A second env-key encrypter with another fixed test key (the key a rekey rotates to and from).
inline std::shared_ptr<const Encrypter> SecondTestEncrypter() {
  return std::shared_ptr<const Encrypter>(testing::EnvKey(kSecondKeyVar, testing::kKeyB));
}

// Opens (creating) `stack` under `root` with the test key.
inline Result<std::unique_ptr<Backend>> OpenStack(const std::string& root, const std::string& stack,
                                                  std::shared_ptr<const Encrypter> encrypter = TestEncrypter()) {
  LocalStoreOptions options;
  options.root = root;
  options.factory = kFactory;
  options.stack = stack;
  options.encrypter = std::move(encrypter);
  return OpenLocalStore(options);
}

// A valid snapshot for `stack` whose encoding is at least `min_bytes` long (0: the fixture).
inline Snapshot SnapshotFor(const std::string& stack, std::size_t min_bytes = 0) {
  Snapshot s = min_bytes == 0 ? testing::FixtureSnapshot() : testing::LargeSnapshot(min_bytes);
  s.factory.name = kFactory;
  s.stack = stack;
  return s;
}

// Counts checks and violations; prints each violation (up to a limit) on stderr.
class Checks {
 public:
  explicit Checks(std::string name) : name_(std::move(name)) {}
  bool Check(bool ok, const std::string& what) {
    ++checks_;
    if (ok) return true;
    if (++violations_ <= 50) std::fprintf(stderr, "%s: VIOLATION: %s\n", name_.c_str(), what.c_str());
    return false;
  }
  bool CheckOk(const Status& status, const std::string& what) {
    return Check(status.ok(), what + ": " + status.ToString());
  }
  long checks() const { return checks_; }
  long violations() const { return violations_; }

 private:
  std::string name_;
  long checks_ = 0;
  long violations_ = 0;
};

}  // namespace sealstate::process_test
