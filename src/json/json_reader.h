// Parsing JSON into sealstate::Json, streaming from a ByteSource (RapidJSON SAX, no DOM).
//
// Numbers: an integer literal that fits int64 is kInt, one that fits only uint64 is kUint,
// everything else kDouble (full-precision parse). A repeated object key keeps the last value
// (Go's behaviour). Nesting deeper than kMaxJsonDepth is refused. Text after the root value
// other than whitespace is an error.
#pragma once

#include <cstddef>
#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate::internal {

inline constexpr std::size_t kMaxJsonDepth = 512;

// Errors: if the source fails, its Status unchanged (so an integrity error from a decrypting
// source is not reported as a JSON error). Otherwise kIntegrity with a message without prefix,
// like "invalid JSON at byte 17: missing a comma or '}' after an object member" (callers add
// "snapshot: " or "envelope: ").
Result<Json> ParseJson(ByteSource& in);
Result<Json> ParseJson(std::string_view text);

}  // namespace sealstate::internal
