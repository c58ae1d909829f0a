// Where one stack lives on the server: the connection spec, the schema and the stack's row.
// Shared by the backend and every Lock it hands out (a Lock may outlive its backend).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <sealstate/status.h>

#include "journal/journal_mac.h"
#include "postgres/pg_connection.h"
#include "postgres/pg_connection_pool.h"
#include "postgres/pg_spec.h"

namespace sealstate::internal {

struct PgStackPlace {
  PostgresSpec spec;
  std::string quoted_schema;        // for SQL
  std::uint32_t namespace_oid = 0;  // the schema's oid: the first half of the stack's lock keys
  std::int64_t stack_id = 0;        // S.stacks.id
  std::string journal_channel;      // the stack's journal NOTIFY channel (notify_journal, pg_schema.cc)
  std::string factory;
  std::string stack;
  // Connections for Locks (never null).
  std::shared_ptr<PgConnectionPool> lock_connections;
  // Authenticates the journal rows written for this stack (JournalMacKeyFor the store's
  // encrypter; nullptr: they say they are not).
  std::shared_ptr<const JournalMacKey> journal_mac_key;
  // What its rows are checked with: the journal MAC keys of every key the encrypter opens files
  // with (JournalMacKeysFor; a KeyRing's keys), each row with the one whose key id it names.
  JournalMacKeys opening_mac_keys;

  // quoted_schema + "." + table.
  std::string Table(std::string_view table) const { return quoted_schema + "." + std::string(table); }
};

// Inside a transaction: locks the stack's row (FOR NO KEY UPDATE) until the transaction ends.
// Every transaction that moves current, removes a revision, takes, breaks or releases the lock,
// or appends to the journal does this first, so they run one at a time per stack (and never
// block other stacks). Errors: kIoError.
Status LockStackRow(PgConnection& conn, const PgStackPlace& place, std::string_view what);
// LockStackRow's statement (parameter $1: the stack's id), to queue in a pipeline.
std::string LockStackRowSql(const PgStackPlace& place);

}  // namespace sealstate::internal
