// The postgres backend beyond the conformance suite, against the tests' real server
// (SEALSTATE_TEST_POSTGRES; support/test_postgres.h): migrations, hostile names and specs,
// password redaction, locks that never collide across schemas and databases, many committing
// processes, clients killed mid-commit, the server crashing mid-run, dropped connections and
// statement timeouts. Each test case works in schemas of its own.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sealstate/backend_registry.h>
#include <sealstate/postgres_store.h>
#include <sealstate/testing.h>

#include "support/child_process.h"
#include "support/test_postgres.h"

using namespace sealstate;
using sealstate::testing::Reap;
using sealstate::testing::Spawn;
using sealstate::testing_support::FreshSchemaName;
using sealstate::testing_support::TestPostgresSpec;
using sealstate::testing_support::WithParameter;

namespace {

const bool kServerConfigured = sealstate::testing_support::RequireTestPostgres();
using Clock = std::chrono::steady_clock;

constexpr const char* kFactory = "pgtest";

// Percent-encodes everything but unreserved URI characters.
std::string PercentEncoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The test server's spec with schema `schema` (and, when given, another database).
std::string SpecFor(const std::string& schema, const std::string& database = "") {
  std::string spec = TestPostgresSpec();
  if (!database.empty()) {
    const std::size_t path = spec.find("/postgres");
    spec.replace(path, 9, "/" + database);
  }
  return WithParameter(spec, "schema", PercentEncoded(schema));
}

// A fresh, migrated schema's spec.
std::string MigratedSpec(const std::string& prefix, const std::string& database = "") {
  const std::string spec = SpecFor(FreshSchemaName(prefix), database);
  Result<MigrationReport> migrated = MigratePostgres(spec);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  return spec;
}

PostgresStoreOptions Options(const std::string& spec, const std::string& stack, const std::string& factory = kFactory) {
  PostgresStoreOptions options;
  options.spec = spec;
  options.factory = factory;
  options.stack = stack;
  options.encrypter = NewNoopEncrypter();
  return options;
}

BackendContext Context() {
  BackendContext context;
  context.factory = "f";
  context.stack = "s";
  return context;
}

std::unique_ptr<Backend> OpenStack(const std::string& spec, const std::string& stack,
                                   const std::string& factory = kFactory) {
  Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(Options(spec, stack, factory));
  INFO(backend.status().ToString());
  REQUIRE(backend.ok());
  return std::move(*backend);
}

// Runs SQL on the test server (a connection of its own); returns the first value or "".
std::string Sql(const std::string& sql, const std::string& database = "postgres") {
  std::string spec = TestPostgresSpec();
  if (database != "postgres") spec.replace(spec.find("/postgres"), 9, "/" + database);
  PGconn* conn = PQconnectdb(spec.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  INFO(sql << ": " << PQresultErrorMessage(result));
  CHECK((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
  std::string value = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  PQfinish(conn);
  return value;
}

Snapshot Snap(const std::string& stack, const std::string& mark, const std::string& factory = kFactory) {
  return sealstate::testing::TestSnapshot(factory, stack, mark);
}

Result<std::string> CommitOnce(Backend& backend, const std::string& mark, std::chrono::milliseconds timeout) {
  LockOptions options;
  options.timeout = timeout;
  options.operation = "commit";
  return backend.Commit(Snap(backend.stack(), mark, backend.factory()), options, WriteOptions{});
}

}  // namespace

TEST_CASE("migrations: versioned, recorded, idempotent") {
  const std::string spec = SpecFor(FreshSchemaName("mig"));
  Result<MigrationReport> first = BackendRegistry::WithBuiltins().Migrate(spec);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->from_version == 0);
  CHECK(first->to_version == kPostgresSchemaVersion);
  CHECK(first->applied.size() == 1);
  Result<MigrationReport> again = MigratePostgres(spec);
  REQUIRE(again.ok());
  CHECK(again->from_version == kPostgresSchemaVersion);
  CHECK(again->applied.empty());
  CHECK(OpenStack(spec, "after-migrate")->List().ok());
}

TEST_CASE("migrations: several processes migrating one schema at once apply each migration exactly once") {
  const std::string schema = FreshSchemaName("migrace");
  const std::string spec = SpecFor(schema);
  std::vector<pid_t> children;
  for (int i = 0; i < 6; ++i) {
    children.push_back(Spawn([&] {
      Result<MigrationReport> report = MigratePostgres(spec);
      if (!report.ok()) return 1;
      return report->applied.empty() ? 10 : 11;  // 11: this one applied them
    }));
  }
  int appliers = 0;
  for (pid_t child : children) {
    const int code = Reap(child);
    REQUIRE((code == 10 || code == 11));
    appliers += code == 11 ? 1 : 0;
  }
  CHECK(appliers == 1);
  CHECK(Sql("SELECT count(*) FROM \"" + schema + "\".sealstate_migrations") == "1");
}

TEST_CASE("an unmigrated database says to run migrate-schema; a newer schema is refused with kFormat") {
  const std::string spec = SpecFor(FreshSchemaName("unmigrated"));
  Result<std::unique_ptr<Backend>> missing = OpenPostgresStore(Options(spec, "s"));
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message().find("sealstate migrate-schema --backend") != std::string::npos);
  // Asked to, opening migrates.
  PostgresStoreOptions migrating = Options(spec, "s");
  migrating.migrate = true;
  Result<std::unique_ptr<Backend>> migrated = OpenPostgresStore(migrating);
  REQUIRE(migrated.ok());

  const std::string newer_schema = FreshSchemaName("newer");
  const std::string newer_spec = SpecFor(newer_schema);
  REQUIRE(MigratePostgres(newer_spec).ok());
  Sql("INSERT INTO \"" + newer_schema +
      "\".sealstate_migrations (version, description) VALUES (99, 'from the future')");
  Result<MigrationReport> refused = MigratePostgres(newer_spec);
  CHECK(refused.status().code() == Code::kFormat);
  CHECK(refused.status().message().find("newer than this build") != std::string::npos);
  Result<std::unique_ptr<Backend>> open_refused = OpenPostgresStore(Options(newer_spec, "s"));
  CHECK(open_refused.status().code() == Code::kFormat);
  CHECK(Sql("SELECT max(version) FROM \"" + newer_schema + "\".sealstate_migrations") == "99");
}

TEST_CASE("hostile schema, factory and stack names are data, never SQL") {
  const std::string schema = "we\"ird';DROP TABLE x;--\xC3\xBC " + std::to_string(::getpid());
  const std::string spec = SpecFor(schema);
  Result<MigrationReport> migrated = MigratePostgres(spec);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  for (const std::string& name : {std::string("a'b;c"), std::string("x\"); DELETE FROM stacks; --"),
                                  std::string("\xE2\x98\x83 snow'man"), std::string("$1 %s -- \xF0\x9F\x94\x92")}) {
    std::unique_ptr<Backend> backend = OpenStack(spec, name, "f'" + name);
    Result<std::string> rev = CommitOnce(*backend, "m", std::chrono::milliseconds(1000));
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    Result<Snapshot> read = OpenStack(spec, name, "f'" + name)->Current();
    REQUIRE(read.ok());
    CHECK(read->stack == name);
  }
  // Four stacks, each with its own rows; the schema's name is exactly the hostile one.
  const std::string quoted =
      "\"" + std::string("we\"\"ird';DROP TABLE x;--\xC3\xBC ") + std::to_string(::getpid()) + "\"";
  CHECK(Sql("SELECT count(*) FROM " + quoted + ".stacks") == "4");
  CHECK(Sql("SELECT count(*) FROM pg_namespace WHERE nspname = '" + std::string("we\"ird'';DROP TABLE x;--\xC3\xBC ") +
            std::to_string(::getpid()) + "'") == "1");
}

TEST_CASE("bad specs are refused with kInvalidArgument; passwords never appear in errors") {
  CHECK(OpenPostgresStore(Options("mysql://h/db", "s")).status().code() == Code::kInvalidArgument);
  CHECK(MigratePostgres(TestPostgresSpec() + "&schema=").status().code() == Code::kInvalidArgument);
  CHECK(MigratePostgres(TestPostgresSpec() + "&schema=" + std::string(64, 'x')).status().code() ==
        Code::kInvalidArgument);
  CHECK(MigratePostgres(TestPostgresSpec() + "&schema=%zz").status().code() == Code::kInvalidArgument);

  // A password in the user information and in a parameter, and a database that does not exist.
  std::string spec = TestPostgresSpec();
  spec.replace(spec.find("sealstate@"), 10, "sealstate:Hunter2Secret@");
  spec.replace(spec.find("/postgres"), 9, "/no_such_db");
  spec += "&password=Param0Secret";
  for (const Status& status : {MigratePostgres(spec).status(), OpenPostgresStore(Options(spec, "s")).status(),
                               BackendRegistry::WithBuiltins().Open(spec, Context()).status(),
                               BackendRegistry::WithBuiltins().Open(spec + "&schema=%zz", Context()).status()}) {
    INFO(status.ToString());
    CHECK_FALSE(status.ok());
    CHECK(status.message().find("Hunter2Secret") == std::string::npos);
    CHECK(status.message().find("Param0Secret") == std::string::npos);
    CHECK(status.message().find("***") != std::string::npos);
  }
  // An unmigrated schema's advice names the spec, redacted.
  std::string reachable = TestPostgresSpec();
  reachable.replace(reachable.find("sealstate@"), 10, "sealstate:Hunter2Secret@");
  Status unmigrated = OpenPostgresStore(Options(reachable + "&schema=nothing_here", "s")).status();
  CHECK(unmigrated.code() == Code::kNotFound);
  CHECK(unmigrated.message().find("Hunter2Secret") == std::string::npos);
  CHECK(unmigrated.message().find("sealstate:***@") != std::string::npos);
}

TEST_CASE(
    "stacks with the same names in two schemas and two databases lock independently (the Terraform "
    "collision)") {
  static std::atomic<int> runs{0};
  const std::string database = "sealstate_other_" + std::to_string(::getpid()) + "_" + std::to_string(runs++);
  Sql("CREATE DATABASE " + database);
  const std::vector<std::string> specs = {MigratedSpec("same"), MigratedSpec("same"), MigratedSpec("same", database)};
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<std::unique_ptr<Lock>> locks;
  for (const std::string& spec : specs) {
    backends.push_back(OpenStack(spec, "prod"));
    Result<std::unique_ptr<Lock>> lock = backends.back()->AcquireLock(LockOptions{});  // timeout 0: no waiting
    INFO(spec << ": " << lock.status().ToString());
    REQUIRE(lock.ok());
    locks.push_back(std::move(*lock));
  }
  // Each is really held: a second taker of the same stack in the same schema is refused.
  for (const std::string& spec : specs) {
    CHECK(OpenStack(spec, "prod")->AcquireLock(LockOptions{}).status().code() == Code::kLocked);
  }
  // Two stacks in one schema do not collide either.
  CHECK(OpenStack(specs[0], "staging")->AcquireLock(LockOptions{}).ok());
  locks.clear();
  backends.clear();
  Sql("DROP DATABASE " + database + " WITH (FORCE)");
}

TEST_CASE(
    "8 processes x 200 commits on one stack: no lost update, every acknowledged revision readable, "
    "journal gap-free") {
  const std::string spec = MigratedSpec("many");
  constexpr int kProcesses = 8;
  constexpr int kCommits = 200;
  char acked_path[] = "/tmp/sealstate-pg-acked-XXXXXX";
  const int acked_fd = ::mkstemp(acked_path);
  REQUIRE(acked_fd >= 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    children.push_back(Spawn([&, p] {
      Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(Options(spec, "shared"));
      if (!backend.ok()) return 2;
      for (int i = 0; i < kCommits; ++i) {
        Result<std::string> rev =
            CommitOnce(**backend, std::to_string(p) + "-" + std::to_string(i), std::chrono::milliseconds(60000));
        if (!rev.ok()) {
          std::fprintf(stderr, "commit: %s\n", rev.status().ToString().c_str());
          return 3;
        }
        const std::string line = *rev + " " + std::to_string(p) + "-" + std::to_string(i) + "\n";
        if (::write(acked_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 4;
      }
      return 0;
    }));
  }
  for (pid_t child : children) CHECK(Reap(child) == 0);
  ::close(acked_fd);
  std::ifstream acked_file(acked_path);
  std::vector<std::pair<std::string, std::string>> acked;
  std::string rev, mark;
  while (acked_file >> rev >> mark) acked.emplace_back(rev, mark);
  ::unlink(acked_path);
  REQUIRE(acked.size() == kProcesses * kCommits);

  std::unique_ptr<Backend> backend = OpenStack(spec, "shared");
  Result<std::vector<std::string>> list = backend->List();
  REQUIRE(list.ok());
  CHECK(list->size() == acked.size());
  const std::set<std::string> listed(list->begin(), list->end());
  for (const auto& [r, m] : acked) {
    REQUIRE(listed.contains(r));
    Result<Snapshot> read = backend->Get(r);
    REQUIRE(read.ok());
    REQUIRE(read->entries.size() == Snap("shared", m).entries.size());
    CHECK(*read == Snap("shared", m));
  }
  Result<std::vector<JournalEvent>> journal = backend->Journal(0);
  REQUIRE(journal.ok());
  REQUIRE(journal->size() == 2 * acked.size());  // a write and a set-current each
  std::size_t set_currents = 0;
  for (std::size_t i = 0; i < journal->size(); ++i) {
    CHECK((*journal)[i].seq == i + 1);
    set_currents += (*journal)[i].event == "set-current" ? 1 : 0;
  }
  CHECK(set_currents == acked.size());
  // The last set-current is current: no update lost.
  Result<std::string> current = backend->CurrentRev();
  REQUIRE(current.ok());
  CHECK(*current == journal->back().rev);
}
