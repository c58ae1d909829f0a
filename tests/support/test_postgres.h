// The PostgreSQL server of the tests (scripts/postgres_server.sh, started by scripts/test.sh).
//
// SEALSTATE_TEST_POSTGRES is its spec. Without it a postgres test exits with 77 (meson: skipped)
// before Catch runs, unless SEALSTATE_REQUIRE_POSTGRES=1 (scripts/test.sh sets it): then it
// fails, so that a missing server can never pass as a skip.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

namespace sealstate::testing_support {

// Exits with 77 or 1 (above) when the server is not configured. Call before Catch runs (a
// namespace-scope initialiser does).
inline bool RequireTestPostgres() {
  const char* spec = ::getenv("SEALSTATE_TEST_POSTGRES");
  if (spec != nullptr && *spec != '\0') return true;
  const char* required = ::getenv("SEALSTATE_REQUIRE_POSTGRES");
  if (required != nullptr && std::string(required) == "1") {
    std::fprintf(stderr,
                 "SEALSTATE_REQUIRE_POSTGRES=1 but SEALSTATE_TEST_POSTGRES is not set: start the server "
                 "with scripts/postgres_server.sh start\n");
    ::_exit(1);
  }
  std::fprintf(stderr, "skipped: SEALSTATE_TEST_POSTGRES is not set (scripts/postgres_server.sh start)\n");
  ::_exit(77);
}

// The server's spec (SEALSTATE_TEST_POSTGRES).
inline std::string TestPostgresSpec() { return ::getenv("SEALSTATE_TEST_POSTGRES"); }

// `spec` with one more query parameter "KEY=VALUE" (VALUE as given: percent-encode it yourself).
inline std::string WithParameter(const std::string& spec, const std::string& key, const std::string& value) {
  return spec + (spec.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
}

// A schema name no other test run uses: "PREFIX_PID_RANDOM".
inline std::string FreshSchemaName(const std::string& prefix) {
  std::random_device random;
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000);
}

}  // namespace sealstate::testing_support
