// The postgres store's migrations: see pg_schema.h.
#include "postgres/pg_schema.h"

#include <vector>

namespace sealstate::internal {
namespace {

struct Migration {
  int version;
  const char* description;
  // The statements, with "S." standing for the quoted schema.
  std::vector<const char*> statements;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1,
       "stacks, revisions in chunks, holder rows with advisory-lock keys, journal, journal consumers",
       {
           "CREATE TABLE S.stacks (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, factory text NOT NULL, "
           "stack text NOT NULL, current text, journal_seq bigint NOT NULL DEFAULT 0, "
           "created timestamptz NOT NULL DEFAULT now(), UNIQUE (factory, stack))",
           "CREATE TABLE S.revisions (stack_id bigint NOT NULL REFERENCES S.stacks (id), rev text NOT NULL, "
           "envelope_version integer NOT NULL, chunks integer NOT NULL, bytes bigint NOT NULL, "
           "written timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stack_id, rev))",
           "CREATE TABLE S.revision_chunks (stack_id bigint NOT NULL, rev text NOT NULL, chunk integer NOT NULL, "
           "data bytea NOT NULL, PRIMARY KEY (stack_id, rev, chunk), "
           "FOREIGN KEY (stack_id, rev) REFERENCES S.revisions (stack_id, rev) ON DELETE CASCADE)",
           "ALTER TABLE S.revision_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
           "ALTER TABLE S.stacks ADD FOREIGN KEY (id, current) REFERENCES S.revisions (stack_id, rev)",
           "CREATE SEQUENCE S.lock_keys AS integer MINVALUE 1 CYCLE",
           "CREATE TABLE S.locks (stack_id bigint PRIMARY KEY REFERENCES S.stacks (id), lock_id text NOT NULL, "
           "holder_user text NOT NULL, holder_host text NOT NULL, holder_pid bigint NOT NULL, created text NOT NULL, "
           "operation text NOT NULL, version text NOT NULL, advisory_key integer NOT NULL, "
           "session_pid integer NOT NULL)",
           "CREATE TABLE S.journal (stack_id bigint NOT NULL REFERENCES S.stacks (id), seq bigint NOT NULL, "
           "time text NOT NULL, event text NOT NULL, rev text NOT NULL, lock_id text NOT NULL, actor text NOT NULL, "
           "pid bigint NOT NULL, detail text NOT NULL, envelope_version bigint NOT NULL, size bigint NOT NULL, "
           "entries bigint NOT NULL, operation text NOT NULL, PRIMARY KEY (stack_id, seq))",
           // Wakes WaitForJournal's listeners on channel "sealstate_journal_<journal table oid>_<stack id>"
           // (the table's oid tells schemas apart) when the inserting transaction commits.
           "CREATE FUNCTION S.notify_journal() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
           "PERFORM pg_notify('sealstate_journal_' || TG_RELID::bigint || '_' || NEW.stack_id, NEW.seq::text); "
           "RETURN NULL; END $fn$",
           "CREATE TRIGGER notify_journal AFTER INSERT ON S.journal FOR EACH ROW EXECUTE FUNCTION S.notify_journal()",
           "CREATE TABLE S.consumers (stack_id bigint NOT NULL REFERENCES S.stacks (id), name text NOT NULL, "
           "seq numeric(20, 0) NOT NULL, PRIMARY KEY (stack_id, name))",
       }},
      {2,
       "journal authentication: each row's current, mac_key and mac, chained to the row before",
       {
           // Rows written before this migration keep mac '': unauthenticated lines, as a local
           // journal's lines from before sealstate authenticated its journal.
           "ALTER TABLE S.journal ADD COLUMN current text, ADD COLUMN mac_key text NOT NULL DEFAULT '', "
           "ADD COLUMN mac text NOT NULL DEFAULT ''",
           // The rollback check's read of the newest row made with a key (ReadPgCurrentAndJournal).
           "CREATE INDEX journal_mac_key ON S.journal (stack_id, mac_key, seq)",
       }},
      {3,
       "revisions.digest: each revision's envelope digest (its parent link's), stored as it is written",
       {
           // NULL for a revision written before this migration: the parent link hashes its envelope.
           "ALTER TABLE S.revisions ADD COLUMN digest text",
       }},
  };
  return migrations;
}

// `statement` with every "S." replaced by `quoted` + ".".
std::string WithSchema(std::string_view statement, const std::string& quoted) {
  std::string out;
  for (std::size_t i = 0; i < statement.size(); ++i) {
    if (statement.substr(i, 2) == "S.") {
      out += quoted + ".";
      ++i;
    } else {
      out += statement[i];
    }
  }
  return out;
}

Status NewerSchema(int found, const std::string& schema) {
  return Status::Format(std::string(kPostgresPrefix) + "schema \"" + schema + "\" is at version " +
                        std::to_string(found) + ", newer than this build's " + std::to_string(kPostgresSchemaVersion) +
                        "; use a newer sealstate");
}

