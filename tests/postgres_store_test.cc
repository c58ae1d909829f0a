// The postgres backend beyond the conformance suite, against the tests' real server
// (SEALSTATE_TEST_POSTGRES; support/test_postgres.h): migrations, hostile names and specs,
// password redaction, locks that never collide across schemas and databases, many committing
// processes, clients killed mid-commit, the server crashing mid-run, dropped connections and
// statement timeouts. Each test case works in schemas of its own.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sealstate/backend_registry.h>
#include <sealstate/copy.h>
#include <sealstate/maintenance.h>
#include <sealstate/memory_store.h>
#include <sealstate/postgres_store.h>
#include <sealstate/testing.h>

#include "support/child_process.h"
#include "support/proc_memory.h"
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

// A Unix-socket proxy in front of the test server that counts round trips: every time a client
// sends after the server has answered it (a new turn of the conversation), on any connection.
// It also records the SQL of every Parse message the clients send (a statement parsed, named or
// not).
class RoundTripProxy {
 public:
  RoundTripProxy() {
    char dir[] = "/tmp/sealstate-rtt.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    const std::string spec = TestPostgresSpec();
    const std::size_t host = spec.find("host=") + 5;
    server_dir_ = spec.substr(host, spec.find('&', host) - host);
    listen_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    const sockaddr_un address = Address(dir_);
    REQUIRE(::bind(listen_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listen_, 16) == 0);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~RoundTripProxy() {
    stop_ = true;
    acceptor_.join();
    for (std::thread& pump : pumps_) pump.join();
    ::close(listen_);
    ::unlink(Address(dir_).sun_path);
    ::rmdir(dir_.c_str());
  }
  // `spec` reaching the server through this proxy.
  std::string Through(std::string spec) const {
    spec.replace(spec.find(server_dir_), server_dir_.size(), dir_);
    return spec;
  }
  int round_trips() const { return round_trips_; }
  // From now on, each read of 16 KiB or more from a client (an upload's piece) is held up
  // `delay` before it goes on to the server (zero: no more).
  void SlowUploads(std::chrono::milliseconds delay) { upload_delay_ms_ = static_cast<int>(delay.count()); }
  std::vector<std::string> parsed() const {
    std::lock_guard<std::mutex> guard(parsed_mutex_);
    return parsed_;
  }

 private:
  // Reads the client's messages out of `stream` (bytes it sent, not yet framed): the startup
  // message (untyped) first, then typed ones; records each Parse's SQL.
  void Frame(std::string& stream, bool& started) {
    while (true) {
      const std::size_t head = started ? 5 : 4;
      if (stream.size() < head) return;
      const unsigned char* p = reinterpret_cast<const unsigned char*>(stream.data()) + (started ? 1 : 0);
      const std::size_t length =
          (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
      const std::size_t total = length + (started ? 1 : 0);
      if (stream.size() < total) return;
      if (started && stream[0] == 'P') {
        const std::size_t name_end = stream.find('\0', 5);
        const std::size_t query_end = stream.find('\0', name_end + 1);
        std::lock_guard<std::mutex> guard(parsed_mutex_);
        parsed_.push_back(stream.substr(name_end + 1, query_end - name_end - 1));
      }
      stream.erase(0, total);
      started = true;
    }
  }
  static sockaddr_un Address(const std::string& dir) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s/.s.PGSQL.5432", dir.c_str());
    return address;
  }
  void AcceptLoop() {
    while (!stop_) {
      pollfd ready{listen_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int client = ::accept(listen_, nullptr, nullptr);
      const int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
      const sockaddr_un address = Address(server_dir_);
      if (::connect(server, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      pumps_.emplace_back([this, client, server] { Pump(client, server); });
    }
  }
  static bool WriteAll(int fd, const char* data, ssize_t n) {
    while (n > 0) {
      const ssize_t written = ::write(fd, data, static_cast<std::size_t>(n));
      if (written <= 0) return false;
      data += written;
      n -= written;
    }
    return true;
  }
  void Pump(int client, int server) {
    bool answered = true;  // the client's first bytes start a turn
    std::vector<char> buffer(1 << 16);
    std::string sent;  // the client's bytes not yet framed
    bool started = false;
    while (!stop_) {
      pollfd ready[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(ready, 2, 20) <= 0) continue;
      if (ready[0].revents != 0) {
        const ssize_t n = ::read(client, buffer.data(), buffer.size());
        if (n <= 0) break;
        if (answered) ++round_trips_;
        answered = false;
        sent.append(buffer.data(), static_cast<std::size_t>(n));
        Frame(sent, started);
        if (n >= (16 << 10) && upload_delay_ms_ > 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(upload_delay_ms_.load()));
        }
        if (!WriteAll(server, buffer.data(), n)) break;
      }
      if (ready[1].revents != 0) {
        const ssize_t n = ::read(server, buffer.data(), buffer.size());
        if (n <= 0) break;
        answered = true;
        if (!WriteAll(client, buffer.data(), n)) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  std::string dir_;
  std::string server_dir_;
  int listen_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> round_trips_{0};
  std::atomic<int> upload_delay_ms_{0};
  mutable std::mutex parsed_mutex_;
  std::vector<std::string> parsed_;
  std::thread acceptor_;
  std::vector<std::thread> pumps_;  // only the acceptor adds, before the destructor joins
};
}  // namespace

TEST_CASE("migrations: versioned, recorded, idempotent") {
  const std::string spec = SpecFor(FreshSchemaName("mig"));
  Result<MigrationReport> first = BackendRegistry::WithBuiltins().Migrate(spec);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->from_version == 0);
  CHECK(first->to_version == kPostgresSchemaVersion);
  CHECK(first->applied.size() == static_cast<std::size_t>(kPostgresSchemaVersion));
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
  CHECK(Sql("SELECT count(*) FROM \"" + schema + "\".sealstate_migrations") == std::to_string(kPostgresSchemaVersion));
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

namespace {

// Revisions acknowledged by forked committers: each child appends "REV\n" after Commit returned.
class AckedFile {
 public:
  AckedFile() : path_("/tmp/sealstate-pg-acked-XXXXXX") {
    fd_ = ::mkstemp(path_.data());
    REQUIRE(fd_ >= 0);
  }
  ~AckedFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // In a child: records `rev` (one write(2): whole lines even when killed).
  bool Record(const std::string& rev) const {
    const std::string line = rev + "\n";
    return ::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  }
  std::vector<std::string> Read() const {
    std::ifstream in(path_);
    std::vector<std::string> revs;
    std::string rev;
    while (in >> rev) revs.push_back(rev);
    return revs;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Everything acknowledged is listed and readable; the journal is numbered 1..N without a gap;
// every write is a listed revision and every set-current names one.
void CheckStackConsistent(Backend& backend, const std::vector<std::string>& acked) {
  Result<std::vector<std::string>> list = backend.List();
  REQUIRE(list.ok());
  const std::set<std::string> listed(list->begin(), list->end());
  for (const std::string& rev : acked) {
    INFO(rev);
    REQUIRE(listed.contains(rev));
    CHECK(backend.Get(rev).ok());
  }
  Result<std::vector<JournalEvent>> journal = backend.Journal(0);
  REQUIRE(journal.ok());
  std::size_t writes = 0;
  for (std::size_t i = 0; i < journal->size(); ++i) {
    const JournalEvent& e = (*journal)[i];
    REQUIRE(e.seq == i + 1);
    if (e.event == "write" || e.event == "set-current") CHECK(listed.contains(e.rev));
    writes += e.event == "write" ? 1 : 0;
  }
  CHECK(writes == listed.size());  // a killed commit left no revision behind
}

// The test server's control script and dir (scripts/postgres_server.sh); empty when not set.
std::string ServerControl(const std::string& command) {
  const char* ctl = ::getenv("SEALSTATE_TEST_POSTGRES_CTL");
  const char* dir = ::getenv("SEALSTATE_TEST_POSTGRES_DIR");
  if (ctl == nullptr || dir == nullptr) return "";
  return std::string(ctl) + " " + command + " '" + dir + "'";
}

}  // namespace

TEST_CASE(
    "clients killed with SIGKILL mid-commit (500 kills): nothing acknowledged lost, their locks provably "
    "stale and broken") {
  const std::string spec = MigratedSpec("killed");
  AckedFile acked;
  constexpr int kKills = 500;
  constexpr int kParallel = 4;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(2000, 60000);
  std::vector<pid_t> running;
  int killed = 0;
  while (killed < kKills) {
    while (static_cast<int>(running.size()) < kParallel) {
      running.push_back(Spawn([&] {
        Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(Options(spec, "killed"));
        if (!backend.ok()) return 2;
        for (int i = 0;; ++i) {
          Result<std::string> rev = CommitOnce(**backend, std::to_string(::getpid()) + "-" + std::to_string(i),
                                               std::chrono::milliseconds(30000));
          if (!rev.ok() || !acked.Record(*rev)) return 3;
        }
      }));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random) / kParallel));
    ::kill(running.front(), SIGKILL);
    CHECK(Reap(running.front()) == 128 + SIGKILL);  // not an error exit: every commit it tried worked
    running.erase(running.begin());
    ++killed;
  }
  for (pid_t child : running) ::kill(child, SIGKILL);
  for (pid_t child : running) Reap(child);

  std::unique_ptr<Backend> backend = OpenStack(spec, "killed");
  // Every holder is dead: the lock is free or provably stale, never "held".
  Result<LockInfo> info = backend->GetLockInfo();
  REQUIRE(info.ok());
  CHECK(info->state != LockState::kHeld);
  REQUIRE(CommitOnce(*backend, "after", std::chrono::milliseconds(5000)).ok());
  CheckStackConsistent(*backend, acked.Read());
  Result<std::vector<JournalEvent>> journal = backend->Journal(0);
  REQUIRE(journal.ok());
  std::size_t breaks = 0;
  for (const JournalEvent& e : *journal) breaks += e.event == "lock-break" ? 1 : 0;
  CHECK(breaks > 0);  // killed holders' locks were broken by the next committer
  WARN(acked.Read().size() << " commits acknowledged, " << breaks << " stale locks broken, " << kKills << " kills");
}

TEST_CASE(
    "a stale lock is reported stale, refused without break_stale, and broken by exactly one of several "
    "racing acquirers") {
  const std::string spec = MigratedSpec("stale");
  const pid_t holder = Spawn([&] {
    Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(Options(spec, "stale"));
    if (!backend.ok()) return 2;
    Result<std::unique_ptr<Lock>> lock = (*backend)->AcquireLock(LockOptions{});
    if (!lock.ok()) return 3;
    ::kill(::getpid(), SIGKILL);  // dies holding it
    return 4;
  });
  REQUIRE(Reap(holder) == 128 + SIGKILL);
  std::unique_ptr<Backend> backend = OpenStack(spec, "stale");
  Result<LockInfo> info = backend->GetLockInfo();
  for (int i = 0; i < 200 && info.ok() && info->state != LockState::kStale; ++i) {
    // The server notices the closed connection within milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    info = backend->GetLockInfo();
  }
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kStale);
  REQUIRE(info->holder.has_value());
  CHECK(info->holder->pid == holder);
  CHECK(info->holder->detail.contains(std::string(kPostgresHolderSessionPid)));
  LockOptions no_break;
  no_break.break_stale = false;
  Status refused = backend->AcquireLock(no_break).status();
  CHECK(refused.code() == Code::kLocked);
  CHECK(refused.message().find("stale") != std::string::npos);

  AckedFile winners;
  std::vector<pid_t> racers;
  for (int i = 0; i < 6; ++i) {
    racers.push_back(Spawn([&] {
      Result<std::unique_ptr<Backend>> racer = OpenPostgresStore(Options(spec, "stale"));
      if (!racer.ok()) return 2;
      Result<std::unique_ptr<Lock>> lock = (*racer)->AcquireLock(LockOptions{});  // no waiting
      if (lock.ok()) {
        (void)winners.Record("won");
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // hold it while the others try
        return 0;
      }
      return lock.status().code() == Code::kLocked ? 0 : 3;
    }));
  }
  for (pid_t racer : racers) CHECK(Reap(racer) == 0);
  CHECK(winners.Read().size() == 1);
  Result<std::vector<JournalEvent>> journal = backend->Journal(0);
  REQUIRE(journal.ok());
  std::size_t breaks = 0;
  for (const JournalEvent& e : *journal) breaks += e.event == "lock-break" ? 1 : 0;
  CHECK(breaks == 1);
}

TEST_CASE(
    "the server crashing mid-run (pg_ctl stop -m immediate) and restarting: acknowledged commits survive, "
    "clients get kIoError meanwhile and succeed after") {
  if (ServerControl("crash").empty()) {
    WARN("SEALSTATE_TEST_POSTGRES_CTL/_DIR not set: not crashing the server");
    return;
  }
  const std::string spec = MigratedSpec("crash");
  AckedFile acked;
  constexpr int kCommitsEach = 40;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    children.push_back(Spawn([&] {
      Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(Options(spec, "crash"));
      if (!backend.ok()) return 2;
      int done = 0;
      int io_errors = 0;
      const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
      while (done < kCommitsEach && Clock::now() < give_up) {
        Result<std::string> rev = CommitOnce(**backend, std::to_string(done), std::chrono::milliseconds(5000));
        if (rev.ok()) {
          if (!acked.Record(*rev)) return 3;
          ++done;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } else if (rev.status().code() == Code::kIoError) {
          ++io_errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } else {
          std::fprintf(stderr, "unexpected: %s\n", rev.status().ToString().c_str());
          return 4;
        }
      }
      return done == kCommitsEach && io_errors > 0 ? 0 : 5;
    }));
  }
  std::unique_ptr<Backend> backend = OpenStack(spec, "crash");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(std::system(ServerControl("crash").c_str()) == 0);
  Status down = backend->CurrentRev().status();
  CHECK(down.code() == Code::kIoError);
  CHECK(down.message().find("postgres store: ") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(std::system(ServerControl("restart").c_str()) == 0);
  for (pid_t child : children) CHECK(Reap(child) == 0);
  // The same Backend reconnects.
  REQUIRE(CommitOnce(*backend, "after", std::chrono::milliseconds(5000)).ok());
  const std::vector<std::string> revs = acked.Read();
  CHECK(revs.size() == 2 * kCommitsEach);
  CheckStackConsistent(*backend, revs);
}

TEST_CASE(
    "a waiter whose connection is dropped fails with kIoError at once; a holder whose connection is dropped "
    "loses the lock to the next taker") {
  const std::string spec = MigratedSpec("dropped");
  std::unique_ptr<Backend> backend = OpenStack(spec, "dropped");
  Result<std::unique_ptr<Lock>> holder = backend->AcquireLock(LockOptions{});
  REQUIRE(holder.ok());

  Status waited;
  Clock::time_point ended;
  std::thread waiter([&] {
    LockOptions options;
    options.timeout = std::chrono::milliseconds(20000);
    waited = OpenStack(spec, "dropped")->AcquireLock(options).status();
    ended = Clock::now();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const Clock::time_point dropped = Clock::now();
  CHECK(Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE "
            "'SELECT pg_advisory_lock_shared%' AND state = 'active'") == "1");
  waiter.join();
  CHECK(waited.code() == Code::kIoError);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(ended - dropped).count() < 2000);

  // Drop the holder's session: its lock is provably gone and the next taker breaks it at once.
  Result<LockInfo> info = backend->GetLockInfo();
  REQUIRE(info.ok());
  const std::string session = info->holder->detail.at(std::string(kPostgresHolderSessionPid));
  CHECK(Sql("SELECT pg_terminate_backend(" + session + ")") == "t");
  LockOptions options;
  options.timeout = std::chrono::milliseconds(5000);
  Result<std::unique_ptr<Lock>> taker = OpenStack(spec, "dropped")->AcquireLock(options);
  INFO(taker.status().ToString());
  REQUIRE(taker.ok());
  // The old holder can neither move current nor release the new holder's lock.
  Result<std::string> rev = backend->Write(Snap("dropped", "x"), WriteOptions{});
  REQUIRE(rev.ok());
  CHECK(backend->SetCurrent(*rev, SetCurrentOptions{.expected_current = std::nullopt, .lock_id = (*holder)->id()})
            .code() == Code::kLocked);
  CHECK((*holder)->Unlock().code() == Code::kLocked);
  CHECK(backend->GetLockInfo()->holder->lock_id == (*taker)->id());
}

TEST_CASE("a statement timeout (options=-c statement_timeout) fails the operation with kIoError and changes nothing") {
  const std::string schema = FreshSchemaName("timeout");
  const std::string spec = SpecFor(schema);
  REQUIRE(MigratePostgres(spec).ok());
  std::unique_ptr<Backend> backend = OpenStack(spec + "&options=-c%20statement_timeout%3D300", "slow");
  Result<std::string> rev = backend->Write(Snap("slow", "a"), WriteOptions{});
  REQUIRE(rev.ok());
  // Another session holds the stack's row.
  PGconn* blocker = PQconnectdb(TestPostgresSpec().c_str());
  REQUIRE(PQstatus(blocker) == CONNECTION_OK);
  PQclear(PQexec(blocker, "BEGIN"));
  PGresult* locked =
      PQexec(blocker, ("SELECT 1 FROM \"" + schema + "\".stacks WHERE stack = 'slow' FOR UPDATE").c_str());
  REQUIRE(PQresultStatus(locked) == PGRES_TUPLES_OK);
  PQclear(locked);
  const Clock::time_point start = Clock::now();
  Status timed_out = backend->SetCurrent(*rev, SetCurrentOptions{});
  CHECK(timed_out.code() == Code::kIoError);
  CHECK(timed_out.message().find("statement timeout") != std::string::npos);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() < 3000);
  PQclear(PQexec(blocker, "ROLLBACK"));
  PQfinish(blocker);
  CHECK(backend->CurrentRev().status().code() == Code::kNoCurrent);
  CHECK(backend->SetCurrent(*rev, SetCurrentOptions{}).ok());
}

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

using sealstate::testing::ProcStatusBytes;
using sealstate::testing::ResetPeak;

struct MemoryFigures {
  std::size_t commit_extra = 0;  // peak RSS during Commit beyond the RSS before it
  std::size_t get_extra = 0;     // peak RSS during Get beyond the RSS after it (holding the result)
  std::size_t stored_bytes = 0;
  int ok = 0;
};

}  // namespace

TEST_CASE(
    "a commit through the server makes two round trips when the lock is free, the next from the same store one, and "
    "a read one") {
  const std::string spec = MigratedSpec("trips");
  RoundTripProxy proxy;
  REQUIRE(CommitOnce(*OpenStack(spec, "trips"), "first", std::chrono::milliseconds(5000)).ok());
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "trips");
  int before = proxy.round_trips();
  REQUIRE(CommitOnce(*backend, "second", std::chrono::milliseconds(5000)).ok());
  // Read current, its header and its stored digest (the parent link) and whether a holder row
  // is there; the write with the guarded move and its COMMIT, the fast path's one transaction
  // (see sealstate-format(5), "Round trips").
  CHECK(proxy.round_trips() - before == 2);
  before = proxy.round_trips();
  Result<std::string> rev = CommitOnce(*backend, "third", std::chrono::milliseconds(5000));
  REQUIRE(rev.ok());
  // Current as this store's commit left it: only the transaction.
  CHECK(proxy.round_trips() - before == 1);
  CHECK(*backend->CurrentRev() == *rev);
  CHECK(VerifyChain(*backend)->problems.empty());
  before = proxy.round_trips();
  REQUIRE(backend->Get(*rev).ok());
  CHECK(proxy.round_trips() - before == 1);
}

TEST_CASE("a store whose remembered current another store moved commits after it, linked to its revision") {
  const std::string spec = MigratedSpec("stale");
  RoundTripProxy proxy;
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "stale");
  std::unique_ptr<Backend> other = OpenStack(spec, "stale");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  Result<std::string> moved = CommitOnce(*other, "other", std::chrono::milliseconds(5000));
  REQUIRE(moved.ok());
  const int before = proxy.round_trips();
  Result<std::string> rev = CommitOnce(*backend, "after", std::chrono::milliseconds(5000));
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  // The guarded move refused the stale current (one round trip), then the lock's path.
  CHECK(proxy.round_trips() - before > 1);
  CHECK(*backend->CurrentRev() == *rev);
  Result<EnvelopeHeader> header = backend->ReadHeader(*rev);
  REQUIRE(header.ok());
  REQUIRE(header->parent.has_value());
  CHECK(header->parent->rev == *moved);
  CHECK(VerifyChain(*backend)->problems.empty());
  CHECK(backend->List()->size() == 3);
  // The lock's path leaves nothing remembered: the next commit reads current (two round trips),
  // the one after it is one round trip again.
  int again = proxy.round_trips();
  REQUIRE(CommitOnce(*backend, "again", std::chrono::milliseconds(5000)).ok());
  CHECK(proxy.round_trips() - again == 2);
  again = proxy.round_trips();
  REQUIRE(CommitOnce(*backend, "once more", std::chrono::milliseconds(5000)).ok());
  CHECK(proxy.round_trips() - again == 1);
}

