// Rows "pg-small-commit", "pg-large-commit", "pg-large-read", "pg-lock-handoff" and "pg-list":
// the postgres backend against the server named by
// SEALSTATE_BENCH_POSTGRES (scripts/bench.sh starts a throwaway one), each against what the same
// server does with the bare statements: one INSERT of the same sealed bytes in its own
// transaction (synchronous_commit on), and one SELECT of the revision names.
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include <sealstate/postgres_store.h>

#include "bench_store.h"
#include "clock.h"
#include "document.h"
#include "fail.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

std::string SpecWithSchema() {
  const std::string spec = std::getenv("SEALSTATE_BENCH_POSTGRES");
  return spec + (spec.find('?') == std::string::npos ? "?" : "&") + "schema=bench_" + std::to_string(NowNs());
}

std::string SchemaOf(const std::string& spec) { return spec.substr(spec.rfind("schema=") + 7); }

std::unique_ptr<Backend> OpenPg(const std::string& spec, const std::string& stack) {
  PostgresStoreOptions options;
  options.spec = spec;
  options.factory = kFactory;
  options.stack = stack;
  options.encrypter = Must(NewEnvKeyEncrypter(kKeyVariable), "encrypter");
  options.migrate = true;
  return Must(OpenPostgresStore(options), "open postgres");
}

// A plain libpq connection for the floor statements.
class Floor {
 public:
  explicit Floor(const std::string& spec) : conn_(PQconnectdb(spec.substr(0, spec.rfind("schema=") - 1).c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) Die("floor: cannot connect");
  }
  ~Floor() { PQfinish(conn_); }
  void Run(const std::string& sql, const std::string& binary_param = "", bool has_param = false) {
    const char* values[] = {binary_param.data()};
    const int lengths[] = {static_cast<int>(binary_param.size())};
    const int formats[] = {1};
    PGresult* result = PQexecParams(conn_, sql.c_str(), has_param ? 1 : 0, nullptr, values, lengths, formats, 0);
    const ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Die("floor: " + sql + ": " + PQerrorMessage(conn_));
  }

 private:
  PGconn* conn_;
};

}  // namespace

Row PgSmallCommitRow(const Config& config) {
  const std::string spec = SpecWithSchema();
  std::unique_ptr<Backend> store = OpenPg(spec, "small");
  Floor floor(spec);
  const std::string table = "\"" + SchemaOf(spec) + "\".floor";
  floor.Run("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, data bytea NOT NULL)");
  floor.Run("SET synchronous_commit TO on");
  std::vector<double> commit, bare;
  std::string sealed;
  for (int i = -1; i < config.small_iterations; ++i) {  // iteration -1 warms up, untimed
    const Snapshot doc = MakeDocument({config.small_resources, static_cast<std::uint64_t>(i + 2), kFactory, "small"});
    std::string rev;
    const double commit_ms = TimeMs([&] { rev = Must(store->Commit(doc, BenchLockOptions(), {}), "commit"); });
    sealed.clear();
    StringSink sink(sealed);
    Must(store->ReadEnvelope(rev, sink), "read envelope");
    const double bare_ms =
        TimeMs([&] { floor.Run("INSERT INTO " + table + " (data) VALUES ($1)", sealed, /*has_param=*/true); });
    if (i < 0) continue;
    commit.push_back(commit_ms);
    bare.push_back(bare_ms);
  }
  Row row =
      NewRow("pg-small-commit", "small commit through PostgreSQL (" + std::to_string(config.small_resources) + " res)",
             "ms", Summarize(commit), "one INSERT of the same sealed bytes, own transaction, synchronous_commit=on",
             Summarize(bare));
  JudgeRatio(row, "<= 2x", 2.0);
  row.note = "sealed envelope " + std::to_string(sealed.size()) + " bytes";
  return row;
}

Row PgLargeRows(const Config& config, bool read) {
  const std::string spec = SpecWithSchema();
  std::unique_ptr<Backend> store = OpenPg(spec, "large");
  Floor floor(spec);
  const std::string table = "\"" + SchemaOf(spec) + "\".floor";
  floor.Run("CREATE TABLE " + table + " (id bigint PRIMARY KEY, data bytea NOT NULL)");
  floor.Run("ALTER TABLE " + table + " ALTER COLUMN data SET STORAGE EXTERNAL");  // as the chunks: no compression
  const Snapshot doc = MakeDocument({config.large_resources, 7, kFactory, "large"});
  std::vector<double> ours, bare;
  std::string sealed;
  for (int i = -1; i < config.large_iterations; ++i) {
    std::string rev;
    const double commit_ms = TimeMs([&] { rev = Must(store->Commit(doc, BenchLockOptions(), {}), "commit"); });
    sealed.clear();
    StringSink sink(sealed);
    Must(store->ReadEnvelope(rev, sink), "read envelope");
    const std::string id = std::to_string(i + 1);
    const double insert_ms = TimeMs(
        [&] { floor.Run("INSERT INTO " + table + " (id, data) VALUES (" + id + ", $1)", sealed, /*has_param=*/true); });
    // As the in-process large-read row times Current(): the read alone; the comparison and the
    // snapshot's destruction happen after timing.
    std::optional<Snapshot> got;
    const double get_ms = TimeMs([&] { got = Must(store->Get(rev), "get"); });
    if (!(*got == doc)) Die("pg-large-read: the snapshot does not read back equal");
    got.reset();
    const double select_ms = TimeMs([&] { floor.Run("SELECT data FROM " + table + " WHERE id = " + id); });
    if (i < 0) continue;
    ours.push_back(read ? get_ms : commit_ms);
    bare.push_back(read ? select_ms : insert_ms);
  }
  Row row = NewRow(read ? "pg-large-read" : "pg-large-commit",
                   std::string(read ? "read" : "commit") + " ~16 MiB through PostgreSQL", "ms", Summarize(ours),
                   read ? "SELECT of the same sealed bytes (one row)" : "INSERT of the same sealed bytes (one row)",
                   Summarize(bare));
  JudgeRatio(row, "<= 1.5x", 1.5);
  row.note = "sealed envelope " + std::to_string(sealed.size()) + " bytes; ours includes encode+encrypt (commit) or " +
             "decrypt+decode (read)";
  return row;
}

