// The postgres store's tables, and the versioned migrations that create them.
//
// Schema version 1 (in the spec's schema S; sealstate-format(5), POSTGRESQL):
//   S.sealstate_migrations(version, description, applied_at)  one row per applied migration
//   S.stacks(id, factory, stack, current, journal_seq)        one row per stack; `current` is a
//                                                              foreign key into S.revisions
//   S.revisions(stack_id, rev, envelope_version, chunks, bytes, written)
//   S.revision_chunks(stack_id, rev, chunk, data)              the envelope, <= 1 MiB per row
//   S.locks(stack_id, lock_id, holder..., advisory_key, session_pid)  the holder row
//   S.lock_keys                                                 sequence of advisory-lock keys
//   S.journal(stack_id, seq, time, event, rev, lock_id, actor, pid, detail, envelope_version)
#pragma once

#include <cstdint>
#include <string>

#include <sealstate/backend_registry.h>
#include <sealstate/postgres_store.h>
#include <sealstate/status.h>

#include "postgres/pg_connection.h"

namespace sealstate::internal {

// Brings schema `schema` (unquoted) to kPostgresSchemaVersion in one transaction, serialised
// with every other migrator of the same schema by a transaction-level advisory lock: creates the
// schema and the migrations table when missing, applies the missing migrations in order and
// records each. Idempotent. Errors: kFormat when the schema is newer than this build (nothing
// changed); kIoError.
Result<MigrationReport> MigratePostgresSchema(PgConnection& conn, const std::string& schema);

// What an open store needs to know about its schema.
struct PgSchemaInfo {
  std::string quoted;               // the schema as a quoted identifier, for SQL
  std::uint32_t namespace_oid = 0;  // pg_namespace's oid: the first half of every lock key
  std::string journal_oid;          // S.journal's oid, as text: names the journal's NOTIFY channel
};

// Checks that `schema` is at this build's version. Errors: kNotFound when it has no sealstate
// tables, kFormat when it is older or newer than this build, each saying what to do ("run
// sealstate migrate-schema --backend SPEC"); kIoError.
Result<PgSchemaInfo> CheckPostgresSchema(PgConnection& conn, const std::string& schema);

}  // namespace sealstate::internal