TEST_CASE("a commit while another process holds the lock waits for it and commits through the lock") {
  const std::string spec = MigratedSpec("fastheld");
  RoundTripProxy proxy;
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "held");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  Result<std::unique_ptr<Lock>> holder = OpenStack(spec, "held")->AcquireLock(LockOptions{});
  REQUIRE(holder.ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CHECK((*holder)->Unlock().ok());
  });
  const int before = proxy.round_trips();
  const Clock::time_point start = Clock::now();
  Result<std::string> rev = CommitOnce(*backend, "second", std::chrono::milliseconds(5000));
  release.join();
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  CHECK(Clock::now() - start >= std::chrono::milliseconds(350));
  // The unlocked read saw the holder row: no fast path, the lock was waited for.
  CHECK(proxy.round_trips() - before > 4);
  CHECK(*backend->CurrentRev() == *rev);
  const std::vector<JournalEvent> journal = *backend->Journal(0);
  REQUIRE(journal.size() >= 2);
  CHECK(journal.back().event == "set-current");
  CHECK(journal.back().lock_id == journal[journal.size() - 2].lock_id);
}

TEST_CASE(
    "a large commit takes the lock and not the fast path so a lock asked for during its upload times out on time") {
  const std::string spec = MigratedSpec("fastupload");
  RoundTripProxy proxy;
  std::unique_ptr<Backend> committer = OpenStack(proxy.Through(spec), "upload");
  Result<std::string> first = CommitOnce(*committer, "first", std::chrono::milliseconds(5000));
  REQUIRE(first.ok());
  const Snapshot large = sealstate::testing::LargeTestSnapshot(kFactory, "upload", 16 * kMiB);
  proxy.SlowUploads(std::chrono::milliseconds(100));
  const int before = proxy.round_trips();
  std::atomic<bool> committed{false};
  Result<std::string> rev = Status::Internal("not run");
  std::thread commit([&] {
    LockOptions options;
    options.timeout = std::chrono::milliseconds(60000);
    options.operation = "commit";
    rev = committer->Commit(large, options, WriteOptions{});
    committed = true;
  });
  // The commit's upload is under way (its second round trip has begun).
  const Clock::time_point wait_start = Clock::now();
  while (proxy.round_trips() - before < 2 && Clock::now() - wait_start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(!committed);
  LockOptions short_wait;
  short_wait.timeout = std::chrono::milliseconds(200);
  const Clock::time_point start = Clock::now();
  Result<std::unique_ptr<Lock>> lock = OpenStack(spec, "upload")->AcquireLock(short_wait);
  const Clock::duration took = Clock::now() - start;
  const bool uploading = !committed;
  proxy.SlowUploads(std::chrono::milliseconds(0));
  // The commit holds the lock (a holder row, not the fast path's row lock): the wait ends at its
  // 200 ms timeout naming that holder, not after the upload (a generous bound).
  CHECK(took < std::chrono::milliseconds(1000));
  CHECK(uploading);
  CHECK(!lock.ok());
  if (lock.ok()) CHECK((*lock)->Unlock().ok());
  CHECK(lock.status().code() == Code::kLocked);
  CHECK(lock.status().message().find("locked by") != std::string::npos);
  commit.join();
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  std::vector<std::string> revs = *committer->List();
  std::sort(revs.begin(), revs.end());
  CHECK(revs == std::vector<std::string>{*first, *rev});
  CHECK(*committer->CurrentRev() == *rev);
  CHECK(VerifyChain(*committer)->problems.empty());
}

TEST_CASE("a fast-path commit refused in its transaction (a holder row came) leaves nothing and commits by the lock") {
  const std::string schema = FreshSchemaName("fastrefused");
  const std::string spec = SpecFor(schema);
  REQUIRE(MigratePostgres(spec).ok());
  RoundTripProxy proxy;
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "raced");
  Result<std::string> first = CommitOnce(*backend, "first", std::chrono::milliseconds(5000));
  REQUIRE(first.ok());
  // Another session holds the stack's row, so the fast path's transaction waits at its
  // revision's row (after its unlocked read saw no holder); meanwhile a holder row commits, whose
  // session is gone (stale).
  PGconn* blocker = PQconnectdb(TestPostgresSpec().c_str());
  REQUIRE(PQstatus(blocker) == CONNECTION_OK);
  PQclear(PQexec(blocker, "BEGIN"));
  PQclear(PQexec(blocker, ("SELECT 1 FROM \"" + schema + "\".stacks WHERE stack = 'raced' FOR UPDATE").c_str()));
  std::thread stale_holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    PQclear(PQexec(blocker, ("INSERT INTO \"" + schema +
                             "\".locks (stack_id, lock_id, holder_user, holder_host, holder_pid, created, operation, "
                             "version, advisory_key, session_pid) SELECT id, 'gone-holder', 'u', 'h', 1, "
                             "'2026-01-01T00:00:00Z', 'op', 'v', 99999, 1 FROM \"" +
                             schema + "\".stacks WHERE stack = 'raced'")
                                .c_str()));
    PQclear(PQexec(blocker, "COMMIT"));
  });
  LockOptions options;
  options.timeout = std::chrono::milliseconds(5000);
  options.operation = "commit";
  Result<std::string> rev = backend->Commit(Snap("raced", "second"), options, WriteOptions{});
  stale_holder.join();
  PQfinish(blocker);
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  // The fast path's guarded move of current was sent (and refused) ...
  const std::vector<std::string> parsed = proxy.parsed();
  CHECK(std::any_of(parsed.begin(), parsed.end(), [](const std::string& sql) {
    return sql.find("current IS NOT DISTINCT FROM") != std::string::npos;
  }));
  // ... and its transaction left no revision; the normal path broke the stale lock and committed.
  std::vector<std::string> revs = *backend->List();
  std::sort(revs.begin(), revs.end());
  CHECK(revs == std::vector<std::string>{*first, *rev});
  CHECK(*backend->CurrentRev() == *rev);
  std::vector<std::string> events;
  const std::vector<JournalEvent> journal = *backend->Journal(0);
  for (const JournalEvent& event : journal) events.push_back(event.event);
  CHECK(events == std::vector<std::string>{"write", "set-current", "lock-break", "write", "set-current"});
  CHECK(backend->GetLockInfo()->state == LockState::kFree);
  CHECK(VerifyChain(*backend)->problems.empty());
}

