// Random identifiers in lower-case hex, from libsodium's CSPRNG.
#pragma once

#include <cstddef>
#include <string>

namespace sealstate::internal {

// `bytes` random bytes (randombytes_buf) as 2 * `bytes` lower-case hex digits. Calls
// EnsureSodium() first, so it is safe before any other libsodium use.
std::string RandomHex(std::size_t bytes);

}  // namespace sealstate::internal
