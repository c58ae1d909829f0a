// The postgres backend's spec: a libpq connection URI plus sealstate's own `schema` parameter.
//
//   postgres://USER@HOST:PORT/DB?sslmode=require&schema=NAME   (also postgresql://)
//
// Everything but `schema` is libpq's (host, port, dbname, user, password, sslmode, options,
// connect_timeout, keepalives, ...): the URI minus `schema` is handed to libpq as is, so libpq's
// environment variables (PGHOST, PGUSER, PGPASSWORD, ...) and ~/.pgpass fill in what the URI
// leaves out, as for psql. `schema` (percent-encoded in the URI, any name PostgreSQL accepts:
// quotes, semicolons and non-ASCII included) defaults to "sealstate".
#pragma once

#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate::internal {

inline constexpr std::string_view kDefaultPostgresSchema = "sealstate";
// PostgreSQL's longest identifier (NAMEDATALEN - 1).
inline constexpr std::size_t kMaxPostgresIdentifierBytes = 63;

struct PostgresSpec {
  std::string conninfo;  // the URI without `schema`, for libpq
  std::string schema;    // unquoted
  std::string redacted;  // the spec as given, without its password (RedactSpec), for messages
};

// Parses a spec that starts "postgres://" or "postgresql://". Errors: kInvalidArgument naming the
// (redacted) spec: another scheme, an empty or too long schema, a bad percent-escape, a NUL.
Result<PostgresSpec> ParsePostgresSpec(std::string_view spec);

}  // namespace sealstate::internal