namespace {

// The schema's name in `spec` as an SQL identifier.
std::string QuotedSchemaOf(const std::string& spec) {
  const std::size_t at = spec.find("schema=") + 7;
  return "\"" + spec.substr(at, spec.find('&', at) - at) + "\"";
}

// Revision `rev`'s stored digest (S.revisions.digest), "" when NULL.
std::string StoredDigest(const std::string& spec, const std::string& rev) {
  return Sql("SELECT digest FROM " + QuotedSchemaOf(spec) + ".revisions WHERE rev = '" + rev + "'");
}

// The parent link revision `rev`'s header records ("" when none).
std::string ParentDigest(Backend& backend, const std::string& rev) {
  Result<EnvelopeHeader> header = backend.ReadHeader(rev);
  REQUIRE(header.ok());
  return header->parent ? header->parent->blake2b : "";
}

}  // namespace

TEST_CASE("a store whose session the server ended since its last commit commits again on a new session") {
  const std::string spec = MigratedSpec("ended");
  std::unique_ptr<Backend> backend = OpenStack(spec + "&application_name=sealstate_ended", "ended");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  CHECK(Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
            "'sealstate_ended'") == "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server's goodbye arrives
  // The remembered current is not used on a session the server has ended (its transaction would
  // fail there): current is read again, on a new one.
  Result<std::string> rev = CommitOnce(*backend, "second", std::chrono::milliseconds(5000));
  INFO(rev.status().ToString());
  REQUIRE(rev.ok());
  CHECK(*backend->CurrentRev() == *rev);
  CHECK(backend->List()->size() == 2);
  CHECK(VerifyChain(*backend)->problems.empty());
}