Result<int> AppliedVersion(PgConnection& conn, const std::string& quoted) {
  SEALSTATE_ASSIGN_OR_RETURN(PgRows rows,
                             conn.Exec("read the schema version",
                                       "SELECT coalesce(max(version), 0) FROM " + quoted + ".sealstate_migrations"));
  return static_cast<int>(rows.Int(0, 0));
}

Result<MigrationReport> MigrateLocked(PgConnection& conn, const std::string& schema, const std::string& quoted) {
  // One migrator per schema at a time, until this transaction ends. The key is a hash of the
  // schema's name because the schema may not exist yet; a collision only serialises two
  // migrations (the stack lock never uses hashed keys).
  SEALSTATE_RETURN_IF_ERROR(conn.Exec("lock the migrations",
                                      "SELECT pg_advisory_xact_lock(hashtextextended('sealstate-migrate:' || $1, 0))",
                                      {PgParam::Text(schema)})
                                .status());
  SEALSTATE_RETURN_IF_ERROR(conn.Exec("create the schema", "CREATE SCHEMA IF NOT EXISTS " + quoted).status());
  SEALSTATE_RETURN_IF_ERROR(conn.Exec("create the migrations table",
                                      "CREATE TABLE IF NOT EXISTS " + quoted +
                                          ".sealstate_migrations (version integer PRIMARY KEY, "
                                          "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                                .status());
  MigrationReport report;
  SEALSTATE_ASSIGN_OR_RETURN(report.from_version, AppliedVersion(conn, quoted));
  if (report.from_version > kPostgresSchemaVersion) return NewerSchema(report.from_version, schema);
  for (const Migration& migration : Migrations()) {
    if (migration.version <= report.from_version) continue;
    const std::string what = "apply migration " + std::to_string(migration.version);
    for (const char* statement : migration.statements) {
      SEALSTATE_RETURN_IF_ERROR(conn.Exec(what, WithSchema(statement, quoted)).status());
    }
    SEALSTATE_RETURN_IF_ERROR(
        conn.Exec(what, "INSERT INTO " + quoted + ".sealstate_migrations (version, description) VALUES ($1, $2)",
                  {PgParam::Int(migration.version), PgParam::Text(migration.description)})
            .status());
    report.applied.push_back(std::to_string(migration.version) + ": " + migration.description);
  }
  report.to_version = kPostgresSchemaVersion;
  return report;
}

}  // namespace

Result<MigrationReport> MigratePostgresSchema(PgConnection& conn, const std::string& schema) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string quoted, conn.QuoteIdentifier(schema));
  SEALSTATE_RETURN_IF_ERROR(conn.Begin("migrate"));
  Result<MigrationReport> report = MigrateLocked(conn, schema, quoted);
  if (!report.ok()) {
    conn.Rollback();
    return report;
  }
  SEALSTATE_RETURN_IF_ERROR(conn.Commit("migrate"));
  return report;
}

Result<PgSchemaInfo> CheckPostgresSchema(PgConnection& conn, const std::string& schema) {
  PgSchemaInfo info;
  SEALSTATE_ASSIGN_OR_RETURN(info.quoted, conn.QuoteIdentifier(schema));
  SEALSTATE_ASSIGN_OR_RETURN(
      PgRows found,
      conn.Exec("look up the schema",
                "SELECT n.oid::bigint, to_regclass($2) IS NOT NULL, to_regclass($3)::oid::bigint FROM pg_namespace n "
                "WHERE nspname = $1",
                {PgParam::Text(schema), PgParam::Text(info.quoted + ".sealstate_migrations"),
                 PgParam::Text(info.quoted + ".journal")}));
  const std::string advice = "; run `sealstate migrate-schema --backend " + conn.redacted_spec() +
                             "` (library: Migrate) to create or upgrade it";
  if (found.empty() || found.Text(0, 1) != "t") {
    return Status::NotFound(std::string(kPostgresPrefix) + "the database has no sealstate schema \"" + schema + "\"" +
                            advice);
  }
  info.namespace_oid = static_cast<std::uint32_t>(found.Int(0, 0));
  info.journal_oid = found.Text(0, 2);
  SEALSTATE_ASSIGN_OR_RETURN(int version, AppliedVersion(conn, info.quoted));
  if (version > kPostgresSchemaVersion) return NewerSchema(version, schema);
  if (version < kPostgresSchemaVersion) {
    return Status::Format(std::string(kPostgresPrefix) + "schema \"" + schema + "\" is at version " +
                          std::to_string(version) + ", older than this build's " +
                          std::to_string(kPostgresSchemaVersion) + advice);
  }
  return info;
}

}  // namespace sealstate::internal
