// LockStackRow: see pg_place.h.
#include "postgres/pg_place.h"

namespace sealstate::internal {

std::string LockStackRowSql(const PgStackPlace& place) {
  return "SELECT 1 FROM " + place.Table("stacks") + " WHERE id = $1 FOR NO KEY UPDATE";
}

Status LockStackRow(PgConnection& conn, const PgStackPlace& place, std::string_view what) {
  return conn.Exec(what, LockStackRowSql(place), {PgParam::Int(place.stack_id)}).status();
}

}  // namespace sealstate::internal