TEST_CASE("each revision's row stores its envelope's digest, which the next revision's parent link records") {
  const std::string spec = MigratedSpec("digest");
  std::unique_ptr<Backend> backend = OpenStack(spec, "digest");
  Result<std::string> first = CommitOnce(*backend, "first", std::chrono::milliseconds(5000));
  REQUIRE(first.ok());
  const std::string stored = StoredDigest(spec, *first);
  CHECK(stored.size() == 64);
  Result<std::string> second = CommitOnce(*backend, "second", std::chrono::milliseconds(5000));
  REQUIRE(second.ok());
  CHECK(ParentDigest(*backend, *second) == stored);
  // verify --chain hashes the stored bytes: the stored digest is theirs.
  Result<ChainReport> chain = VerifyChain(*backend);
  REQUIRE(chain.ok());
  CHECK(chain->problems.empty());
  CHECK(chain->chain == std::vector<std::string>{*second, *first});

  // A revision that comes in by ImportEnvelope, or is replaced (rekey), stores the digest too.
  const std::string to_spec = MigratedSpec("digestto");
  std::unique_ptr<Backend> to = OpenStack(to_spec, "digest");
  Result<std::unique_ptr<Lock>> lock = to->AcquireLock(LockOptions{});
  REQUIRE(lock.ok());
  std::string envelope;
  StringSink sink(envelope);
  REQUIRE(backend->ReadEnvelope(*first, sink).ok());
  StringSource source(envelope);
  REQUIRE(to->ImportEnvelope(*first, source, (*lock)->id()).ok());
  CHECK(StoredDigest(to_spec, *first) == stored);
  Sql("UPDATE " + QuotedSchemaOf(to_spec) + ".revisions SET digest = NULL");
  StringSource again(envelope);
  REQUIRE(to->ReplaceEnvelope(*first, again, (*lock)->id()).ok());
  CHECK(StoredDigest(to_spec, *first) == stored);
}

