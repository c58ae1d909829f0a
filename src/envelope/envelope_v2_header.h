// The v2 and v3 header line: compact JSON with a fixed set of keys in a fixed order. v3 differs
// from v2 only in how the data key is carried (recipients instead of encrypter and key-id);
// every other key, and its place, is shared, so a key added here is added to both versions.
#pragma once

#include <string>
#include <string_view>

#include <sealstate/envelope.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Smallest and largest chunk sizes a reader accepts (memory stays bounded by the latter).
inline constexpr std::uint64_t kMinChunkSize = 1024;
inline constexpr std::uint64_t kMaxChunkSize = 4 * 1024 * 1024;

// The header as compact JSON, keys in this order: envelope-version, payload-type, then
//   v2: encrypter {name, config}, key-id
//   v3: recipients [{key-source, config, key-id, wrapped (base64)}...], recipients-mac
// then cipher, chunk-size, compression, factory, stack, rev, and then, only when header.parent
// is set, parent {rev, blake2b}. No trailing newline. For v2 these exact bytes are the stream's
// associated data (v3: V3PayloadAssociatedData).
std::string EncodeV2Header(const EnvelopeHeader& header);

// Whether `digest` is a parent link's digest: 2 * kParentDigestBytes lower-case hex digits.
bool IsLowerHexDigest(std::string_view digest);

// Parses a v2 or v3 header line (without its newline). Every key above is required except
// "parent" (absent: no parent; null is malformed), no other key is allowed, and each must have
// its type; a parent's rev must be a valid name and its blake2b 64 lower-case hex digits; a v3
// line must be exactly what EncodeV2Header writes for it (canonical), and carry at most
// kV3MaxRecipients recipients. Errors: kFormat for an envelope-version other than 2 or 3
// ("envelope: unsupported envelope-version N (this build expects 1, 2 or 3)"), kIntegrity
// "envelope: malformed v2 header: ..." otherwise.
Result<EnvelopeHeader> ParseV2Header(std::string_view line);

// The bytes a v3 payload stream authenticates: the header with no recipients and an empty
// recipients-mac, so that re-wrapping the data key (rekey) leaves the payload valid.
std::string V3PayloadAssociatedData(const EnvelopeHeader& header);

// The bytes a v3 recipients-mac covers: the whole header with an empty recipients-mac.
std::string V3RecipientsMacInput(const EnvelopeHeader& header);

}  // namespace sealstate::internal
