// Standard padded base64 (RFC 4648 section 4), as Go's base64.StdEncoding.
#pragma once

#include <string>
#include <string_view>

#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Encodes with padding.
std::string Base64Encode(std::string_view bytes);

// Decodes padded standard base64. Like Go, '\r' and '\n' anywhere are skipped. Errors:
// kInvalidArgument with Go's text "illegal base64 data at input byte N" (N counts input bytes,
// 0-based, at the first offending position).
Result<std::string> Base64Decode(std::string_view text);

// The same, decoding into guarded memory (for keys): no copy of the decoded bytes is left
// anywhere else.
Result<SecretBytes> Base64DecodeSecret(std::string_view text);

}  // namespace sealstate::internal
