// The v2 header line: compact JSON with a fixed set of keys in a fixed order.
#pragma once

#include <string>
#include <string_view>

#include <sealstate/envelope.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Smallest and largest chunk sizes a reader accepts (memory stays bounded by the latter).
inline constexpr std::uint64_t kMinChunkSize = 1024;
inline constexpr std::uint64_t kMaxChunkSize = 4 * 1024 * 1024;

// The header as compact JSON, keys in this order: envelope-version, payload-type,
// encrypter {name, config}, key-id, cipher, chunk-size, compression, factory, stack, rev, and
// then, only when header.parent is set, parent {rev, blake2b}. No trailing newline. These exact bytes are the stream's
// associated data.
std::string EncodeV2Header(const EnvelopeHeader& header);

// Parses a header line (without its newline). Every key above is required except "parent"
// (absent: no parent; null is malformed), no other key is allowed, and each must have its type;
// a parent's rev must be a valid name and its blake2b 64 lower-case hex digits. Errors: kFormat for an envelope-version
// other than 2
// ("envelope: unsupported envelope-version N (this build expects 1 or 2)"), kIntegrity
// "envelope: malformed v2 header: ..." otherwise.
Result<EnvelopeHeader> ParseV2Header(std::string_view line);

}  // namespace sealstate::internal
