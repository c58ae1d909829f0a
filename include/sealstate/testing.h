// sealstate-testing: the backend conformance suite and helpers for tests that use a Backend.
//
// Not part of the sealstate library: link `sealstate-testing` (pkg-config name; it requires
// `sealstate` and Catch2 v2) into a Catch2 test executable, which supplies Catch's main (this
// library does not define CATCH_CONFIG_MAIN). Everything here uses the public API only.
//
// A backend author runs the suite from one line (see README, "Testing your backend"):
//   SEALSTATE_BACKEND_CONFORMANCE_TEST("mine", MyConformanceTarget());
// Every documented behaviour of backend.h and lock.h is one Catch2 SECTION; Catch re-runs the
// test case once per section, and each run gets a stack of its own.
//
// ReadEnvelope, ImportEnvelope and ImportJournal (what CopyStack needs) are checked unless the
// backend's ReadEnvelope is kUnsupported (backend.h's default: such a backend cannot be copied
// from or to); a backend that reads envelopes must import them too.
//
// Not checked, because only the backend itself can bring the stack there: a damaged `current`
// pointer, a failing journal (kIncomplete), a stale or unknown holder (kStale, kUnknown,
// break_stale), a tampered snapshot (kIntegrity; a wrong key, kWrongKey, is checked), strays, and
// the removal of the new revision when a commit's SetCurrent fails. Test those in the backend's
// own tests.
//
// Thread safety: the helpers are as safe as the Backend they are given; run the suite from the
// test runner's thread (it starts threads and, when the target allows, forks processes).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <sealstate/backend.h>
#include <sealstate/backend_registry.h>
#include <sealstate/lock.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>

namespace sealstate::testing {

// Opens a Backend for context.factory and context.stack with context.encrypter and
// context.envelope, creating the stack when context.create. Every call with the same factory and
// stack must open the same stack (the suite runs "two tools" against one stack), and no other
// call may see it. Must refuse bad factory and stack names with kInvalidArgument.
using BackendOpener = std::function<Result<std::unique_ptr<Backend>>(const BackendContext& context)>;

// What the conformance suite runs against.
struct ConformanceTarget {
  std::string name;    // shown in failure messages
  BackendOpener open;  // see BackendOpener
  // Several processes can share a stack (the local store: yes; the memory store: no). When
  // true, the suite also forks processes that each open the stack through `open` and commit.
  bool shared_between_processes = false;
};

// Runs every conformance check against `target`, one Catch2 SECTION each. Call it from a
// TEST_CASE (SEALSTATE_BACKEND_CONFORMANCE_TEST does); failures are reported through Catch.
// Takes about 10 s for the local store on two CPUs.
void RunBackendConformance(const ConformanceTarget& target);

// A small valid snapshot of `factory`/`stack` with one leaf entry whose output "mark" is
// `mark`: snapshots with different marks differ.
Snapshot TestSnapshot(const std::string& factory, const std::string& stack, const std::string& mark);

// A valid snapshot of `factory`/`stack` whose encoding is at least `min_bytes` long (many
// entries), for the paths a backend takes for large snapshots (above 1 MiB).
Snapshot LargeTestSnapshot(const std::string& factory, const std::string& stack, std::size_t min_bytes);

// Writes `snapshots` in order (so List returns them in this order after what was there) and,
// when `current_index` is set, points current at the one with that index. Unfenced, without
// taking the lock. Returns the revisions, in the order of `snapshots`. Errors: the first
// failing Write or SetCurrent's; kInvalidArgument for an index out of range (nothing written).
Result<std::vector<std::string>> SeedStack(Backend& backend, const std::vector<Snapshot>& snapshots,
                                           std::optional<std::size_t> current_index);

// Everything a stack holds, as read through a Backend.
struct StackContents {
  std::vector<std::string> revisions;         // List(): oldest first
  std::map<std::string, Snapshot> snapshots;  // Get() of each revision
  std::optional<std::string> current;         // CurrentRev(); absent when there is none
  std::vector<JournalEvent> journal;          // Journal(0)
  LockInfo lock;                              // GetLockInfo()
};

// Reads everything back for assertions. Errors: the first failing read's (a Get, List, Journal
// or GetLockInfo error; CurrentRev's except kNoCurrent), prefixed with what was being read.
Result<StackContents> ReadBack(Backend& backend);

}  // namespace sealstate::testing

// Defines a Catch2 TEST_CASE "backend conformance: NAME" that runs the suite against the
// ConformanceTarget `target_expression` (evaluated once per run of the test case).
#define SEALSTATE_BACKEND_CONFORMANCE_TEST(name, target_expression) \
  TEST_CASE("backend conformance: " name, "[conformance]") {        \
    ::sealstate::testing::RunBackendConformance(target_expression); \
  }