TEST_CASE(
    "a commit of several chunks (sent on the upload thread) stores them whole with their digest; one that fails "
    "mid-upload changes nothing") {
  const std::string spec = MigratedSpec("chunks");
  PostgresStoreOptions options = Options(spec, "chunks");
  options.envelope.compression = Compression::kNone;  // 4 MiB stored: several chunks
  Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(options);
  REQUIRE(backend.ok());
  const Snapshot large = sealstate::testing::LargeTestSnapshot(kFactory, "chunks", 4 * 1024 * 1024);
  LockOptions lock;
  lock.timeout = std::chrono::milliseconds(10000);
  Result<std::string> first = (*backend)->Commit(large, lock, WriteOptions{});
  REQUIRE(first.ok());
  const std::string table = QuotedSchemaOf(spec) + ".revision_chunks";
  CHECK(std::stoi(Sql("SELECT count(*) FROM " + table)) >= 4);
  Result<Snapshot> got = (*backend)->Get(*first);
  REQUIRE(got.ok());
  CHECK(*got == large);
  Result<std::string> second = (*backend)->Commit(Snap("chunks", "b"), lock, WriteOptions{});
  REQUIRE(second.ok());
  CHECK(ParentDigest(**backend, *second) == StoredDigest(spec, *first));
  Result<ChainReport> chain = VerifyChain(**backend);
  REQUIRE(chain.ok());
  CHECK(chain->problems.empty());

  // The server refuses the third chunk: the commit fails, and nothing of it is left.
  Sql("ALTER TABLE " + table + " ADD CONSTRAINT two_chunks CHECK (chunk < 2) NOT VALID");
  const std::string rows_before = Sql("SELECT count(*) FROM " + table);
  Result<std::string> refused = (*backend)->Commit(large, lock, WriteOptions{});
  CHECK(refused.status().code() == Code::kIoError);
  CHECK(Sql("SELECT count(*) FROM " + table) == rows_before);
  Result<std::string> current = (*backend)->CurrentRev();
  REQUIRE(current.ok());
  CHECK(*current == *second);
  Result<LockInfo> info = (*backend)->GetLockInfo();
  REQUIRE(info.ok());
  CHECK(info->state == LockState::kFree);
  Sql("ALTER TABLE " + table + " DROP CONSTRAINT two_chunks");
  Result<std::string> again = (*backend)->Commit(large, lock, WriteOptions{});
  CHECK(again.ok());
}

TEST_CASE("a revision written before migration 3 (no stored digest) is still linked as the parent, by hashing it") {
  const std::string spec = MigratedSpec("premig");
  const std::string schema = QuotedSchemaOf(spec);
  std::unique_ptr<Backend> backend = OpenStack(spec, "premig");
  Result<std::string> first = CommitOnce(*backend, "first", std::chrono::milliseconds(5000));
  REQUIRE(first.ok());
  const std::string digest = StoredDigest(spec, *first);
  // Back to the schema an older build left: no digest column, migration 3 not applied.
  Sql("ALTER TABLE " + schema + ".revisions DROP COLUMN digest");
  Sql("DELETE FROM " + schema + ".sealstate_migrations WHERE version = 3");
  Result<MigrationReport> migrated = MigratePostgres(spec);
  REQUIRE(migrated.ok());
  CHECK(migrated->applied.size() == 1);
  CHECK(StoredDigest(spec, *first).empty());
  backend = OpenStack(spec, "premig");
  Result<std::string> second = CommitOnce(*backend, "second", std::chrono::milliseconds(5000));
  REQUIRE(second.ok());
  CHECK(ParentDigest(*backend, *second) == digest);
  // A stored value that is not a digest is not trusted either: the parent is hashed.
  Sql("UPDATE " + schema + ".revisions SET digest = 'not a digest'");
  const std::string second_digest = [&] {
    Result<std::string> third = CommitOnce(*backend, "third", std::chrono::milliseconds(5000));
    REQUIRE(third.ok());
    return ParentDigest(*backend, *third);
  }();
  CHECK(second_digest.size() == 64);
  Result<ChainReport> chain = VerifyChain(*backend);
  REQUIRE(chain.ok());
  CHECK(chain->problems.empty());
  CHECK(chain->chain.size() == 3);
}

