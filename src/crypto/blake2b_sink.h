// Blake2bSink: the BLAKE2b digest of the bytes appended to it (a parent link's digest).
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include <sealstate/stream.h>

namespace sealstate::internal {

// Hashes every Append with libsodium's crypto_generichash (BLAKE2b) into a kParentDigestBytes
// (32-byte) digest, in constant memory. Not thread-safe. Calls EnsureSodium() first.
class Blake2bSink final : public ByteSink {
 public:
  Blake2bSink();
  Status Append(std::string_view data) override;
  // The digest of everything appended, as 64 lower-case hex digits. Call once, at the end.
  std::string HexDigest();

 private:
  crypto_generichash_state state_;
};

}  // namespace sealstate::internal
