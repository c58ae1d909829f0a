// The backend conformance suite (sealstate-testing) against the postgres backend on the tests'
// real server (SEALSTATE_TEST_POSTGRES; skipped without it, failed when required: see
// support/test_postgres.h), in a schema of its own, opened through the registry as an
// application opens it.
#include <sealstate/backend_registry.h>
#include <sealstate/testing.h>

#include "support/test_postgres.h"

namespace {

const bool kServerConfigured = sealstate::testing_support::RequireTestPostgres();

// The spec of a fresh, migrated schema for this process.
const std::string& ConformanceSpec() {
  static const std::string spec = [] {
    std::string s =
        sealstate::testing_support::WithParameter(sealstate::testing_support::TestPostgresSpec(), "schema",
                                                  sealstate::testing_support::FreshSchemaName("conformance"));
    sealstate::Result<sealstate::MigrationReport> migrated = sealstate::BackendRegistry::WithBuiltins().Migrate(s);
    if (!migrated.ok()) {
      std::fprintf(stderr, "migrate: %s\n", migrated.status().ToString().c_str());
      std::abort();
    }
    return s;
  }();
  return spec;
}

sealstate::testing::ConformanceTarget PostgresTarget() {
  sealstate::testing::ConformanceTarget target;
  target.name = "postgres";
  target.open = [](const sealstate::BackendContext& context) {
    return sealstate::BackendRegistry::WithBuiltins().Open(ConformanceSpec(), context);
  };
  target.shared_between_processes = true;
  return target;
}

}  // namespace

SEALSTATE_BACKEND_CONFORMANCE_TEST("postgres", PostgresTarget())