TEST_CASE("a second commit on the same sessions parses none of its pipelined statements again") {
  const std::string spec = MigratedSpec("parses");
  RoundTripProxy proxy;
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "parses");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  const std::size_t before = proxy.parsed().size();
  REQUIRE(CommitOnce(*backend, "second", std::chrono::milliseconds(5000)).ok());
  const std::vector<std::string> parsed = proxy.parsed();
  REQUIRE(parsed.size() > before);  // BEGIN, COMMIT and the like are still parsed (unnamed)
  // Those with parameters were prepared on each session by the first commit (its pipelines:
  // take the lock and read current, write, release the lock): bound and executed by name since.
  for (std::size_t i = before; i < parsed.size(); ++i) CHECK(parsed[i].find("$1") == std::string::npos);
}

TEST_CASE("a wait for journal events that are already there makes two round trips") {
  const std::string spec = MigratedSpec("trips");
  RoundTripProxy proxy;
  std::unique_ptr<Backend> backend = OpenStack(proxy.Through(spec), "waits");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  // The first wait also opens its connection.
  REQUIRE(backend->WaitForJournal(0, std::chrono::milliseconds(1000), nullptr).ok());
  const int before = proxy.round_trips();
  Result<bool> waited = backend->WaitForJournal(0, std::chrono::milliseconds(1000), nullptr);
  REQUIRE(waited.ok());
  CHECK(*waited);
  // LISTEN with the read of the last seq; UNLISTEN (the journal's channel is known from the open).
  CHECK(proxy.round_trips() - before == 2);
}

TEST_CASE("a 100 MB snapshot is committed and read through the server in bounded memory") {
  const std::string spec = MigratedSpec("large");
  ::setenv("SEALSTATE_PG_TEST_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = Spawn([&] {
    MemoryFigures f;
    PostgresStoreOptions options = Options(spec, "large");
    options.encrypter = std::move(*NewEnvKeyEncrypter("SEALSTATE_PG_TEST_KEY"));
    // Uncompressed, so that the stored envelope is at least as large as the snapshot (zstd would
    // shrink this one to a tenth): the rows streamed are what is measured.
    options.envelope.compression = Compression::kNone;
    Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(options);
    if (!backend.ok()) return 2;
    std::string rev;
    {
      const Snapshot large = sealstate::testing::LargeTestSnapshot(kFactory, "large", 100 * kMiB);
      ResetPeak();
      const std::size_t before = ProcStatusBytes("VmRSS");
      LockOptions lock;
      lock.timeout = std::chrono::milliseconds(10000);
      Result<std::string> committed = (*backend)->Commit(large, lock, WriteOptions{});
      if (!committed.ok()) return 3;
      f.commit_extra = ProcStatusBytes("VmHWM") - before;
      rev = *committed;
    }
    ResetPeak();
    Result<Snapshot> read = (*backend)->Get(rev);
    if (!read.ok() || read->entries.size() < 1000) return 4;
    const std::size_t after = ProcStatusBytes("VmRSS");
    f.get_extra = ProcStatusBytes("VmHWM") - after;
    f.ok = 1;
    return ::write(fds[1], &f, sizeof f) == sizeof f ? 0 : 5;
  });
  ::close(fds[1]);
  MemoryFigures f;
  const ssize_t n = ::read(fds[0], &f, sizeof f);
  ::close(fds[0]);
  REQUIRE(Reap(child) == 0);
  REQUIRE(n == static_cast<ssize_t>(sizeof f));
  f.stored_bytes =
      std::stoull(Sql("SELECT sum(bytes) FROM \"" + spec.substr(spec.rfind("schema=") + 7) + "\".revisions"));
  WARN("100 MB snapshot (" << f.stored_bytes / kMiB << " MiB stored): peak extra RSS " << f.commit_extra / kMiB
                           << " MiB committing, " << f.get_extra / kMiB << " MiB reading");
  CHECK(f.stored_bytes >= 100 * kMiB);
  CHECK(f.commit_extra < 24 * kMiB);
  CHECK(f.get_extra < 24 * kMiB);
}

TEST_CASE("ReadEnvelope, ImportEnvelope and ImportJournal move a stack's bytes and history between schemas") {
  const std::string from_spec = MigratedSpec("from");
  const std::string to_spec = MigratedSpec("to");
  std::unique_ptr<Backend> from = OpenStack(from_spec, "moved");
  std::vector<std::string> revs;
  for (const char* mark : {"one", "two"}) {
    Result<std::string> rev = CommitOnce(*from, mark, std::chrono::milliseconds(1000));
    REQUIRE(rev.ok());
    revs.push_back(*rev);
  }
  std::unique_ptr<Backend> to = OpenStack(to_spec, "moved");
  Result<std::unique_ptr<Lock>> lock = to->AcquireLock(LockOptions{});
  REQUIRE(lock.ok());
  std::map<std::string, std::string> envelopes;
  for (const std::string& rev : revs) {
    StringSink sink(envelopes[rev]);
    REQUIRE(from->ReadEnvelope(rev, sink).ok());
    StringSource source(envelopes[rev]);
    Status imported = to->ImportEnvelope(rev, source, (*lock)->id());
    INFO(imported.ToString());
    REQUIRE(imported.ok());
    StringSource again(envelopes[rev]);
    CHECK(to->ImportEnvelope(rev, again, (*lock)->id()).ok());  // a resumed copy
    std::string copied;
    StringSink copied_sink(copied);
    REQUIRE(to->ReadEnvelope(rev, copied_sink).ok());
    CHECK(copied == envelopes[rev]);  // byte for byte
    CHECK(*to->Get(rev) == *from->Get(rev));
  }
  // Another revision's envelope under this name: refused by its header.
  StringSource other(envelopes[revs[0]]);
  CHECK(to->ImportEnvelope(revs[1] + "_9", other, (*lock)->id()).code() == Code::kIntegrity);
  // Other bytes for an existing revision: refused, nothing changed.
  std::string tampered = envelopes[revs[1]];
  tampered.back() ^= 1;
  StringSource tampered_source(tampered);
  CHECK(to->ImportEnvelope(revs[1], tampered_source, (*lock)->id()).code() == Code::kAlreadyExists);
  // A v1 envelope where only v2 is accepted: kFormat.
  PostgresStoreOptions unobin = Options(MigratedSpec("unobin"), "moved");
  unobin.envelope.unobin_compatible = true;
  std::unique_ptr<Backend> v1_stack = std::move(*OpenPostgresStore(unobin));
  Result<std::string> v1_rev = CommitOnce(*v1_stack, "v1", std::chrono::milliseconds(1000));
  REQUIRE(v1_rev.ok());
  std::string v1_bytes;
  StringSink v1_sink(v1_bytes);
  REQUIRE(v1_stack->ReadEnvelope(*v1_rev, v1_sink).ok());
  StringSource v1_source(v1_bytes);
  CHECK(to->ImportEnvelope(*v1_rev, v1_source, (*lock)->id()).code() == Code::kFormat);

  Result<std::vector<JournalEvent>> history = from->Journal(0);
  REQUIRE(history.ok());
  // Fenced: a lock id that is not the holder's imports nothing.
  CHECK(to->ImportJournal(*history, "0123456789abcdef0123456789abcdef").code() == Code::kLocked);
  StringSource fenced(envelopes[revs[0]]);
  CHECK(to->ImportEnvelope(revs[0], fenced, "0123456789abcdef0123456789abcdef").code() == Code::kLocked);
  REQUIRE(to->ImportJournal(*history, (*lock)->id()).ok());
  Result<std::vector<JournalEvent>> imported = to->Journal(0);
  REQUIRE(imported.ok());
  REQUIRE(imported->size() == history->size());
  for (std::size_t i = 0; i < history->size(); ++i) {
    JournalEvent expected = (*history)[i];
    expected.seq = i + 1;
    CHECK((*imported)[i] == expected);
  }
  CHECK(to->List()->size() == 2);
}

