// PostgresStore: a Backend whose stacks live in a PostgreSQL database, shared by a team.
//
// Spec (backend_registry.h registers "postgres" and "postgresql"):
//   postgres://USER@HOST:PORT/DB?sslmode=require&schema=NAME
// Everything but `schema` is libpq's connection URI, handed to libpq as is: libpq's environment
// variables (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE, ...) and ~/.pgpass fill in what it leaves
// out, as for psql; `options=-c statement_timeout=...` and `keepalives_idle=...` work too.
// `schema` (default "sealstate") is the schema that holds the tables; several schemas (several
// teams) may share a database, and their stacks and locks never meet. A password in the spec
// never appears in a message (RedactSpec).
//
// The schema must be created and migrated first: Migrate(spec) (BackendRegistry::Migrate, or
// MigratePostgres) or `sealstate migrate-schema --backend SPEC`. Opening a stack in a database
// without the schema is kNotFound, and with a schema older or newer than this build kFormat;
// both messages say to run migrate-schema (opening never migrates on its own, unless
// PostgresStoreOptions::migrate asks). Tables and transactions: sealstate-format(5), POSTGRESQL.
//
// Behaviour and errors are the local store's (backend.h), with messages that start "postgres
// store: ". Snapshots are sealed with the same envelopes (v2; v1 when unobin_compatible), bound
// to factory, stack and revision, stored in rows of at most 1 MiB and streamed both ways, so
// memory stays bounded whatever their size; revisions are immutable and named as unobin names
// them, race-free (a unique key; a taken name moves to the next suffix). Every operation is one
// transaction with its journal event: a write with its "write" event, a move of `current` (with
// its compare-and-swap and fencing check) with its "set-current", a removal with its "remove",
// a lock break with its "lock-break"; Commit, under the lock, writes, moves current (fenced)
// and journals both in one transaction (one WAL flush). So kIncomplete never comes from
// journaling (only from a failed Unlock after a Commit); and a failed operation changes nothing.
// Strays cannot exist (StrayEntries finds none); CheckPermissions finds nothing (the server's
// roles guard the tables).
//
// The lock: one per stack, held by a row in S.locks and a session-level advisory lock in the
// two-int form (the schema's namespace oid, a key drawn from the sequence S.lock_keys for every
// acquisition), taken before the row commits and released after the row is deleted. Keys are
// unique within the database (advisory locks are per database), so stacks with the same names
// in other schemas or databases never share a lock. The lock lives as long as the holder's
// database session: a Lock owns a connection of its own; when the holder's process dies or its
// connection drops, the server ends the session and frees the advisory lock, and the row with no
// advisory lock behind it is provably stale. Verdicts (lock.h): free (no row), held (its session
// holds the advisory lock), stale (it does not); never unknown. A stale lock is broken by the
// next acquirer with LockOptions::break_stale (one transaction, journaled "lock-break"; racing
// breakers are serialised on the stack's row, so exactly one breaks it). A waiter blocks on the
// holder's advisory lock on the server, so it wakes as soon as the holder releases it or its
// session ends, and reads the holder row again at least every 200 ms (a force-unlock frees the
// row but not the broken holder's session); it asks LockOptions::cancelled every 5 ms, and
// cancels its wait on the server. The holder record is the real holder's: LockHolder's fields
// from the holder's own process, and in LockHolder::detail its server session (the
// kPostgresHolder* keys below). Fencing: SetCurrent and Remove check the lock id in the same
// transaction that changes the stack. LockOptions::operation is refused where the local store
// refuses it.
//
// Moving stacks (backend.h): ReadEnvelope streams a revision's stored bytes; ImportEnvelope stores
// another backend's envelope verbatim in one fenced transaction after checking its header (v2
// bound to this factory, stack and revision; v1 only where the policy accepts it), accepting the
// same bytes again (a resumed copy) and refusing other bytes (kAlreadyExists); ImportJournal
// appends another backend's events, fenced, all or none.
//
// A server that cannot be reached, a dropped connection or a statement timeout is kIoError
// naming the redacted spec and the server's reason; the next call reconnects.
//
// Thread safety: as Backend. One Backend serialises its calls on one connection.
#pragma once

#include <sealstate/export.h>

#include <memory>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/backend_registry.h>
#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/status.h>

namespace sealstate {

// LockHolder::detail keys of the postgres store's holder records.
// The holder's server session: pg_backend_pid() of the connection holding the lock.
inline constexpr std::string_view kPostgresHolderSessionPid = "session-pid";
// The advisory lock behind the row: "NAMESPACE_OID,KEY" (pg_locks' classid and objid).
inline constexpr std::string_view kPostgresHolderAdvisoryKey = "advisory-key";

// The schema version this build reads and writes.
inline constexpr int kPostgresSchemaVersion = 3;

struct PostgresStoreOptions {
  // "postgres://..." or "postgresql://..." (see above).
  std::string spec;
  std::string factory;  // validated with ValidateName
  std::string stack;    // validated with ValidateName
  // Seals and opens snapshots. May be null for lock-only and list-only use.
  std::shared_ptr<const Encrypter> encrypter;
  EnvelopePolicy envelope;
  // Create the stack if it is missing (one row; no lock over other stacks). When false, a
  // missing stack is kNotFound ("no such stack").
  bool create = true;
  // Migrate the schema first (as MigratePostgres) instead of refusing an unmigrated one.
  bool migrate = false;
};

// Opens (and with options.create, creates) a stack. Errors: kInvalidArgument for a bad spec or
// name; kNotFound for a missing schema (run migrate-schema) or, when !create, a missing stack;
// kFormat for a schema of another version; kIoError when the server cannot be reached.
SEALSTATE_EXPORT Result<std::unique_ptr<Backend>> OpenPostgresStore(const PostgresStoreOptions& options);

// Creates or upgrades the schema the spec names to kPostgresSchemaVersion (BackendMigrator):
// versioned (S.sealstate_migrations records each migration), idempotent, one transaction,
// serialised with concurrent migrators of the same schema. Errors: kInvalidArgument for a bad
// spec; kFormat for a schema newer than this build (nothing changed); kIoError.
SEALSTATE_EXPORT Result<MigrationReport> MigratePostgres(std::string_view spec);

}  // namespace sealstate