namespace {

// One hand-off: this process holds the lock, a forked child (with its own connections) waits for
// it; the latency is from just before Unlock() to the child holding the lock.
double OnePgHandoff(Backend& store, const std::string& spec) {
  std::unique_ptr<Lock> lock = Must(store.AcquireLock(BenchLockOptions()), "acquire");
  int fds[2];
  CheckErrno(::pipe(fds) == 0, "pipe");
  const pid_t child = ::fork();
  CheckErrno(child >= 0, "fork");
  if (child == 0) {
    std::unique_ptr<Backend> waiter = OpenPg(spec, "lock");
    std::unique_ptr<Lock> got = Must(waiter->AcquireLock(BenchLockOptions()), "waiter: acquire");
    const std::int64_t acquired = NowNs();
    (void)!::write(fds[1], &acquired, sizeof acquired);
    (void)got->Unlock();
    ::_exit(0);
  }
  ::close(fds[1]);
  // Hold long enough (20 ms) for the child to connect and block in its wait on the server.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::int64_t released = NowNs();
  Must(lock->Unlock(), "release");
  std::int64_t acquired = 0;
  const bool read = ::read(fds[0], &acquired, sizeof acquired) == sizeof acquired;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!read) Die("pg-lock-handoff: the waiter reported nothing");
  return static_cast<double>(acquired - released) / 1e6;
}

}  // namespace

Row PgLockHandoffRow(const Config& config) {
  const std::string spec = SpecWithSchema();
  std::unique_ptr<Backend> store = OpenPg(spec, "lock");
  std::vector<double> samples;
  for (int i = 0; i < config.lock_samples; ++i) samples.push_back(OnePgHandoff(*store, spec));
  Row row = NewRow("pg-lock-handoff", "lock hand-off through PostgreSQL, A -> waiting B", "ms", Summarize(samples));
  row.target = "p50<=2ms p99<=10ms";
  row.met = row.sealstate.median <= 2.0 && row.sealstate.p99 <= 10.0;
  row.phases = {{"p99", row.sealstate.p99}};
  row.note = std::to_string(samples.size()) + " samples; release stamped before Unlock()";
  return row;
}

Row PgListRow(const Config& config) {
  const std::string spec = SpecWithSchema();
  std::unique_ptr<Backend> store = OpenPg(spec, "list");
  Floor floor(spec);
  const std::string schema = "\"" + SchemaOf(spec) + "\"";
  // The revision rows (names only: List never reads a snapshot), inserted in one statement.
  floor.Run("INSERT INTO " + schema +
            ".revisions (stack_id, rev, envelope_version, chunks, bytes) SELECT (SELECT id FROM " + schema +
            ".stacks WHERE stack = 'list'), to_char(timestamp '2026-01-01' + g * interval '1 second', " +
            "'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(g::text, 9, '0') || 'Z', 2, 0, 0 FROM generate_series(1, " +
            std::to_string(config.list_revisions) + ") g");
  std::vector<double> list, bare;
  for (int i = -1; i < config.list_iterations; ++i) {
    std::size_t listed = 0;
    const double list_ms = TimeMs([&] { listed = Must(store->List(), "list").size(); });
    if (listed != config.list_revisions) Die("pg-list: listed " + std::to_string(listed));
    const double bare_ms = TimeMs([&] { floor.Run("SELECT rev FROM " + schema + ".revisions"); });
    if (i < 0) continue;
    list.push_back(list_ms);
    bare.push_back(bare_ms);
  }
  Row row = NewRow("pg-list", "list " + std::to_string(config.list_revisions) + " revisions through PostgreSQL", "ms",
                   Summarize(list), "SELECT of the revision names (unsorted)", Summarize(bare));
  row.target = "<= 100 ms";
  row.met = row.sealstate.median <= 100.0;
  return row;
}

}  // namespace sealstate::bench