TEST_CASE("a cancelled wait leaves its connection as it found it: the next lock waits for a busy stack row") {
  const std::string schema = FreshSchemaName("cancelled");
  const std::string spec = SpecFor(schema);
  REQUIRE(MigratePostgres(spec).ok());
  std::unique_ptr<Backend> backend = OpenStack(spec, "busy");
  {
    Result<std::unique_ptr<Lock>> holder = OpenStack(spec, "busy")->AcquireLock(LockOptions{});
    REQUIRE(holder.ok());
    LockOptions options;
    options.timeout = std::chrono::milliseconds(10000);
    const Clock::time_point start = Clock::now();
    options.cancelled = [&] { return Clock::now() - start > std::chrono::milliseconds(100); };
    CHECK(backend->AcquireLock(options).status().code() == Code::kCancelled);
  }
  // Another session holds the stack's row for 600 ms; the lock (on the connection the cancelled
  // wait used) waits for it instead of failing.
  PGconn* blocker = PQconnectdb(TestPostgresSpec().c_str());
  REQUIRE(PQstatus(blocker) == CONNECTION_OK);
  PQclear(PQexec(blocker, "BEGIN"));
  PQclear(PQexec(blocker, ("SELECT 1 FROM \"" + schema + "\".stacks WHERE stack = 'busy' FOR UPDATE").c_str()));
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    PQclear(PQexec(blocker, "ROLLBACK"));
  });
  LockOptions options;
  options.timeout = std::chrono::milliseconds(5000);
  Result<std::unique_ptr<Lock>> lock = backend->AcquireLock(options);
  release.join();
  PQfinish(blocker);
  INFO(lock.status().ToString());
  CHECK(lock.ok());
}

