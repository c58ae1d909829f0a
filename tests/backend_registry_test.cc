// BackendRegistry's schema migrations and RedactSpec (backend_registry.h).
#include <sealstate/backend_registry.h>

#include <catch2/catch.hpp>

using namespace sealstate;

TEST_CASE("RedactSpec masks a URI's password and keeps the rest", "[registry]") {
  CHECK(RedactSpec("postgres://alice:s3cr3t@db.example:5432/state?sslmode=require") ==
        "postgres://alice:***@db.example:5432/state?sslmode=require");
  CHECK(RedactSpec("postgresql://alice:p@ss@host/db") == "postgresql://alice:***@host/db");
  CHECK(RedactSpec("postgres://alice@host/db?password=hunter2&schema=s") ==
        "postgres://alice@host/db?password=***&schema=s");
  CHECK(RedactSpec("postgres:host=h password='a b\\'c' dbname=x") == "postgres:host=h password=*** dbname=x");
}

TEST_CASE("RedactSpec leaves specs without a password as given", "[registry]") {
  CHECK(RedactSpec("local:/var/lib/sealstate") == "local:/var/lib/sealstate");
  CHECK(RedactSpec("postgres://alice@host:5432/db?schema=a:b") == "postgres://alice@host:5432/db?schema=a:b");
  CHECK(RedactSpec("postgres://host/db?xpassword=kept") == "postgres://host/db?xpassword=kept");
  CHECK(RedactSpec("memory:user:pass@x") == "memory:user:pass@x");
}

TEST_CASE("a spec naming no backend is refused without echoing its password", "[registry]") {
  const BackendRegistry registry = BackendRegistry::WithBuiltins();
  BackendContext context;
  context.factory = "f";
  context.stack = "s";
  const auto opened = registry.Open("//alice:s3cr3t@host/db", context);
  REQUIRE(opened.status().code() == Code::kInvalidArgument);
  CHECK(opened.status().message().find("s3cr3t") == std::string::npos);
  CHECK(opened.status().message().find("alice:***@host") != std::string::npos);
}

TEST_CASE("Migrate on a backend without a schema reports nothing to do", "[registry]") {
  const BackendRegistry registry = BackendRegistry::WithBuiltins();
  const auto report = registry.Migrate("memory:migrate-test");
  REQUIRE(report.ok());
  CHECK(report->from_version == 0);
  CHECK(report->to_version == 0);
  CHECK(report->applied.empty());
  CHECK(registry.Migrate("nosuch:x").status().code() == Code::kInvalidArgument);
}

TEST_CASE("Migrate calls the backend's migrator with the spec's location", "[registry]") {
  BackendRegistry registry = BackendRegistry::WithBuiltins();
  std::string seen;
  REQUIRE(registry
              .SetMigrator("memory",
                           [&seen](const BackendLocation& where) -> Result<MigrationReport> {
                             seen = where.location;
                             MigrationReport done;
                             done.from_version = 1;
                             done.to_version = 2;
                             done.applied = {"2: more"};
                             return done;
                           })
              .ok());
  const auto report = registry.Migrate("memory:here");
  REQUIRE(report.ok());
  CHECK(seen == "here");
  CHECK(report->from_version == 1);
  CHECK(report->applied == std::vector<std::string>{"2: more"});
}

TEST_CASE("SetMigrator refuses unknown backends, null and second migrators", "[registry]") {
  BackendRegistry registry = BackendRegistry::WithBuiltins();
  const BackendMigrator noop = [](const BackendLocation&) -> Result<MigrationReport> { return MigrationReport{}; };
  CHECK(registry.SetMigrator("nosuch", noop).code() == Code::kNotFound);
  CHECK(registry.SetMigrator("local", nullptr).code() == Code::kInvalidArgument);
  REQUIRE(registry.SetMigrator("local", noop).ok());
  CHECK(registry.SetMigrator("local", noop).code() == Code::kAlreadyExists);
}
