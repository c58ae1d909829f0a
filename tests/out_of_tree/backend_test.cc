#define CATCH_CONFIG_MAIN  // this file is the test executable's main
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sealstate/testing.h>

#include "wrapped_backend.h"  // your backend: RegisterWrappedBackend adds "wrapped" to a registry

using namespace sealstate;

// Opens stacks from the spec "wrapped:DIR" through a registry, as an application would.
static testing::ConformanceTarget WrappedTarget() {
  static BackendRegistry registry = [] {
    BackendRegistry r = BackendRegistry::WithBuiltins();
    if (!RegisterWrappedBackend(r).ok()) std::abort();
    return r;
  }();
  testing::ConformanceTarget target;
  target.name = "wrapped";
  target.open = [](const BackendContext& context) {
    // TEST_STORE_DIR: a scratch directory the test script creates (0700).
    return registry.Open(std::string("wrapped:") + std::getenv("TEST_STORE_DIR"), context);
  };
  target.shared_between_processes = true;  // it stores files: several processes may share a stack
  return target;
}

// Every documented behaviour of backend.h and lock.h, one section each.
SEALSTATE_BACKEND_CONFORMANCE_TEST("wrapped", WrappedTarget())

// Your own tests: seed a stack in one call, then read everything back.
TEST_CASE("a seeded stack reads back") {
  BackendContext context;
  context.factory = "app";
  context.stack = "seeded";
  context.encrypter = NewNoopEncrypter();
  auto backend = WrappedTarget().open(context);
  REQUIRE(backend.ok());
  std::vector<Snapshot> snapshots = {testing::TestSnapshot("app", "seeded", "a"),
                                     testing::TestSnapshot("app", "seeded", "b")};
  auto revs = testing::SeedStack(**backend, snapshots, /*current_index=*/0);
  REQUIRE(revs.ok());
  auto contents = testing::ReadBack(**backend);
  REQUIRE(contents.ok());
  CHECK(contents->revisions == *revs);
  CHECK(contents->current == (*revs)[0]);
  CHECK(contents->snapshots.at((*revs)[1]) == snapshots[1]);
  CHECK(contents->journal.size() == 3);  // two writes, one set-current
  CHECK(contents->lock.state == LockState::kFree);
}