namespace {

// The key the journal-authentication tests seal and MAC with.
std::shared_ptr<const Encrypter> MacTestKey() {
  ::setenv("SEALSTATE_PG_MAC_KEY", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", 1);
  Result<std::unique_ptr<Encrypter>> key = NewEnvKeyEncrypter("SEALSTATE_PG_MAC_KEY");
  REQUIRE(key.ok());
  return std::shared_ptr<const Encrypter>(std::move(*key));
}

std::unique_ptr<Backend> OpenKeyedStack(const std::string& spec, const std::string& stack,
                                        const std::shared_ptr<const Encrypter>& key) {
  PostgresStoreOptions options = Options(spec, stack);
  options.encrypter = key;
  Result<std::unique_ptr<Backend>> backend = OpenPostgresStore(options);
  INFO(backend.status().ToString());
  REQUIRE(backend.ok());
  return std::move(*backend);
}

// The problems VerifyStack finds on `backend`, each "REV: message".
std::vector<std::string> VerifyProblems(Backend& backend, const Encrypter& key) {
  Result<VerifyReport> report = VerifyStack(backend, nullptr, {&key});
  REQUIRE(report.ok());
  CHECK(report->notes.empty());
  std::vector<std::string> problems;
  for (const VerifyProblem& problem : report->problems)
    problems.push_back(problem.rev + ": " + problem.status.message());
  return problems;
}

bool AnyContains(const std::vector<std::string>& texts, const std::string& part) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& text) { return text.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("journal rows are MAC-chained; a current moved by hand is a rollback; verify names an edited row") {
  const std::string schema = FreshSchemaName("mac");
  const std::string spec = SpecFor(schema);
  REQUIRE(MigratePostgres(spec).ok());
  const std::shared_ptr<const Encrypter> key = MacTestKey();
  std::unique_ptr<Backend> backend = OpenKeyedStack(spec, "mac", key);
  Result<std::string> first = CommitOnce(*backend, "one", std::chrono::milliseconds(5000));
  REQUIRE(first.ok());
  Result<std::string> second = CommitOnce(*backend, "two", std::chrono::milliseconds(5000));
  REQUIRE(second.ok());
  REQUIRE(backend->AppendJournal("note", "", "a note", "").ok());

  const std::vector<JournalEvent> journal = *backend->Journal(0);
  REQUIRE(journal.size() == 5);
  for (const JournalEvent& event : journal) CHECK(event.mac_key == key->Describe().key_id);
  CHECK(journal.back().current == std::optional<std::string>(*second));
  CHECK(VerifyProblems(*backend, *key).empty());
  CHECK(CheckExpectAtLeast(*backend, *key, *second).ok());

  const std::string stack_row = "(SELECT id FROM \"" + schema + "\".stacks WHERE stack = 'mac')";
  SECTION("an UPDATE of current made by hand is reported as a rollback; set-current repairs it") {
    Sql("UPDATE \"" + schema + "\".stacks SET current = '" + *first + "' WHERE id = " + stack_row);
    Result<std::string> current = backend->CurrentRev();
    CHECK(current.status().code() == Code::kIntegrity);
    CHECK(current.status().message().find("rollback detected") != std::string::npos);
    CHECK(OpenKeyedStack(spec, "mac", key)->Current().status().code() == Code::kIntegrity);
    REQUIRE(backend->SetCurrent(*first, SetCurrentOptions{}).ok());
    CHECK(backend->CurrentRev().ok());
  }
  SECTION("an edited row is named by its seq") {
    Sql("UPDATE \"" + schema + "\".journal SET detail = 'edited' WHERE seq = 2 AND stack_id = " + stack_row);
    CHECK(AnyContains(VerifyProblems(*backend, *key), "seq 2"));
  }
  SECTION("a deleted row is named by its seq") {
    Sql("DELETE FROM \"" + schema + "\".journal WHERE seq = 3 AND stack_id = " + stack_row);
    CHECK(AnyContains(VerifyProblems(*backend, *key), "seq 3 removed"));
  }
  SECTION("the newest authenticated row edited to name another current is refused on reading current") {
    Sql("UPDATE \"" + schema + "\".journal SET current = '" + *first + "' WHERE seq = 5 AND stack_id = " + stack_row);
    Result<std::string> current = backend->CurrentRev();
    CHECK(current.status().code() == Code::kIntegrity);
    CHECK(current.status().message().find("seq 5 does not authenticate") != std::string::npos);
  }
}

TEST_CASE("writers racing on one journal keep its MAC chain whole") {
  const std::string spec = MigratedSpec("macrace");
  const std::shared_ptr<const Encrypter> key = MacTestKey();
  REQUIRE(CommitOnce(*OpenKeyedStack(spec, "race", key), "first", std::chrono::milliseconds(5000)).ok());
  constexpr int kWriters = 4;
  constexpr int kRounds = 4;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::unique_ptr<Backend> backend = OpenKeyedStack(spec, "race", key);
      for (int i = 0; i < kRounds; ++i) {
        // Write (pipelined, chained to the head its CurrentRev read) races the others' appends.
        if (!backend->Write(Snap("race", "w" + std::to_string(w) + "-" + std::to_string(i)), WriteOptions{}).ok()) {
          ++failures;
        }
        if (!backend->AppendJournal("note", "", "writer " + std::to_string(w), "").ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  CHECK(failures == 0);
  std::unique_ptr<Backend> backend = OpenKeyedStack(spec, "race", key);
  const std::vector<JournalEvent> journal = *backend->Journal(0);
  CHECK(journal.size() == 2 + 2 * kWriters * kRounds);
  const std::vector<std::string> problems = VerifyProblems(*backend, *key);
  for (const std::string& problem : problems) FAIL_CHECK(problem);
  CHECK(backend->CurrentRev().ok());
}

TEST_CASE("a store whose remembered current another key moved is refused with kWrongKey and changes nothing") {
  const std::string spec = MigratedSpec("stalekey");
  std::unique_ptr<Backend> backend = OpenStack(spec, "stalekey");
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  std::unique_ptr<Backend> other = OpenKeyedStack(spec, "stalekey", MacTestKey());
  WriteOptions rekey;
  rekey.new_key = true;
  Result<std::string> moved = other->Commit(Snap("stalekey", "other"), LockOptions{}, rekey);
  REQUIRE(moved.ok());
  Result<std::string> refused = CommitOnce(*backend, "after", std::chrono::milliseconds(5000));
  CHECK(refused.status().code() == Code::kWrongKey);
  CHECK(*other->CurrentRev() == *moved);
  CHECK(other->List()->size() == 2);
}

TEST_CASE("a commit with an authenticated journal makes one round trip too, from a store that committed before") {
  const std::string spec = MigratedSpec("mactrips");
  RoundTripProxy proxy;
  const std::shared_ptr<const Encrypter> key = MacTestKey();
  std::unique_ptr<Backend> backend = OpenKeyedStack(proxy.Through(spec), "trips", key);
  REQUIRE(CommitOnce(*backend, "first", std::chrono::milliseconds(5000)).ok());
  const int before = proxy.round_trips();
  REQUIRE(CommitOnce(*backend, "second", std::chrono::milliseconds(5000)).ok());
  CHECK(proxy.round_trips() - before == 1);
  CHECK(backend->Journal(0)->back().mac_key == key->Describe().key_id);
}

TEST_CASE("a stack copied to PostgreSQL and back keeps an authenticated journal that verifies") {
  const std::string spec = MigratedSpec("maccopy");
  const std::shared_ptr<const Encrypter> key = MacTestKey();
  ForgetMemoryStore("pg-mac-copy");
  const auto memory = [&](const std::string& stack) {
    MemoryStoreOptions options;
    options.name = "pg-mac-copy";
    options.factory = kFactory;
    options.stack = stack;
    options.encrypter = key;
    Result<std::unique_ptr<Backend>> opened = OpenMemoryStore(options);
    REQUIRE(opened.ok());
    return std::move(*opened);
  };
  std::unique_ptr<Backend> source = memory("copied");
  REQUIRE(CommitOnce(*source, "one", std::chrono::milliseconds(5000)).ok());
  Result<std::string> newest = CommitOnce(*source, "two", std::chrono::milliseconds(5000));
  REQUIRE(newest.ok());
  std::unique_ptr<Backend> target = OpenKeyedStack(spec, "copied", key);
  CopyOptions there;
  there.from_name = "memory:pg-mac-copy";
  there.to_name = "postgres";
  Result<CopyReport> copied = CopyStack(*source, *target, there);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(VerifyProblems(*target, *key).empty());
  CHECK(CheckExpectAtLeast(*target, *key, *newest).ok());
  CHECK(target->CurrentRev().ok());

  ForgetMemoryStore("pg-mac-copy");
  std::unique_ptr<Backend> back = memory("copied");
  CopyOptions home;
  home.from_name = "postgres";
  home.to_name = "memory:pg-mac-copy";
  Result<CopyReport> returned = CopyStack(*target, *back, home);
  INFO(returned.status().ToString());
  REQUIRE(returned.ok());
  CHECK(VerifyProblems(*back, *key).empty());
  CHECK(CheckExpectAtLeast(*back, *key, *newest).ok());
}

TEST_CASE("migration 2 leaves a version 1 schema's journal rows as unauthenticated lines the chain follows") {
  const std::string schema = FreshSchemaName("macupgrade");
  const std::string spec = SpecFor(schema);
  REQUIRE(MigratePostgres(spec).ok());
  const std::shared_ptr<const Encrypter> key = MacTestKey();
  Result<std::string> old_rev =
      CommitOnce(*OpenKeyedStack(spec, "upgraded", key), "old", std::chrono::milliseconds(5000));
  REQUIRE(old_rev.ok());
  // Back to version 1, its rows as version 1 wrote them.
  const std::string q = "\"" + schema + "\"";
  Sql("DROP INDEX " + q + ".journal_mac_key");
  Sql("ALTER TABLE " + q + ".journal DROP COLUMN current, DROP COLUMN mac_key, DROP COLUMN mac");
  Sql("ALTER TABLE " + q + ".revisions DROP COLUMN digest");
  Sql("DELETE FROM " + q + ".sealstate_migrations WHERE version IN (2, 3)");
  CHECK(OpenPostgresStore(Options(spec, "upgraded")).status().code() == Code::kFormat);  // older: migrate first

  Result<MigrationReport> migrated = MigratePostgres(spec);
  REQUIRE(migrated.ok());
  CHECK(migrated->from_version == 1);
  REQUIRE(migrated->applied.size() == 2);
  CHECK(migrated->applied[0].rfind("2: ", 0) == 0);
  CHECK(migrated->applied[1].rfind("3: ", 0) == 0);
  std::unique_ptr<Backend> backend = OpenKeyedStack(spec, "upgraded", key);
  CHECK(backend->CurrentRev().ok());
  Result<std::string> new_rev = CommitOnce(*backend, "new", std::chrono::milliseconds(5000));
  REQUIRE(new_rev.ok());
  const std::vector<JournalEvent> journal = *backend->Journal(0);
  REQUIRE(journal.size() == 4);
  CHECK(journal[0].mac.empty());
  CHECK(journal[1].mac.empty());
  CHECK(journal[3].mac_key == key->Describe().key_id);
  Result<VerifyReport> report = VerifyStack(*backend, nullptr, {key.get()});
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
  REQUIRE(report->notes.size() == 1);
  CHECK(report->notes[0].find("lines seq 1 to seq 2: unauthenticated") != std::string::npos);
  CHECK(CheckExpectAtLeast(*backend, *key, *new_rev).ok());
}
