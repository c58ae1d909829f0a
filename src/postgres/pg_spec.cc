// ParsePostgresSpec: see pg_spec.h.
#include "postgres/pg_spec.h"

#include <sealstate/backend_registry.h>

#include "postgres/pg_connection.h"

namespace sealstate::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status BadSpec(std::string_view redacted, std::string_view why) {
  return Status::InvalidArgument(std::string(kPostgresPrefix) + "backend spec \"" + std::string(redacted) +
                                 "\": " + std::string(why));
}

// URI percent-decoding ('+' stays '+', as libpq reads URIs). Errors: kInvalidArgument.
Result<std::string> PercentDecoded(std::string_view text, std::string_view redacted) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) return BadSpec(redacted, "a '%' in the schema is not followed by two hex digits");
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace

Result<PostgresSpec> ParsePostgresSpec(std::string_view spec) {
  PostgresSpec parsed;
  parsed.redacted = RedactSpec(spec);
  if (!spec.starts_with("postgres://") && !spec.starts_with("postgresql://")) {
    return BadSpec(parsed.redacted, "must start with postgres:// or postgresql://");
  }
  const std::size_t query = spec.find('?');
  parsed.conninfo = std::string(spec.substr(0, query));
  parsed.schema = std::string(kDefaultPostgresSchema);
  if (query != std::string_view::npos) {
    std::string kept;
    std::string_view rest = spec.substr(query + 1);
    while (true) {
      const std::size_t amp = rest.find('&');
      const std::string_view param = rest.substr(0, amp);
      if (param.starts_with("schema=")) {
        SEALSTATE_ASSIGN_OR_RETURN(parsed.schema, PercentDecoded(param.substr(7), parsed.redacted));
      } else if (!param.empty()) {
        kept += (kept.empty() ? "" : "&") + std::string(param);
      }
      if (amp == std::string_view::npos) break;
      rest = rest.substr(amp + 1);
    }
    if (!kept.empty()) parsed.conninfo += "?" + kept;
  }
  if (parsed.schema.empty()) return BadSpec(parsed.redacted, "the schema name is empty");
  if (parsed.schema.size() > kMaxPostgresIdentifierBytes) {
    return BadSpec(parsed.redacted, "the schema name is " + std::to_string(parsed.schema.size()) +
                                        " bytes long, more than PostgreSQL's " +
                                        std::to_string(kMaxPostgresIdentifierBytes));
  }
  if (parsed.schema.find('\0') != std::string::npos) return BadSpec(parsed.redacted, "the schema name contains NUL");
  return parsed;
}

}  // namespace sealstate::internal
